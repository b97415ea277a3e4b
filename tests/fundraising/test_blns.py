"""Every naughty string as a page's title and story, a team's name, a donor's wall name and message:
sanitised in the story and safe in both parts of the fundraiser's gift email; the sample of
tests/blns.py (as everywhere, the strings that go through HTTP) escaped on the page, the team page
and the Open Graph tags, and printable in the poster."""

import io
from html.parser import HTMLParser

import pypdf
from markupsafe import escape

from crm.extensions import db
from crm.forms import clean_line, clean_text
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, Team
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.poster import build_poster_pdf
from crm.fundraising.services.public import STORY_TAGS, story_html
from crm.mail.models import OutboundEmail
from crm.mail.services.rendering import build_message
from tests import factories
from tests.blns import SAMPLE, STRINGS

EMAIL_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "p", "br", "a"}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)


def _parsed(html):
    parser = Tags()
    parser.feed(html)
    return parser


def _seed():
    """One page, team and named gift per string, as the forms would keep them; return [(page id, texts)]."""
    campaign = Campaign(slug="dip", name_en="Polar dip")
    db.session.add(campaign)
    db.session.flush()
    owner = factories.supporter("fran@example.org", "Fran")
    made = []
    for n, value in enumerate(STRINGS):
        line, text = clean_line(value), clean_text(value) or ""
        title, name = (line[:150] or f"Page {n}"), (line[:100] or f"Team {n}")
        team = Team(campaign_id=campaign.id, slug=f"team-{n}", name=name)
        page = FundraiserPage(
            campaign_id=campaign.id, supporter_id=owner.id, slug=f"page-{n}", title=title, story=text,
            goal_cents=10000, status="live", team=team, team_status="member",
        )  # fmt: skip
        db.session.add(page)
        db.session.flush()
        gift = factories.gift(f"d{n}@example.org", 2500, show_on_wall=True, wall_name=line[:100], message=text)
        credit_gift(gift, campaign, page)
        made.append((page.id, title, name, line[:100], text))
    db.session.commit()
    return made


def test_every_naughty_string_is_safe_on_the_page_the_poster_and_the_email(app, client):
    with app.app_context():
        made = _seed()
        baseline = _parsed(client.get("/fundraisers/page-0").get_data(as_text=True))
    allowed = baseline.tags | STORY_TAGS
    for _page_id, _title, _team, _wall_name, story in made:
        parsed = _parsed(story_html(story))
        assert parsed.tags <= STORY_TAGS and not any(name.startswith("on") for name in parsed.attributes), story
    sample = [n for n, value in enumerate(STRINGS) if value in set(SAMPLE)]
    for n in sample:
        _page_id, title, team, wall_name, message = made[n]
        response = client.get(f"/fundraisers/page-{n}")
        assert response.status_code == 200, repr(title)
        html = response.get_data(as_text=True)
        assert f"<h1>{escape(title)}</h1>" in html
        assert f'property="og:title" content="{escape(title)}"' in html
        assert str(escape(wall_name)) in html and (not message or str(escape(message)) in html)
        parsed = _parsed(html)
        assert parsed.tags <= allowed, (title, parsed.tags - allowed)
        assert not any(name.startswith("on") for name in parsed.attributes), repr(message)
        team_page = client.get(f"/teams/team-{n}")
        assert team_page.status_code == 200 and str(escape(team)) in team_page.get_data(as_text=True)

    with app.test_request_context("/", base_url="http://localhost"):
        for page_id, title, *_rest in (made[n] for n in sample):
            pdf = build_poster_pdf(db.session.get(FundraiserPage, page_id), "http://localhost/fundraisers/x")
            assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1, repr(title)
        emails = db.session.scalars(
            db.select(OutboundEmail).filter_by(template="fundraiser_page_gift").order_by(OutboundEmail.id)
        ).all()
        assert len(emails) == len(made) == db.session.scalar(db.select(db.func.count()).select_from(PageGift))
        for email in emails:
            message = build_message(email)
            parsed = _parsed(message.get_body(("html",)).get_content())
            assert parsed.tags <= EMAIL_TAGS, (email.context, parsed.tags - EMAIL_TAGS)
            text = " ".join(message.get_body(("plain",)).get_content().split())
            assert " ".join(email.context["page_title"].split()) in text

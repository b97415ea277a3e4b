"""Asking to join a closed team emails its captain (once per request, never the asker's address),
with the way to their screen; the asker is told what the captain decided. Naughty names stay text."""

from html.parser import HTMLParser

import pytest

from crm.accounts.services import create_user
from crm.extensions import db
from crm.forms import clean_line
from crm.fundraising.models import Campaign, FundraiserPage, Team
from crm.fundraising.services.teams import join_team
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.rendering import build_message
from tests import factories
from tests.blns import SAMPLE
from tests.helpers import csrf_token, log_in

PASSWORD = "a long enough password"
BASE = "https://crm.example"


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL=BASE, MAIL_RATE_PER_MINUTE=0)


def _fundraiser(campaign, name, title=None, language="en"):
    user = create_user(f"{name}@example.org", PASSWORD)
    owner = factories.supporter(f"{name}@example.org", name.title(), last_name="Smith", language=language)
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=owner.id,
        user_id=user.id,
        slug=f"{name}-dips",
        title=title or f"{name.title()} dips",
        goal_cents=50000,
        status="live",
        language=language,
    )
    db.session.add(page)
    db.session.flush()
    return page, user


def _closed_team(campaign, captain_page, captain_user, name="Frozen <Falcons>"):
    team = Team(campaign_id=campaign.id, slug="falcons", name=name, open=False, captain_user_id=captain_user.id)
    db.session.add(team)
    db.session.flush()
    captain_page.team, captain_page.team_status = team, "member"
    db.session.flush()
    return team


@pytest.fixture
def team(app):
    """A closed team captained by Ann; Bob's page in the same campaign; return (team id, Bob's page id)."""
    with app.app_context():
        campaign = Campaign(slug="dip", name_en="Polar dip", name_fr="Plongeon polaire")
        db.session.add(campaign)
        db.session.flush()
        ann_page, ann = _fundraiser(campaign, "ann")
        bob_page, _bob = _fundraiser(campaign, "bob")
        found = _closed_team(campaign, ann_page, ann)
        db.session.commit()
        return found.id, bob_page.id


def _as(app, name):
    client = app.test_client()
    assert log_in(client, f"{name}@example.org", PASSWORD).status_code == 302
    return client


def _post(client, url, data, form_url):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def _queued(app, template):
    with app.app_context():
        rows = db.session.scalars(db.select(OutboundEmail).filter_by(template=template).order_by(OutboundEmail.id))
        return [(row.to_address, row.purpose, row.dedupe_key) for row in rows]


def _deliver(app, smtp_sink, count):
    """Run the mail worker's pass; return {subject: plain text} of the `count` messages received."""
    with app.test_request_context("/", base_url=BASE):
        send_due()
        db.session.commit()
    smtp_sink.wait_for(count)
    return {m["Subject"]: (m["To"], m.get_body(("plain",)).get_content()) for m in smtp_sink.parsed()}


def test_the_captain_is_emailed_once_per_request_and_the_asker_is_told_the_decision(app, team, smtp_sink):
    team_id, bob_page = team
    bob = _as(app, "bob")
    form = f"/fundraise/pages/{bob_page}/team"
    assert _post(bob, f"{form}/join", {"team": str(team_id)}, form).status_code == 302
    assert _post(bob, f"{form}/join", {"team": str(team_id)}, form).status_code in (400, 409)  # already waiting
    [(to, purpose, _key)] = _queued(app, "fundraiser_team_request")
    assert (to, purpose) == ("ann@example.org", "transactional")

    received = _deliver(app, smtp_sink, 1)
    subject = "“Bob dips” asks to join your team “Frozen <Falcons>”"
    assert list(received) == [subject]
    to, body = received[subject]
    assert "ann@example.org" in to
    assert "Bob Smith, the fundraiser of the page “Bob dips”, asks to join" in body
    assert f"{BASE}/fundraise/teams/{team_id}" in body
    assert "bob@example.org" not in body

    # Ann turns Bob away: Bob is told, and Ann is not emailed again.
    ann = _as(app, "ann")
    captain = f"/fundraise/teams/{team_id}"
    assert _post(ann, f"{captain}/turn-away", {"page_id": str(bob_page)}, captain).status_code == 302
    smtp_sink.reset()
    received = _deliver(app, smtp_sink, 1)
    [(subject, (to, body))] = received.items()
    assert subject == "Your request to join the team “Frozen <Falcons>” was declined"
    assert "bob@example.org" in to and f"{BASE}/fundraise/pages/{bob_page}/team" in body

    # Asking again is a new request: the captain hears of it once more; then Bob is let in, and told.
    assert _post(bob, f"{form}/join", {"team": str(team_id)}, form).status_code == 302
    assert len(_queued(app, "fundraiser_team_request")) == 2
    assert _post(ann, f"{captain}/admit", {"page_id": str(bob_page)}, captain).status_code == 302
    smtp_sink.reset()
    received = _deliver(app, smtp_sink, 2)
    assert sorted(received) == [
        "Your page “Bob dips” is now in the team “Frozen <Falcons>”",
        "“Bob dips” asks to join your team “Frozen <Falcons>”",
    ]
    assert f"{BASE}/teams/falcons" in received["Your page “Bob dips” is now in the team “Frozen <Falcons>”"][1]
    keys = [key for _to, _purpose, key in _queued(app, "fundraiser_team_request")]
    assert len(set(keys)) == 2


def test_joining_an_open_team_emails_nobody(app, team):
    team_id, bob_page = team
    with app.app_context():
        db.session.get(Team, team_id).open = True
        db.session.commit()
    bob = _as(app, "bob")
    form = f"/fundraise/pages/{bob_page}/team"
    assert _post(bob, f"{form}/join", {"team": str(team_id)}, form).status_code == 302
    assert _queued(app, "fundraiser_team_request") == []
    assert _queued(app, "fundraiser_team_decision") == []


def test_the_captain_email_is_in_the_captains_language(app, smtp_sink):
    with app.app_context():
        campaign = Campaign(slug="dip", name_en="Polar dip", name_fr="Plongeon polaire")
        db.session.add(campaign)
        db.session.flush()
        ann_page, ann = _fundraiser(campaign, "ann", language="fr")
        bob_page, bob = _fundraiser(campaign, "bob")
        found = _closed_team(campaign, ann_page, ann)
        join_team(bob_page, found, bob)
        db.session.commit()
    [(subject, (_to, body))] = _deliver(app, smtp_sink, 1).items()
    assert subject == "« Bob dips » demande à se joindre à votre équipe « Frozen <Falcons> »"
    assert "Bonjour Ann," in body and f"{BASE}/fundraise/teams/" in body


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


EMAIL_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "p", "br", "a"}


def test_naughty_team_names_and_page_titles_stay_text_in_the_captain_email(app):
    with app.test_request_context("/", base_url=BASE):
        campaign = Campaign(slug="dip", name_en="Polar dip")
        db.session.add(campaign)
        db.session.flush()
        ann_page, ann = _fundraiser(campaign, "ann")
        for n, value in enumerate(SAMPLE):
            line = clean_line(value)  # as the forms keep a title or a name
            team = Team(
                campaign_id=campaign.id,
                slug=f"team-{n}",
                name=line[:100] or f"Team {n}",
                open=False,
                captain_user_id=ann.id,
            )
            db.session.add(team)
            db.session.flush()
            if n == 0:
                ann_page.team, ann_page.team_status = team, "member"
            else:
                # The captain's page is in their first team; each other team gets its own captain page.
                captain_page = FundraiserPage(
                    campaign_id=campaign.id, supporter_id=ann_page.supporter_id, user_id=ann.id,
                    slug=f"ann-{n}", title="Ann dips", goal_cents=50000, status="live", team=team,
                    team_status="member",
                )  # fmt: skip
                db.session.add(captain_page)
            user = create_user(f"asker{n}@example.org", PASSWORD)
            asker = FundraiserPage(
                campaign_id=campaign.id,
                supporter_id=factories.supporter(f"asker{n}@example.org", line[:100]).id,
                user_id=user.id,
                slug=f"asker-{n}",
                title=line[:150] or f"Page {n}",
                goal_cents=50000,
                status="live",
            )
            db.session.add(asker)
            db.session.flush()
            assert join_team(asker, team, user) is False
        db.session.commit()
        emails = db.session.scalars(
            db.select(OutboundEmail).filter_by(template="fundraiser_team_request").order_by(OutboundEmail.id)
        ).all()
        assert len(emails) == len(SAMPLE)
        for email in emails:
            message = build_message(email)
            parser = _Tags()
            parser.feed(message.get_body(("html",)).get_content())
            assert parser.tags <= EMAIL_TAGS, (email.context, parser.tags - EMAIL_TAGS)
            text = " ".join(message.get_body(("plain",)).get_content().split())
            assert " ".join(email.context["member_page_title"].split()) in text, email.context
            assert " ".join(email.context["team_name"].split()) in text, email.context
            assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
            assert f"{BASE}/fundraise/teams/{email.context['team_id']}" in text
            assert "@example.org" not in text

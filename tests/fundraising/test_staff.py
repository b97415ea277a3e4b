"""Staff fundraising screens: campaigns through the form, moderation of pages and reports, lists, access."""

import io

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageFlag
from crm.fundraising.models.campaigns import OCCASION_KINDS
from crm.fundraising.signals import page_decided, page_published
from tests import factories
from tests.catalog.test_images import picture_bytes
from tests.helpers import csrf_token, post_form

NEW = "/staff/fundraising/campaigns/new"
QUEUE = "/staff/fundraising/moderation"


@pytest.fixture
def staff(make_client):
    return make_client("staff")[0]


@pytest.fixture
def sent():
    """Every page_decided and page_published signal, as (name, kwargs)."""
    received = []

    def decided(sender, page, **kwargs):
        received.append(("decided", {**kwargs, "page_id": page.id}))

    def published(sender, page, **kwargs):
        received.append(("published", {**kwargs, "page_id": page.id}))

    page_decided.connect(decided)
    page_published.connect(published)
    yield received
    page_decided.disconnect(decided)
    page_published.disconnect(published)


def campaign_data(**overrides):
    return {
        "slug": "polar-dip-2027",
        "name_en": "Polar dip 2027",
        "name_fr": "Plongeon polaire 2027",
        "description_en": "Jump in.",
        "description_fr": "Plongez.",
        "starts_on": "2027-01-01",
        "ends_on": "2027-02-01",
        "goal": "25000",
        "suggested": "25, 50, 100.50",
        "approve_new_pages": "y",
        "add_occasions": "y",
        **overrides,
    }


def make_page(status="pending", slug="fran-dips", approve_edits=False, **fields):
    campaign = Campaign(slug=f"c-{slug}", name_en="Dip", approve_new_pages=True, approve_edits=approve_edits)
    db.session.add(campaign)
    db.session.flush()
    owner = factories.supporter(f"{slug}@example.org", "Fran")
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=owner.id,
        slug=slug,
        title="Fran dips",
        story="Cold water",
        goal_cents=50000,
        status=status,
        **fields,
    )
    db.session.add(page)
    db.session.commit()
    return page.id


def decide(client, page_id, action, reason=""):
    token = csrf_token(client, f"/staff/fundraising/pages/{page_id}")
    return client.post(f"/staff/fundraising/pages/{page_id}/{action}", data={"csrf_token": token, "reason": reason})


def test_a_campaign_is_created_through_the_form_with_its_occasions_and_image(app, staff):
    data = campaign_data(image=(io.BytesIO(picture_bytes()), "dip.jpg"))
    response = staff.post(NEW, data={**data, "csrf_token": csrf_token(staff, NEW)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        campaign = db.session.scalar(db.select(Campaign))
        assert campaign.slug == "polar-dip-2027" and campaign.name_fr == "Plongeon polaire 2027"
        assert campaign.goal_cents == 2_500_000 and campaign.suggested_amounts == [2500, 5000, 10050]
        assert campaign.approve_new_pages and not campaign.approve_edits
        assert str(campaign.ends_on) == "2027-02-01" and campaign.image_name and campaign.image_width
        assert [occasion.kind for occasion in campaign.occasions] == list(OCCASION_KINDS)
        birthday = campaign.occasions[0]
        assert birthday.title_en == "My birthday for child safety"
        assert birthday.title_fr == "Mon anniversaire pour la sécurité des enfants"
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="fundraising_campaign.create"))
        campaign_id, occasion_id = campaign.id, birthday.id
    edit = f"/staff/fundraising/campaigns/{campaign_id}"
    page = staff.get(edit).get_data(as_text=True)
    assert 'value="25, 50, 100.50"' in page and "My birthday for child safety" in page
    changed = post_form(staff, edit, campaign_data(name_en="Polar dip, 2027", goal="30000", approve_new_pages=""))
    assert changed.status_code == 302
    occasion_url = f"/staff/fundraising/campaigns/{campaign_id}/occasions/{occasion_id}"
    occasion = {"title_en": "Birthday!", "title_fr": "Fête!", "goal": "750", "days": "14", "active": ""}
    assert post_form(staff, occasion_url, occasion).status_code == 302
    assert post_form(staff, occasion_url, {**occasion, "days": "0"}).status_code == 400
    close = f"/staff/fundraising/campaigns/{campaign_id}/close"
    assert staff.post(close, data={"csrf_token": csrf_token(staff, "/staff/fundraising/")}).status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.name_en == "Polar dip, 2027" and campaign.goal_cents == 3_000_000
        assert not campaign.approve_new_pages and campaign.status == "closed"
        assert campaign.occasions[0].title_en == "Birthday!" and campaign.occasions[0].days == 14
        assert not campaign.occasions[0].active and campaign.occasions[0].goal_cents == 75000
    assert staff.get("/staff/fundraising/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name_en": ""}, "Enter the campaign's name in English."),
        ({"goal": "-5"}, "Enter a goal between 0 and 1,000,000."),
        ({"goal": "abc"}, "Enter an amount like 40, 40.50 or 40,50."),
        ({"slug": "Bad Slug!"}, "Use lower-case letters, digits and single hyphens for the address."),
        ({"slug": ""}, "Enter the campaign's address."),
        ({"ends_on": "2026-12-01"}, "The end date cannot be before the start date."),
        ({"starts_on": "2027-13-45"}, "Not a valid date value."),
        ({"suggested": "25, ten"}, "Enter amounts between 1 and 1,000,000, separated by commas."),
    ],
)
def test_bad_campaign_input_is_a_400_with_a_message(app, staff, overrides, message):
    response = post_form(staff, NEW, campaign_data(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0


def test_a_taken_address_is_a_400_next_to_the_field(app, staff):
    assert post_form(staff, NEW, campaign_data()).status_code == 302
    again = post_form(staff, NEW, campaign_data(name_en="Another"))
    assert again.status_code == 400 and "This address is already taken." in again.get_data(as_text=True)


def test_a_pending_page_approved_goes_live_and_is_published(app, staff, sent):
    with app.app_context():
        page_id = make_page()
    assert "Fran dips" in staff.get(QUEUE).get_data(as_text=True)
    assert decide(staff, page_id, "approve").status_code == 302
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "live" and page.published_at is not None
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="page_approved"))
        assert event.target_type == "fundraiser_page" and event.target_id == page_id
    assert [name for name, _ in sent] == ["decided", "published"]
    assert sent[0][1]["decision"] == "approved" and sent[0][1]["page_id"] == page_id
    assert "Fran dips" not in staff.get(QUEUE).get_data(as_text=True)
    # Approving again: the state refuses, a message and a 409, not a 500.
    again = decide(staff, page_id, "approve")
    assert again.status_code == 409 and "cannot be changed that way" in again.get_data(as_text=True)


def test_decline_keeps_the_page_draft_with_the_reason(app, staff, sent):
    with app.app_context():
        page_id = make_page()
    missing = decide(staff, page_id, "decline", "")
    assert missing.status_code == 400 and "Say why" in missing.get_data(as_text=True)
    assert decide(staff, page_id, "decline", "Please add a story").status_code == 302
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "draft" and page.status_reason == "Please add a story"
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="page_declined"))
        assert event.changes["reason"] == "Please add a story"
    assert [(name, kwargs["decision"], kwargs["reason"]) for name, kwargs in sent] == [
        ("decided", "declined", "Please add a story")
    ]


def test_hide_needs_a_reason_and_unhide_puts_the_page_back(app, staff, sent):
    with app.app_context():
        page_id = make_page("live")
    assert decide(staff, page_id, "hide", "").status_code == 400
    assert decide(staff, page_id, "hide", "Hateful words").status_code == 302
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "hidden" and page.status_reason == "Hateful words"
    assert decide(staff, page_id, "hide", "Again").status_code == 409
    assert decide(staff, page_id, "unhide").status_code == 302
    with app.app_context():
        assert db.session.get(FundraiserPage, page_id).status == "live"
        actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["page_hidden", "page_unhidden"]
    assert [kwargs["decision"] for _, kwargs in sent] == ["hidden", "unhidden"]


def test_proposed_edits_of_a_live_page_are_shown_and_applied_or_dropped(app, staff, sent):
    with app.app_context():
        page_id = make_page("live", approve_edits=True, published_at=factories.T0)
        page = db.session.get(FundraiserPage, page_id)
        assert page.edit({"title": "Fran dips twice", "story": "Colder water"})
        other_id = make_page("live", slug="other", approve_edits=True, published_at=factories.T0)
        db.session.get(FundraiserPage, other_id).edit({"title": "Spam title"})
        db.session.commit()
    queue = staff.get(QUEUE).get_data(as_text=True)
    assert "Fran dips" in queue and "Changes to a live page" in queue
    shown = staff.get(f"/staff/fundraising/pages/{page_id}").get_data(as_text=True)
    assert "Fran dips twice" in shown and "Colder water" in shown and "Approve the changes" in shown
    assert decide(staff, page_id, "approve").status_code == 302
    assert decide(staff, other_id, "decline", "No spam").status_code == 302
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.title == "Fran dips twice" and page.story == "Colder water" and page.proposed == {}
        other = db.session.get(FundraiserPage, other_id)
        assert other.title == "Fran dips" and other.proposed == {} and other.status == "live"
    assert [kwargs["decision"] for _, kwargs in sent] == ["edits_approved", "edits_declined"]  # no published
    assert "Nothing is waiting" in staff.get(QUEUE).get_data(as_text=True)


def test_a_report_is_dismissed_or_acted_on(app, staff):
    with app.app_context():
        page_id = make_page("live")
        first = PageFlag(page_id=page_id, reason="spam", details="Looks like spam")
        second = PageFlag(page_id=page_id, reason="hate")
        db.session.add_all([first, second])
        db.session.commit()
        first_id, second_id = first.id, second.id
    listing = staff.get("/staff/fundraising/flags").get_data(as_text=True)
    assert "Looks like spam" in listing
    token = csrf_token(staff, "/staff/fundraising/flags")
    dismissed = staff.post(f"/staff/fundraising/flags/{first_id}/dismiss", data={"csrf_token": token})
    assert dismissed.status_code == 302
    no_reason = staff.post(f"/staff/fundraising/flags/{second_id}/act", data={"csrf_token": token, "reason": ""})
    assert no_reason.status_code == 400
    acted = f"/staff/fundraising/flags/{second_id}/act"
    assert staff.post(acted, data={"csrf_token": token, "reason": "Hate speech"}).status_code == 302
    assert staff.post(acted, data={"csrf_token": token, "reason": "Again"}).status_code == 409
    with app.app_context():
        assert db.session.get(PageFlag, first_id).status == "dismissed"
        flag = db.session.get(PageFlag, second_id)
        assert flag.status == "acted" and flag.decided_at is not None
        assert db.session.get(FundraiserPage, page_id).status == "hidden"
        actions = set(db.session.scalars(db.select(AuditEvent.action)).all())
        assert {"page_flag_dismissed", "page_flag_acted", "page_hidden"} <= actions
    assert "No reports to look at." in staff.get("/staff/fundraising/flags").get_data(as_text=True)


def test_the_pages_list_searches_filters_and_exports(app, staff):
    with app.app_context():
        first = make_page("live", slug="alpha-run")
        make_page("draft", slug="beta-walk")
        factories.team_of(db.session.get(FundraiserPage, first), "the-otters", "The Otters")
        db.session.commit()
    listing = staff.get("/staff/fundraising/pages/", query_string={"q": "alpha"}).get_data(as_text=True)
    assert "alpha-run" in listing and "beta-walk" not in listing and "Showing 1 to 1 of 1 pages" in listing
    by_email = staff.get("/staff/fundraising/pages/", query_string={"q": "beta-walk@example"}).get_data(as_text=True)
    assert "beta-walk" in by_email and "alpha-run" not in by_email
    by_status = staff.get("/staff/fundraising/pages/", query_string={"status": "draft"}).get_data(as_text=True)
    assert "beta-walk" in by_status and "alpha-run" not in by_status
    assert staff.get("/staff/fundraising/pages/", query_string={"status": "<script>"}).status_code == 400
    export = staff.get("/staff/fundraising/pages/export.csv", query_string={"status": "live"})
    text = export.get_data(as_text=True)
    assert export.headers["Cache-Control"] == "no-store"
    assert "alpha-run" in text and "beta-walk" not in text and "alpha-run@example.org" in text
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="export"))
        assert event.target_type == "fundraiser_page" and event.changes == {"filter": {"status": "live"}}
    teams = staff.get("/staff/fundraising/teams/", query_string={"q": "otter"}).get_data(as_text=True)
    assert "The Otters" in teams and "Showing 1 to 1 of 1 teams" in teams
    assert "No teams match." in staff.get("/staff/fundraising/teams/", query_string={"q": "zz"}).get_data(as_text=True)


STAFF_GETS = [
    "/staff/fundraising/",
    NEW,
    QUEUE,
    "/staff/fundraising/flags",
    "/staff/fundraising/pages/",
    "/staff/fundraising/pages/export.csv",
    "/staff/fundraising/teams/",
]


def test_fundraisers_get_403_and_visitors_log_in_on_every_staff_route(app, client, make_client):
    with app.app_context():
        page_id = make_page()
    fundraiser = make_client("fundraiser")[0]
    posts = [NEW, f"/staff/fundraising/pages/{page_id}/approve", f"/staff/fundraising/pages/{page_id}/hide"]
    for url in [*STAFF_GETS, f"/staff/fundraising/pages/{page_id}"]:
        assert fundraiser.get(url).status_code == 403, url
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"], url
    for url in posts:
        assert fundraiser.post(url, data={"reason": "x"}).status_code in (400, 403), url
        assert client.post(url, data={"reason": "x"}).status_code in (302, 400), url


def test_marketing_reads_the_lists_but_cannot_change_anything(app, make_client):
    with app.app_context():
        page_id = make_page()
    marketing = make_client("marketing")[0]
    for url in [QUEUE, "/staff/fundraising/", "/staff/fundraising/pages/", f"/staff/fundraising/pages/{page_id}"]:
        assert marketing.get(url).status_code == 200, url
    assert "Approve the page" not in marketing.get(f"/staff/fundraising/pages/{page_id}").get_data(as_text=True)
    token = csrf_token(marketing, "/newsletter")
    assert marketing.get(NEW).status_code == 403
    for action in ("approve", "decline", "hide"):
        url = f"/staff/fundraising/pages/{page_id}/{action}"
        assert marketing.post(url, data={"csrf_token": token, "reason": "no"}).status_code == 403
    assert marketing.post(NEW, data={**campaign_data(), "csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(FundraiserPage, page_id).status == "pending"
        assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 1

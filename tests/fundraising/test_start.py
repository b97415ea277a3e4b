"""Starting a page: sign up with a name, pick a campaign's occasion, get a written draft; edit it, publish it."""

import io
from datetime import timedelta
from pathlib import Path

import pytest

from crm.accounts.models import User
from crm.accounts.services import make_signup_token
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, Occasion
from crm.fundraising.services.pages import new_page_slug
from crm.fundraising.signals import page_closed, page_published, page_started
from crm.mail.models import Enrolment, OutboundEmail
from crm.mail.services.sequences import advance_sequences
from crm.payments.services.receipts import local_date
from crm.supporters.models import ConsentRecord, Supporter
from crm.supporters.services.consent import may_email
from crm.supporters.wording import consent_wording
from crm.utc import utcnow
from tests import factories
from tests.blns import SAMPLE
from tests.catalog.test_images import gps_exif, picture_bytes
from tests.helpers import csrf_token, post_form, session_data

START = "/fundraise/start"
PASSWORD = "a long enough one"


def make_campaign(slug="diy", approve_new_pages=False, approve_edits=False, status="open", **fields):
    """A campaign offering a birthday (500 $, 30 days) and an inactive polar dip; return its and the birthday's ids."""
    campaign = Campaign(
        slug=slug,
        name_en=f"Campaign {slug}",
        name_fr=f"Campagne {slug}",
        approve_new_pages=approve_new_pages,
        approve_edits=approve_edits,
        status=status,
        **fields,
    )
    birthday = Occasion(
        kind="birthday",
        title_en="My birthday for child safety",
        title_fr="Mon anniversaire pour la sécurité des enfants",
        story_en="Instead of gifts, **help** keep children safe.",
        story_fr="Au lieu de cadeaux, **aidez** à protéger les enfants.",
        goal_cents=40000,
        days=30,
        position=1,
    )
    dip = Occasion(kind="polar_dip", title_en="I dip", goal_cents=90000, position=2, active=False)
    campaign.occasions.extend([birthday, dip])
    db.session.add(campaign)
    db.session.commit()
    return campaign.id, birthday.id


@pytest.fixture
def announced():
    """The page_started, page_published and page_closed signals sent, as (name, page id)."""
    received = []
    receivers = {
        "started": lambda sender, page=None, **kw: received.append(("started", page.id)),
        "published": lambda sender, page=None, **kw: received.append(("published", page.id)),
        "closed": lambda sender, page=None, **kw: received.append(("closed", page.id)),
    }
    page_started.connect(receivers["started"])
    page_published.connect(receivers["published"])
    page_closed.connect(receivers["closed"])
    yield received
    page_started.disconnect(receivers["started"])
    page_published.disconnect(receivers["published"])
    page_closed.disconnect(receivers["closed"])


@pytest.fixture
def fundraiser(app, make_client):
    """A logged-in fundraiser, known as a supporter by name; (client, user)."""
    client, user = make_client("fundraiser", email="jordan@example.org")
    with app.app_context():
        factories.supporter("jordan@example.org", "Jordan", "Lee")
        db.session.commit()
    return client, user


def start(client, occasion_id, **extra):
    return post_form(client, START, {"occasion": str(occasion_id), **extra})


def act(client, page_id, action, **kwargs):
    """Press the page's submit, close or reopen button (its CSRF token from the page's dashboard)."""
    token = csrf_token(client, f"/fundraise/pages/{page_id}")
    return client.post(f"/fundraise/pages/{page_id}/{action}", data={"csrf_token": token}, **kwargs)


def only_page():
    return db.session.scalar(db.select(FundraiserPage))


# --- sign-up ------------------------------------------------------------------------------------------


def test_signing_up_asks_a_name_makes_the_supporter_and_comes_back_to_the_start(app, client):
    response = client.get(START)
    assert response.status_code == 302 and "/account/login?next=%2Ffundraise%2Fstart" in response.headers["Location"]
    login = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/account/signup?next=/fundraise/start"' in login

    signup = "/account/signup?next=/fundraise/start"
    assert post_form(client, signup, {"email": "New.Person@Example.org"}).status_code == 302
    assert session_data(client)["signup_next"] == "/fundraise/start"
    with app.app_context():
        factories.supporter("new.person@example.org", "", "", language="en")  # known from the newsletter
        db.session.commit()
        link = f"/account/signup/{make_signup_token('new.person@example.org')}"

    nameless = post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD})
    html = nameless.get_data(as_text=True)
    assert nameless.status_code == 400
    assert 'id="first_name-error"' in html and "Enter your first name." in html and "Enter your last name." in html

    named = {"first_name": " Ana ", "last_name": "Tremblay", "password": PASSWORD, "confirm": PASSWORD}
    response = post_form(client, link, named)
    assert response.status_code == 302 and response.headers["Location"] == START
    with app.app_context():
        (person,) = db.session.scalars(db.select(Supporter)).all()
        assert (person.email, person.first_name, person.last_name) == ("new.person@example.org", "Ana", "Tremblay")
        assert db.session.scalar(db.select(User.role)) == "fundraiser"
    assert client.get(START).status_code == 200


def test_an_outside_next_is_ignored_and_a_long_name_refused(app, client):
    with app.app_context():
        link = f"/account/signup/{make_signup_token('far@example.org')}"
    too_long = {"first_name": "A" * 101, "last_name": "B", "password": PASSWORD, "confirm": PASSWORD}
    assert post_form(client, link, too_long).status_code == 400
    fine = {**too_long, "first_name": "Ana"}
    response = post_form(client, f"{link}?next=https://evil.example/", fine)
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- the start form -------------------------------------------------------------------------------------


def test_a_chosen_occasion_makes_a_written_draft(app, fundraiser, announced):
    client, user = fundraiser
    with app.app_context():
        _campaign_id, birthday_id = make_campaign()
    form = client.get(START).get_data(as_text=True)
    assert "Birthday" in form and "$400.00" in form
    assert "Polar dip" not in form, "an inactive occasion is not offered"
    assert 'type="checkbox"' in form and "checked" not in form.split('name="consent"')[1].split(">")[0]

    response = start(client, birthday_id)
    with app.app_context():
        page = only_page()
        assert response.status_code == 302 and response.headers["Location"] == f"/fundraise/pages/{page.id}/edit"
        assert (page.status, page.title, page.goal_cents, page.language) == (
            "draft",
            "My birthday for child safety",
            40000,
            "en",
        )
        assert page.story.startswith("Instead of gifts")
        assert page.event_on == local_date(utcnow()) + timedelta(days=30)
        assert page.slug == "my-birthday-for-child-safety-jordan-lee"
        assert page.user_id == user.id and page.supporter.email == "jordan@example.org"
        assert db.session.scalar(db.select(db.func.count()).select_from(ConsentRecord)) == 0
        assert not may_email(page.supporter, "fundraiser_tips")
        assert announced == [("started", page.id)]

    again = start(client, birthday_id)
    assert again.status_code == 302
    with app.app_context():
        slugs = sorted(db.session.scalars(db.select(FundraiserPage.slug)))
        assert slugs == ["my-birthday-for-child-safety-jordan-lee", "my-birthday-for-child-safety-jordan-lee-2"]


def test_the_draft_is_written_in_french_for_a_french_reader(app, fundraiser):
    client, _user = fundraiser
    with app.app_context():
        _campaign_id, birthday_id = make_campaign()
    client.get("/language/fr?next=/")
    form = client.get(START).get_data(as_text=True)
    assert "Campagne diy" in form and "400,00\xa0$" in form
    start(client, birthday_id)
    with app.app_context():
        page = only_page()
        assert (page.title, page.language) == ("Mon anniversaire pour la sécurité des enfants", "fr")
        assert page.slug == "mon-anniversaire-pour-la-securite-des-enfants-jordan-lee"


def test_tips_are_consented_to_only_with_the_box_ticked(app, fundraiser):
    client, _user = fundraiser
    with app.app_context():
        _campaign_id, birthday_id = make_campaign()
        text, version = consent_wording("fundraiser_tips", "en")
    start(client, birthday_id, consent="y", wording_version=version)
    with app.app_context():
        (record,) = db.session.scalars(db.select(ConsentRecord)).all()
        assert (record.purpose, record.basis, record.form) == ("fundraiser_tips", "express", "fundraiser_start")
        assert record.wording == text and record.wording_version == version
        assert may_email(only_page().supporter, "fundraiser_tips")


def test_a_closed_campaign_refuses_a_new_page_with_a_message(app, fundraiser):
    client, _user = fundraiser
    with app.app_context():
        campaign_id, birthday_id = make_campaign()
    token = csrf_token(client, START)
    with app.app_context():
        db.session.get(Campaign, campaign_id).close()
        db.session.commit()
    response = client.post(START, data={"occasion": str(birthday_id), "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This campaign no longer takes new pages. Choose another one." in html
    with app.app_context():
        assert only_page() is None
    empty = client.get(START).get_data(as_text=True)
    assert "No campaign takes new pages right now." in empty
    asked = client.get(f"{START}?campaign=diy", follow_redirects=True).get_data(as_text=True)
    assert "That campaign does not take new pages now." in asked


def test_an_ended_campaign_is_not_offered_and_a_made_up_occasion_is_refused(app, fundraiser):
    client, _user = fundraiser
    with app.app_context():
        make_campaign("ended", ends_on=local_date(utcnow()) - timedelta(days=1))
        make_campaign("open-one")
    form = client.get(START).get_data(as_text=True)
    assert "Campaign open-one" in form and "Campaign ended" not in form
    for bad in ("", "999999", "abc", "1" * 30, "\x00"):
        response = start(client, bad)
        assert response.status_code == 400 and "Choose what your fundraiser is for." in response.get_data(as_text=True)
    with app.app_context():
        assert only_page() is None


# --- editing --------------------------------------------------------------------------------------------


def started_page(app, client, **campaign):
    with app.app_context():
        _campaign_id, birthday_id = make_campaign(**campaign)
    start(client, birthday_id)
    with app.app_context():
        return only_page().id


def edit_data(**overrides):
    return {
        "title": "Jordan turns 40",
        "story": "I am **40**.",
        "goal": "750,50",
        "event_on": "2027-05-01",
        "slug": "jordan-turns-40",
        **overrides,
    }


def test_the_fundraiser_edits_their_draft_and_uploads_a_photo(app, fundraiser):
    client, _user = fundraiser
    page_id = started_page(app, client)
    url = f"/fundraise/pages/{page_id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="400"' in form and "Markdown" in form and 'enctype="multipart/form-data"' in form
    assert 'href="/fundraisers/my-birthday-for-child-safety-jordan-lee"' in form, "the preview link"

    photo = (io.BytesIO(picture_bytes(exif=gps_exif())), "me.jpg")
    data = {**edit_data(), "photo": photo, "csrf_token": csrf_token(client, url)}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == f"/fundraise/pages/{page_id}"
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert (page.title, page.story, page.goal_cents, str(page.event_on), page.slug) == (
            "Jordan turns 40",
            "I am **40**.",
            75050,
            "2027-05-01",
            "jordan-turns-40",
        )
        stored = Path(app.config["MEDIA_ROOT"]) / "fundraising" / page.photo_name
        assert stored.exists() and b"PhoneMaker" not in stored.read_bytes(), "re-encoded without its EXIF"
        assert page.photo_height == 400, "turned upright"
    assert "<strong>40</strong>" in client.get("/fundraisers/jordan-turns-40").get_data(as_text=True)


def test_bad_edits_say_why_and_change_nothing(app, fundraiser, make_user):
    client, _user = fundraiser
    page_id = started_page(app, client)
    with app.app_context():
        other = db.session.get(FundraiserPage, page_id)
        taken = FundraiserPage(
            campaign_id=other.campaign_id,
            supporter_id=other.supporter_id,
            slug="taken-address",
            title="Someone's",
            goal_cents=100,
        )
        db.session.add(taken)
        db.session.commit()
    url = f"/fundraise/pages/{page_id}/edit"
    cases = {
        "goal": ("forty", "Enter an amount like 40, 40.50 or 40,50."),
        "slug": ("taken-address", "Another page already uses this address. Choose another one."),
    }
    for name, (value, message) in cases.items():
        response = post_form(client, url, edit_data(**{name: value}))
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, name
        assert f'id="{name}-error"' in html and "Jordan turns 40" in html, "what was typed is still there"
    for value in ("Not A Slug", "a--b", "-x", "x" * 101):
        response = post_form(client, url, edit_data(slug=value))
        assert response.status_code == 400, value
    response = post_form(client, url, edit_data(goal="0"))
    assert response.status_code == 400 and "Enter a goal between 1 and 1,000,000." in response.get_data(as_text=True)
    response = post_form(client, url, edit_data(event_on="1800-01-01"))
    assert response.status_code == 400
    bad_photo = {**edit_data(), "photo": (io.BytesIO(b"not a picture"), "x.jpg")}
    bad_photo["csrf_token"] = csrf_token(client, url)
    response = client.post(url, data=bad_photo, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="photo-error"' in response.get_data(as_text=True)
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert (page.title, page.goal_cents, page.photo_name) == ("My birthday for child safety", 40000, "")
        assert not list((Path(app.config["MEDIA_ROOT"]) / "fundraising").glob("*"))


def test_an_edit_to_a_live_page_waits_where_the_campaign_approves_edits(app, fundraiser):
    client, _user = fundraiser
    page_id = started_page(app, client, approve_edits=True)
    act(client, page_id, "submit")
    response = post_form(client, f"/fundraise/pages/{page_id}/edit", edit_data(), follow_redirects=True)
    assert "wait for approval" in response.get_data(as_text=True)
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "live" and page.title == "My birthday for child safety"
        assert page.proposed == {"title": "Jordan turns 40", "story": "I am **40**."}
        assert (page.goal_cents, page.slug) == (75050, "jordan-turns-40"), "the goal and address change at once"
    form = client.get(f"/fundraise/pages/{page_id}/edit").get_data(as_text=True)
    assert 'value="Jordan turns 40"' in form, "the form shows the waiting text"


# --- publishing -----------------------------------------------------------------------------------------


def test_publishing_goes_live_and_starts_the_coaching_for_someone_who_ticked_the_box(app, fundraiser, announced):
    client, _user = fundraiser
    with app.app_context():
        _campaign_id, birthday_id = make_campaign()
        _text, version = consent_wording("fundraiser_tips", "en")
    start(client, birthday_id, consent="y", wording_version=version)
    with app.app_context():
        page_id = only_page().id
    response = act(client, page_id, "submit", follow_redirects=True)
    assert "Your page is live: share it!" in response.get_data(as_text=True)
    assert ("published", page_id) in announced
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "live" and page.published_at is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 1
        advance_sequences()
        templates = set(db.session.scalars(db.select(OutboundEmail.template)))
        assert "fundraiser_coaching_welcome" in templates

    again = act(client, page_id, "submit")
    assert again.status_code == 409 and "This page cannot do that now" in again.get_data(as_text=True)

    closed = act(client, page_id, "close", follow_redirects=True)
    assert "Your page is closed" in closed.get_data(as_text=True)
    assert ("closed", page_id) in announced
    assert client.get("/fundraisers/my-birthday-for-child-safety-jordan-lee").status_code == 200
    act(client, page_id, "reopen")
    with app.app_context():
        assert db.session.get(FundraiserPage, page_id).status == "live"


def test_without_the_box_no_coaching_email_goes(app, fundraiser):
    client, _user = fundraiser
    page_id = started_page(app, client)
    act(client, page_id, "submit")
    with app.app_context():
        advance_sequences()
        templates = set(db.session.scalars(db.select(OutboundEmail.template)))
        assert not any(name.startswith("fundraiser_coaching") for name in templates)


def test_a_campaign_that_approves_new_pages_keeps_them_pending(app, fundraiser, announced):
    client, _user = fundraiser
    page_id = started_page(app, client, approve_new_pages=True)
    response = act(client, page_id, "submit", follow_redirects=True)
    assert "Staff look at every new page" in response.get_data(as_text=True)
    assert ("published", page_id) not in announced
    with app.app_context():
        assert db.session.get(FundraiserPage, page_id).status == "pending"
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0
    assert client.get("/fundraisers/my-birthday-for-child-safety-jordan-lee").status_code == 200, "its owner sees it"

    act(client, page_id, "close")
    reopened = act(client, page_id, "reopen")
    assert reopened.status_code == 409 and "never published" in reopened.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(FundraiserPage, page_id).status == "closed", "never live without its approval"


def test_nobody_else_can_touch_the_page(app, fundraiser, make_client):
    client, _user = fundraiser
    page_id = started_page(app, client)
    other, _ = make_client("fundraiser")
    staff, _ = make_client("staff")
    base = f"/fundraise/pages/{page_id}"
    token = csrf_token(other, START)
    for url in (base, f"{base}/edit", f"{base}/donors.csv"):
        assert other.get(url).status_code == 404, url
    for action in ("edit", "submit", "close", "reopen"):
        response = other.post(f"{base}/{action}", data={**edit_data(), "csrf_token": token})
        assert response.status_code == 404, action
    assert staff.get(base).status_code == 200 and staff.get(f"{base}/donors.csv").status_code == 200
    assert staff.post(f"{base}/submit", data={"csrf_token": csrf_token(staff, START)}).status_code == 404
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert (page.status, page.title) == ("draft", "My birthday for child safety")


def test_naughty_strings_in_the_edit_form_get_an_answer_never_a_500(app, fundraiser):
    client, _user = fundraiser
    page_id = started_page(app, client)
    url = f"/fundraise/pages/{page_id}/edit"
    token = csrf_token(client, url)
    for name in ("title", "story", "goal", "event_on", "slug"):
        for value in SAMPLE:
            response = client.post(url, data={**edit_data(slug=f"page-{page_id}"), name: value, "csrf_token": token})
            assert response.status_code in (302, 400), (name, value, response.status_code)
    for value in SAMPLE:
        assert start(client, value).status_code in (302, 400), value
    page_html = client.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert "<script>alert" not in page_html


def test_the_event_emails_follow_a_moved_date_and_a_reopened_page(app, fundraiser):
    client, _user = fundraiser
    page_id = started_page(app, client)
    act(client, page_id, "submit")

    def planned():
        with app.app_context():
            query = db.select(OutboundEmail.template, OutboundEmail.due_at).where(
                OutboundEmail.status == "queued", OutboundEmail.template.like("fundraiser_event_%")
            )
            return {template: due.date() for template, due in db.session.execute(query)}

    first = planned()["fundraiser_event_soon"]
    with app.app_context():
        later = local_date(utcnow()) + timedelta(days=60)
    post_form(client, f"/fundraise/pages/{page_id}/edit", edit_data(event_on=later.isoformat()))
    assert planned()["fundraiser_event_soon"] == later - timedelta(days=7) != first
    act(client, page_id, "close")
    assert planned() == {}
    act(client, page_id, "reopen")
    assert planned()["fundraiser_event_after"] == later + timedelta(days=1)


def test_a_long_title_still_leaves_room_for_the_name_in_the_address():
    slug = new_page_slug("Je plonge dans l'eau glacée pour la sécurité des enfants du Québec", "Léa Tremblay")
    assert slug == "je-plonge-dans-l-eau-glacee-pour-la-securite-lea-tremblay"
    assert len(slug) <= 60 and new_page_slug("¡¿!", "") == "my-fundraiser"

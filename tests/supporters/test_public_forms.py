"""The public forms through the app: records, consent proof, source, spam checks, limits, the guide."""

import html
import re
from datetime import date, timedelta

import pytest

from crm.extensions import db
from crm.supporters import spam
from crm.supporters.guide import GUIDE
from crm.supporters.models import Activity, ConsentRecord, Inquiry, Signup, Supporter
from crm.supporters.services.newsletter import make_confirmation_token
from crm.supporters.signals import inquiry_received, signed_up
from crm.supporters.wording import consent_wording
from crm.utc import utcnow

HIDDEN_RE = re.compile(r'<input [^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"

NEWSLETTER = {"email": "ana@example.org", "first_name": "Ana", "language": "en", "consent": "y"}
FUNDRAISER = {
    "first_name": "Bea",
    "last_name": "Tremblay",
    "email": "bea@example.org",
    "phone": "514 555 0199",
    "event_kind": "polar_dip",
    "planned_on": "2027-01-01",
    "message": "Our team jumps in the lake.\r\nWe hope to raise $2,000.",
}
MEDIA = {
    "name": "Chloé Martin Roy",
    "outlet": "Le Devoir",
    "email": "chloe@example.org",
    "phone": "+1 438 555 0100",
    "deadline": "2026-12-15",
    "topic": "Sextortion of teenagers",
    "message": "Could someone speak to us on Friday?",
}
EVENTS = {
    "name": "Dev Patel",
    "email": "dev@example.org",
    "topic": "partnership or sponsorship",
    "message": "Our company would like to sponsor the polar dip.",
}
FORMS = {
    "/newsletter": NEWSLETTER,
    "/fundraise/learn-more": FUNDRAISER,
    "/contact/media": MEDIA,
    "/contact/events": EVENTS,
}


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0)


def hidden_fields(client, url):
    """GET the form at `url`; return its hidden fields (CSRF token, signed start time, wording version)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return {name: html.unescape(value) for name, value in HIDDEN_RE.findall(response.get_data(as_text=True))}


def submit(client, url, data, **kwargs):
    path = url.split("?")[0]
    return client.post(path, data={**hidden_fields(client, url), **data}, headers={"User-Agent": BROWSER}, **kwargs)


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def one(app, model, **filters):
    with app.app_context():
        row = db.session.scalars(db.select(model).filter_by(**filters)).one()
        db.session.expunge(row)
        return row


def rows(app, model, **filters):
    with app.app_context():
        found = db.session.scalars(db.select(model).filter_by(**filters).order_by(model.id)).all()
        for row in found:
            db.session.expunge(row)
        return found


# --- newsletter --------------------------------------------------------------------------------


def test_newsletter_signup_records_person_signup_express_consent_activity_and_source(app, client):
    client.get(
        "/?src=spring-mailing&utm_source=mailchimp&utm_medium=email&utm_campaign=spring",
        headers={"Referer": "https://news.example/story"},
    )
    response = submit(client, "/newsletter", {**NEWSLETTER, "email": " Ana@Example.org "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/newsletter/thanks"
    assert "Thank you for signing up" in client.get("/newsletter/thanks").get_data(as_text=True)

    supporter = one(app, Supporter, email="ana@example.org")
    assert (supporter.first_name, supporter.language, supporter.source) == ("Ana", "en", "spring-mailing")
    signup = one(app, Signup, supporter_id=supporter.id)
    assert (signup.form, signup.language) == ("newsletter", "en")
    assert (signup.source, signup.utm_source, signup.utm_medium, signup.utm_campaign) == (
        "spring-mailing",
        "mailchimp",
        "email",
        "spring",
    )
    assert signup.landing_page == "/"
    assert signup.referrer == "https://news.example/story"

    # Double opt-in: the ticked box is held on the signup until the emailed link is followed.
    text, version = consent_wording("newsletter", "en")
    assert (signup.consent_wording, signup.consent_version) == (text, version)
    assert (signup.consent_ip, signup.consent_user_agent, signup.confirmed_at) == ("127.0.0.1", BROWSER, None)
    assert count(app, ConsentRecord) == 0

    with app.app_context():
        token = make_confirmation_token(signup.id)
    assert client.get(f"/preferences/confirm/{token}").status_code == 200
    assert count(app, ConsentRecord) == 0, "a GET (link scanner) confirms nothing"
    page = client.get(f"/preferences/confirm/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert "Your subscription is confirmed" in client.post(
        f"/preferences/confirm/{token}", data={"csrf_token": csrf}
    ).get_data(as_text=True)

    record = one(app, ConsentRecord, supporter_id=supporter.id)
    assert (record.purpose, record.action, record.basis) == ("newsletter", "grant", "express")
    assert (record.wording, record.wording_version) == (text, version)
    assert (record.form, record.language, record.ip_address) == ("newsletter + email confirmation", "en", "127.0.0.1")
    assert record.user_agent == BROWSER
    assert record.expires_at is None
    assert one(app, Signup, supporter_id=supporter.id).confirmed_at is not None

    kinds = [activity.kind for activity in rows(app, Activity, supporter_id=supporter.id)]
    assert "signup" in kinds and "consent" in kinds


def test_newsletter_in_french_shows_and_records_the_french_wording(app, client):
    client.get("/language/fr")
    page = client.get("/newsletter").get_data(as_text=True)
    text, version = consent_wording("newsletter", "fr")
    assert '<html lang="fr">' in page
    assert html.escape(text, quote=False) in page
    assert '<option lang="fr" selected value="fr">' in page, "the preferred language defaults to the page's"
    response = submit(client, "/newsletter", {**NEWSLETTER, "language": "fr"})
    assert response.status_code == 302
    supporter = one(app, Supporter, email="ana@example.org")
    assert supporter.language == "fr"
    signup = one(app, Signup, supporter_id=supporter.id)
    assert (signup.consent_wording, signup.consent_version, signup.language) == (text, version, "fr")


def test_newsletter_box_starts_unticked_and_is_required(app, client):
    page = client.get("/newsletter").get_data(as_text=True)
    box = re.search(r'<input [^>]*name="consent"[^>]*>', page).group(0)
    assert "checked" not in box
    data = {key: value for key, value in NEWSLETTER.items() if key != "consent"}
    response = submit(client, "/newsletter", data)
    assert response.status_code == 400
    assert "Tick the box to confirm you want our emails" in response.get_data(as_text=True)
    assert count(app, Supporter) == 0
    assert count(app, ConsentRecord) == 0


def test_a_changed_wording_version_is_never_recorded_as_shown(app, client):
    response = submit(client, "/newsletter", {**NEWSLETTER, "wording_version": "1999-01-v0"})
    assert response.status_code == 400
    assert "The wording of this box has changed" in response.get_data(as_text=True)
    assert count(app, ConsentRecord) == 0


def test_signing_up_again_the_same_day_queues_no_second_confirmation(app, client):
    from crm.mail.models import OutboundEmail

    for typed in ("ana@example.org", "Ana@Example.org", "ana@example.org "):
        assert submit(client, "/newsletter", {**NEWSLETTER, "email": typed}).status_code == 302
    assert len(rows(app, Signup)) == 3, "each signup is still recorded"
    assert [e.template for e in rows(app, OutboundEmail)] == ["newsletter_confirm"]


def test_same_person_typed_two_ways_is_one_supporter(app, client):
    submit(client, "/newsletter", {**NEWSLETTER, "email": "Ana@Example.org "})
    submit(client, "/fundraise/learn-more", {**FUNDRAISER, "email": "ana@example.org", "first_name": "Anna"})
    assert count(app, Supporter) == 1
    supporter = one(app, Supporter, email="ana@example.org")
    assert supporter.first_name == "Ana", "a known name is never overwritten"
    assert supporter.last_name == "Tremblay", "a blank is filled"
    assert [s.form for s in rows(app, Signup, supporter_id=supporter.id)] == ["newsletter", "fundraiser_interest"]
    activity = rows(app, Activity, supporter_id=supporter.id, kind="signup")[-1]
    assert activity.details["conflicts"] == {"first_name": ["Ana", "Anna"]}


# --- fundraiser interest -----------------------------------------------------------------------


def test_fundraiser_interest_records_signup_and_implied_tips_consent(app, client):
    client.get("/fundraise/learn-more?src=polar-poster&utm_campaign=polar-dip-2027")
    response = submit(client, "/fundraise/learn-more", FUNDRAISER)
    assert response.status_code == 302
    assert response.headers["Location"] == "/fundraise/learn-more/thanks"

    supporter = one(app, Supporter, email="bea@example.org")
    assert (supporter.first_name, supporter.last_name, supporter.phone) == ("Bea", "Tremblay", "514 555 0199")
    assert supporter.source == "polar-poster"
    signup = one(app, Signup, supporter_id=supporter.id)
    assert (signup.form, signup.event_kind, signup.planned_on) == ("fundraiser_interest", "polar_dip", date(2027, 1, 1))
    assert signup.message == "Our team jumps in the lake.\nWe hope to raise $2,000."
    assert (signup.source, signup.utm_campaign, signup.landing_page) == (
        "polar-poster",
        "polar-dip-2027",
        "/fundraise/learn-more",
    )

    [tips] = rows(app, ConsentRecord, supporter_id=supporter.id)
    assert (tips.purpose, tips.basis, tips.form) == ("fundraiser_tips", "implied_inquiry", "fundraiser_interest")
    assert timedelta(days=180) <= tips.expires_at - tips.created_at <= timedelta(days=184)
    activity = one(app, Activity, supporter_id=supporter.id, kind="signup")
    assert activity.details["event_kind"] == "polar_dip"


def test_fundraiser_interest_newsletter_box_is_optional_and_recorded_when_ticked(app, client):
    page = client.get("/fundraise/learn-more").get_data(as_text=True)
    text, version = consent_wording("newsletter", "en")
    assert html.escape(text, quote=False) in page
    assert "checked" not in re.search(r'<input [^>]*name="consent"[^>]*>', page).group(0)
    submit(client, "/fundraise/learn-more", {**FUNDRAISER, "consent": "y"})
    supporter = one(app, Supporter, email="bea@example.org")
    records = {r.purpose: r for r in rows(app, ConsentRecord, supporter_id=supporter.id)}
    assert set(records) == {"fundraiser_tips"}, "the newsletter waits for the emailed confirmation"
    signup = one(app, Signup, supporter_id=supporter.id)
    assert (signup.consent_wording, signup.consent_version) == (text, version)


def test_fundraiser_thanks_page_points_to_the_guide(client):
    page = client.get("/fundraise/learn-more/thanks").get_data(as_text=True)
    assert "Thank you for signing up to learn more about starting a fundraiser. We will be in touch soon!" in page
    assert "take a look at our free guide: 25 Tips for the Novice Fundraiser." in page
    assert 'href="/guide"' in page
    assert 'href="/guide.pdf?lang=en"' in page


def test_fundraiser_form_explains_what_is_missing(app, client):
    response = submit(client, "/fundraise/learn-more", {**FUNDRAISER, "event_kind": "", "planned_on": "soon"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Choose the kind of event." in body
    assert 'aria-invalid="true"' in body
    assert count(app, Signup) == 0


# --- inquiries ---------------------------------------------------------------------------------


def test_media_inquiry_is_recorded_for_staff(app, client):
    client.get("/contact/media?utm_source=twitter&utm_medium=social")
    response = submit(client, "/contact/media", MEDIA)
    assert response.status_code == 302
    assert response.headers["Location"] == "/contact/media/thanks"
    assert client.get("/contact/media/thanks").status_code == 200

    supporter = one(app, Supporter, email="chloe@example.org")
    assert (supporter.first_name, supporter.last_name) == ("Chloé", "Martin Roy")
    assert (supporter.organization, supporter.source) == ("Le Devoir", "twitter")
    inquiry = one(app, Inquiry, supporter_id=supporter.id)
    assert (inquiry.kind, inquiry.status, inquiry.name, inquiry.outlet) == (
        "media",
        "new",
        "Chloé Martin Roy",
        "Le Devoir",
    )
    assert (inquiry.deadline, inquiry.topic, inquiry.phone) == (date(2026, 12, 15), MEDIA["topic"], MEDIA["phone"])
    assert inquiry.message == MEDIA["message"]
    assert (inquiry.utm_source, inquiry.utm_medium, inquiry.landing_page) == ("twitter", "social", "/contact/media")
    activity = one(app, Activity, supporter_id=supporter.id, kind="inquiry")
    assert activity.details["id"] == inquiry.id
    assert count(app, ConsentRecord) == 0, "an inquiry is not a newsletter signup"


def test_events_inquiry_is_recorded_in_the_visitors_language(app, client):
    client.get("/language/fr")
    response = submit(client, "/contact/events", EVENTS)
    assert response.status_code == 302
    assert response.headers["Location"] == "/contact/events/thanks"
    supporter = one(app, Supporter, email="dev@example.org")
    assert (supporter.first_name, supporter.last_name, supporter.language, supporter.source) == (
        "Dev",
        "Patel",
        "fr",
        "web",
    )
    inquiry = one(app, Inquiry, supporter_id=supporter.id)
    assert (inquiry.kind, inquiry.topic, inquiry.language) == ("events", "partnership or sponsorship", "fr")


def test_signals_fire_once_the_rows_exist(app, client):
    seen = []

    def on_signup(sender, supporter, signup):
        seen.append(("signup", signup.form, signup.id is not None, supporter.email))

    def on_inquiry(sender, supporter, inquiry):
        seen.append(("inquiry", inquiry.kind, inquiry.id is not None, supporter.email))

    with signed_up.connected_to(on_signup), inquiry_received.connected_to(on_inquiry):
        for url, data in FORMS.items():
            assert submit(client, url, data).status_code == 302
    assert seen == [
        ("signup", "newsletter", True, "ana@example.org"),
        ("signup", "fundraiser_interest", True, "bea@example.org"),
        ("inquiry", "media", True, "chloe@example.org"),
        ("inquiry", "events", True, "dev@example.org"),
    ]


# --- source ------------------------------------------------------------------------------------


def test_first_touch_wins_and_tags_are_cleaned(app, client):
    long_tag = "x" * 300
    client.get(f"/guide?src=first%01touch%00&utm_campaign={long_tag}&utm_term=%E2%9C%93%0Aok")
    client.get("/newsletter?src=second-touch&utm_campaign=other", headers={"Referer": "https://elsewhere.example/"})
    submit(client, "/newsletter", NEWSLETTER)
    signup = one(app, Signup, form="newsletter")
    assert signup.source == "firsttouch"
    assert signup.utm_campaign == "x" * 200
    assert signup.utm_term == "✓ok"
    assert (signup.landing_page, signup.referrer) == ("/guide", "")
    assert one(app, Supporter, email="ana@example.org").source == "firsttouch"


def test_own_site_referrer_and_private_pages_are_not_a_landing(app, client):
    client.get("/staff/?src=staff-link")
    client.get("/contact/events", headers={"Referer": "http://localhost/somewhere"})
    submit(client, "/contact/events", EVENTS)
    inquiry = one(app, Inquiry, kind="events")
    assert (inquiry.source, inquiry.landing_page, inquiry.referrer) == ("", "/contact/events", "")


def test_utm_source_is_the_supporters_source_without_src(app, client):
    client.get("/?utm_source=facebook")
    submit(client, "/newsletter", NEWSLETTER)
    assert one(app, Supporter, email="ana@example.org").source == "facebook"


# --- spam --------------------------------------------------------------------------------------


def assert_nothing_stored(app):
    for model in (Supporter, Signup, Inquiry, ConsentRecord, Activity):
        assert count(app, model) == 0, model.__name__


def refuse(*args, **kwargs):
    raise AssertionError("a caught bot must not be announced")


@pytest.mark.parametrize(("url", "thanks"), [(url, f"{url}/thanks") for url in FORMS])
def test_a_filled_honeypot_gets_thanks_and_stores_nothing(app, client, url, thanks):
    page = client.get(url).get_data(as_text=True)
    trap = re.search(r'<input [^>]*name="website"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert '<div class="hp-field">' in page and "Leave this field empty" in page
    with signed_up.connected_to(refuse), inquiry_received.connected_to(refuse):
        response = submit(client, url, {**FORMS[url], "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.headers["Location"] == thanks
    assert_nothing_stored(app)


@pytest.mark.parametrize("url", list(FORMS))
def test_too_fast_or_unsigned_submissions_store_nothing(make_app, url):
    app = make_app()  # FORM_MIN_SECONDS defaults to 3
    client = app.test_client()
    response = submit(client, url, FORMS[url])
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}/thanks"
    response = submit(client, url, {**FORMS[url], "started": "forged.token"})
    assert response.status_code == 302
    assert_nothing_stored(app)


def test_a_person_taking_their_time_is_not_spam(make_app, monkeypatch):
    app = make_app(FORM_MIN_SECONDS=3)
    client = app.test_client()
    fields = hidden_fields(client, "/newsletter")
    monkeypatch.setattr(spam, "utcnow", lambda: utcnow() + timedelta(seconds=5))
    client.post("/newsletter", data={**fields, **NEWSLETTER})
    assert count(app, Signup) == 1


def test_each_public_form_has_its_own_per_address_limit(make_app):
    app = make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="2 per hour")
    client = app.test_client()
    assert submit(client, "/contact/media", MEDIA).status_code == 302
    assert submit(client, "/contact/media", MEDIA).status_code == 302
    response = submit(client, "/contact/media", MEDIA)
    assert response.status_code == 429
    assert "Please wait an hour" in response.get_data(as_text=True)
    assert count(app, Inquiry) == 2
    assert submit(client, "/contact/events", EVENTS).status_code == 302, "another form has its own budget"
    assert client.get("/contact/media").status_code == 200, "reading a form is never limited"
    other = {"REMOTE_ADDR": "192.0.2.7"}
    response = submit(app.test_client(), "/contact/media", MEDIA, environ_base=other)
    assert response.status_code == 302, "another address has its own budget"
    assert count(app, Inquiry) == 4


# --- the guide ---------------------------------------------------------------------------------


def test_guide_has_25_tips_in_each_language():
    for language in ("en", "fr"):
        tips = GUIDE[language]["tips"]
        assert len(tips) == 25
        assert len({heading for heading, _ in tips}) == 25
        assert all(heading and len(body.split(". ")) >= 2 for heading, body in tips), language
    assert GUIDE["fr"]["tips"][0][0] != GUIDE["en"]["tips"][0][0]


def test_guide_page_follows_the_language(client):
    english = client.get("/guide").get_data(as_text=True)
    assert "<h1>25 Tips for the Novice Fundraiser</h1>" in english
    assert english.count("<h2>") == 25
    assert "Never post identifiable photos of children" in english
    assert 'href="/guide.pdf?lang=en"' in english
    client.get("/language/fr")
    french = client.get("/guide").get_data(as_text=True)
    assert '<html lang="fr">' in french
    assert "<h1>25 conseils pour votre première collecte de fonds</h1>" in french
    assert "Ne publiez jamais de photos où l&#39;on peut reconnaître un enfant" in french
    assert french.count("<h2>") == 25


PDF_STRING_RE = re.compile(rb"/(?P<key>\w+) (?:<(?P<hex>[0-9a-fA-F]+)>|\((?P<literal>(?:[^\\)]|\\.)*)\))")


def pdf_strings(data, key):
    """Return the text strings stored under `key` (/Title: the document title and its bookmarks).

    They are outside the compressed page streams: hex UTF-16 for non-ASCII text, else a literal.
    """
    found = []
    for match in PDF_STRING_RE.finditer(data):
        if match["key"] != key:
            continue
        if match["hex"] is not None:
            found.append(bytes.fromhex(match["hex"].decode()).decode("utf-16"))
        else:
            found.append(re.sub(rb"\\(.)", rb"\1", match["literal"]).decode("latin-1"))
    return found


@pytest.mark.parametrize(
    ("query", "ui_language", "language"),
    [("", "en", "en"), ("?lang=fr", "en", "fr"), ("", "fr", "fr"), ("?lang=en", "fr", "en"), ("?lang=xx", "fr", "fr")],
)
def test_guide_pdf_in_the_asked_language(client, query, ui_language, language):
    client.get(f"/language/{ui_language}")
    response = client.get(f"/guide.pdf{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.data
    assert data.startswith(b"%PDF-")
    assert f"/Lang ({language})".encode() in data
    titles = pdf_strings(data, b"Title")
    guide = GUIDE[language]
    assert titles[0] == guide["title"]
    # Every tip is a bookmark, so its words are in the file (page text itself is compressed).
    assert f"8. {guide['tips'][7][0]}" in titles
    assert b"DejaVuSans" in data, "a Unicode font is embedded"


def test_home_page_links_to_the_forms_and_the_guide(client):
    page = client.get("/").get_data(as_text=True)
    for path in ("/newsletter", "/fundraise/learn-more", "/contact/media", "/contact/events", "/guide"):
        assert f'href="{path}"' in page, path


def test_control_characters_are_dropped_at_the_form_edge(app, client):
    data = {**FUNDRAISER, "first_name": "Bé\x00a\x07", "message": "Line one\x00\r\nLine\ttwo\x1b\r"}
    assert submit(client, "/fundraise/learn-more", data).status_code == 302
    supporter = one(app, Supporter, email="bea@example.org")
    assert supporter.first_name == "Béa"
    assert one(app, Signup, supporter_id=supporter.id).message == "Line one\nLine\ttwo"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Zoë.Lefèvre+news@Example.org", "zoë.lefèvre+news@example.org"),
        ("  ÉLISE@exemple.QC.CA\t", "élise@exemple.qc.ca"),
        ("E\u0301lise@exemple.qc.ca", "élise@exemple.qc.ca"),
        ("ß@example.org", "ss@example.org"),
    ],
)
def test_unusual_but_valid_addresses_are_kept_normalised(app, client, typed, kept):
    assert submit(client, "/contact/events", {**EVENTS, "email": typed}).status_code == 302
    with app.app_context():
        supporter = db.session.scalars(db.select(Supporter)).one()
        inquiry = db.session.scalars(db.select(Inquiry)).one()
        assert supporter.email == kept
        assert inquiry.email == typed.strip(), "the inquiry keeps the address as typed"

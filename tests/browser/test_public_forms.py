"""In Chromium: a visitor fills each public form in English and in French and sees its thank-you page."""

import pytest
from flask_babel import gettext
from playwright.sync_api import expect

from crm.extensions import db
from crm.supporters.forms.public import EventsInquiryForm, FundraiserInterestForm, MediaInquiryForm, NewsletterForm
from crm.supporters.guide import GUIDE
from crm.supporters.models import ConsentRecord, Inquiry, Signup, Supporter
from crm.supporters.wording import consent_wording

pytestmark = pytest.mark.browser

FORMS = {
    "newsletter": NewsletterForm,
    "fundraiser": FundraiserInterestForm,
    "media": MediaInquiryForm,
    "events": EventsInquiryForm,
}
THANKS = {
    "newsletter": "Thank you for signing up",
    "fundraiser": "Thank you!",
    "media": "Thank you for your inquiry",
    "events": "Thank you for your message",
}


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0)


def ui_text(app, language):
    """Return the labels, buttons and headings as the app shows them in `language`."""
    with app.test_request_context("/", headers={"Accept-Language": language}):
        labels = {}
        for name, form_class in FORMS.items():
            form = form_class(meta={"csrf": False})
            labels[name] = {field.name: str(field.label.text) for field in form}
        headings = {name: gettext(text) for name, text in THANKS.items()}
        return labels, headings


def watch_console(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


@pytest.mark.parametrize("language", ["en", "fr"])
def test_visitor_fills_every_public_form(page, live_server, app, language, tmp_path):
    errors = watch_console(page)
    labels, headings = ui_text(app, language)
    wording, _ = consent_wording("newsletter", language)
    page.goto(live_server.url + "/")
    if language == "fr":
        page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # Newsletter
    page.goto(live_server.url + "/newsletter")
    text = labels["newsletter"]
    expect(page.get_by_label(wording, exact=True)).not_to_be_checked()
    expect(page.get_by_label(text["language"], exact=True)).to_have_value(language)
    expect(page.get_by_label(text["website"], exact=True)).not_to_be_in_viewport()
    page.get_by_label(text["email"], exact=True).fill(f"Nora.{language}@Example.org")
    page.get_by_label(text["first_name"], exact=True).fill("Nora")
    page.get_by_label(wording, exact=True).check()
    page.screenshot(path=tmp_path / f"newsletter-{language}.png", full_page=True)
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(headings["newsletter"])

    # Fundraiser: learn more, then the guide from the thank-you page
    page.goto(live_server.url + "/fundraise/learn-more")
    text = labels["fundraiser"]
    page.get_by_label(text["first_name"], exact=True).fill("Élodie")
    page.get_by_label(text["last_name"], exact=True).fill("Côté")
    page.get_by_label(text["email"], exact=True).fill(f"elodie.{language}@example.org")
    page.get_by_label(text["phone"], exact=True).fill("514 555 0142")
    page.get_by_label(text["event_kind"], exact=True).select_option("polar_dip")
    page.get_by_label(text["planned_on"], exact=True).fill("2027-02-14")
    page.get_by_label(text["message"], exact=True).fill("Une baignade au lac.\nAvec mon équipe.")
    page.get_by_label(wording, exact=True).check()
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(headings["fundraiser"])
    guide_title = GUIDE[language]["title"]
    expect(page.get_by_text(guide_title)).to_be_visible()
    page.screenshot(path=tmp_path / f"fundraiser-thanks-{language}.png", full_page=True)
    page.get_by_role("link", name=gettext_in(app, language, "Read the guide")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(guide_title)
    expect(page.get_by_role("heading", level=2)).to_have_count(25)

    # Media inquiry
    page.goto(live_server.url + "/contact/media")
    text = labels["media"]
    page.get_by_label(text["name"], exact=True).fill("Sam Okafor")
    page.get_by_label(text["outlet"], exact=True).fill("CBC / Radio-Canada")
    page.get_by_label(text["email"], exact=True).fill(f"sam.{language}@example.org")
    page.get_by_label(text["deadline"], exact=True).fill("2026-12-20")
    page.get_by_label(text["topic"], exact=True).fill("Online safety at school")
    page.get_by_label(text["message"], exact=True).fill("Can we interview your director?")
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(headings["media"])

    # Events team
    page.goto(live_server.url + "/contact/events")
    text = labels["events"]
    page.get_by_label(text["name"], exact=True).fill("Lee Wong")
    page.get_by_label(text["email"], exact=True).fill(f"lee.{language}@example.org")
    page.get_by_label(text["topic"], exact=True).select_option("help with my event")
    page.get_by_label(text["message"], exact=True).fill("Where do I send the cheques we collected?")
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(headings["events"])
    assert errors == [], errors  # includes CSP violations

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Supporter)) == 4
        nora = db.session.scalars(db.select(Supporter).filter_by(email=f"nora.{language}@example.org")).one()
        assert nora.language == language
        # Both newsletter boxes wait for the emailed confirmation (double opt-in), with the words shown.
        assert db.session.scalars(db.select(ConsentRecord).filter_by(basis="express")).all() == []
        held = db.session.scalars(db.select(Signup).where(Signup.consent_version != "")).all()
        assert {signup.consent_wording for signup in held} == {wording}
        assert len(held) == 2
        signup = db.session.scalars(db.select(Signup).filter_by(form="fundraiser_interest")).one()
        assert signup.message == "Une baignade au lac.\nAvec mon équipe."
        assert {inquiry.kind for inquiry in db.session.scalars(db.select(Inquiry))} == {"media", "events"}


def gettext_in(app, language, text):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return gettext(text)


def test_a_missing_box_is_explained_next_to_it(page, live_server, app):
    page.goto(live_server.url + "/newsletter")
    page.get_by_label("Email", exact=True).fill("kim@example.org")
    page.get_by_label("First name", exact=True).fill("Kim")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_be_visible()
    wording, _ = consent_wording("newsletter", "en")
    box = page.get_by_label(wording, exact=True)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description("Error: Tick the box to confirm you want our emails.")


def test_public_pages_are_readable_at_320_pixels(page, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/newsletter", "/fundraise/learn-more", "/contact/media", "/contact/events", "/guide"):
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} is {scroll_width}px wide at 320px"

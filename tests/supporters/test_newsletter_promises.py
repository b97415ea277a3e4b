"""The newsletter says what happens: the thank-you page asks to confirm by email, as the email sent
asks, and the sign-up page and the welcome email promise news as often as each other (issue 15)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.config import ROOT
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.supporters.wording import consent_wording
from tests.supporters.test_public_forms import NEWSLETTER, submit

WELCOME = Path(ROOT) / "templates" / "email" / "newsletter_welcome"


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0)


def test_the_thank_you_page_asks_to_confirm_by_the_email_that_is_queued(app, client):
    response = submit(client, "/newsletter", NEWSLETTER)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "One more step: confirm by email." in page
    assert "You are on the list" not in page
    with app.app_context():
        queued = db.session.scalars(db.select(OutboundEmail.template).filter_by(to_address=NEWSLETTER["email"])).all()
    assert "newsletter_confirm" in queued


def test_the_sign_up_page_and_the_welcome_email_promise_the_same_pace(client):
    page = client.get("/newsletter", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "a few times a year" in page
    assert "A few times a year" in (WELCOME / "body.en.txt").read_text(encoding="utf-8")
    french = (WELCOME / "body.fr.txt").read_text(encoding="utf-8")
    assert "Quelques fois par année" in french and "par mois" not in french


@pytest.mark.browser
def test_in_chromium_the_thank_you_page_says_to_confirm_by_email(page, live_server):
    page.goto(live_server.url + "/newsletter")
    page.get_by_label("Email", exact=True).fill("sam@example.org")
    page.get_by_label("First name", exact=True).fill("Sam")
    page.get_by_label(consent_wording("newsletter", "en")[0]).check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")
    expect(page.get_by_text("One more step: confirm by email.")).to_be_visible()

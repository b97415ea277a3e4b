"""In Chromium against localstripe: a one-time gift with 4242 4242 4242 4242, a decline, 3-D Secure."""

import re

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.payments.models import Donation, Receipt
from tests.payments.helpers import fill_card, fill_donor

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0)


def _statuses(app):
    with app.app_context():
        return [d.status for d in db.session.scalars(db.select(Donation).order_by(Donation.id))]


def _receipts(app):
    with app.app_context():
        return [(r.serial, r.pdf) for r in db.session.scalars(db.select(Receipt).order_by(Receipt.id))]


def _sent(app, smtp_sink):
    """Send the outbox to the SMTP sink (as the worker would); return what arrived."""
    result = app.test_cli_runner().invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    return smtp_sink.parsed()


def _attachments(message):
    return [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]


def test_one_time_gift_with_a_test_card(page, live_server, localstripe, smtp_sink, tmp_path):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/donate")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a gift")
    page.get_by_label("$50.00").check()
    page.get_by_label("Add the processing fee").check()
    expect(page.locator("#donate-total")).to_have_text("$51.81")
    page.get_by_label("Monthly", exact=True).check()
    expect(page.locator("#donate-total")).to_have_text("$51.81 per month")
    page.get_by_label("Once", exact=True).check()
    expect(page.locator("#donate-total")).to_have_text("$51.81")
    fill_donor(page)
    fill_card(page, "4242424242424242")
    page.screenshot(path=tmp_path / "donate.png", full_page=True)
    page.get_by_role("button", name="Give now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
    expect(page.locator(".gift-summary")).to_contain_text("$51.81")
    expect(page.locator(".gift-summary")).to_contain_text("General fund")
    assert _statuses(live_server.app) == ["succeeded"]
    # The receipt: downloadable from the thank-you page, and attached to the thank-you email.
    [(serial, pdf)] = _receipts(live_server.app)
    href = page.get_by_role("link", name="Download your receipt (PDF)").get_attribute("href")
    download = page.request.get(live_server.url + href)
    assert (download.status, download.headers["content-type"], download.body()) == (200, "application/pdf", pdf)
    [email] = _sent(live_server.app, smtp_sink)
    assert email["To"] == "Élise Côté <elise@example.org>"
    assert serial in email.get_body(("plain",)).get_content()
    [(filename, attached)] = _attachments(email)
    assert filename.endswith(".pdf") and attached == pdf
    assert errors == [], errors  # includes CSP violations


def test_declined_card_shows_a_clear_message(page, live_server, localstripe, smtp_sink):
    page.goto(live_server.url + "/donate")
    page.get_by_label("Other amount").check()
    page.get_by_label("Your amount").fill("40")
    expect(page.locator("#donate-total")).to_have_text("$40.00")
    fill_donor(page)
    fill_card(page, "4000000000000002")
    page.get_by_role("button", name="Give now").click()
    expect(page.get_by_role("alert").first).to_contain_text("Your card was declined")
    assert _statuses(live_server.app) == ["failed"]
    assert (_receipts(live_server.app), _sent(live_server.app, smtp_sink)) == ([], [])


@pytest.mark.parametrize(
    ("choice", "heading", "status"),
    [
        ("Complete authentication", "Thank you for your gift!", "succeeded"),
        ("Fail authentication", "Your gift was not completed", "failed"),
    ],
)
def test_three_d_secure(page, live_server, localstripe, smtp_sink, choice, heading, status):
    page.goto(live_server.url + "/donate?designation=spring-appeal")
    page.get_by_label("$25.00").check()
    fill_donor(page)
    fill_card(page, "4000002500003155")
    page.get_by_role("button", name="Give now").click()
    page.get_by_role("button", name=choice).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_url(re.compile(r"/donate/thanks/"))
    assert _statuses(live_server.app) == [status]
    paid = status == "succeeded"
    assert len(_receipts(live_server.app)) == (1 if paid else 0)
    assert [len(_attachments(email)) for email in _sent(live_server.app, smtp_sink)] == ([1] if paid else [])

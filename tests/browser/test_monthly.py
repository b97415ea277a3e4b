"""In Chromium against localstripe: a monthly gift with 4242 4242 4242 4242, then its manage page."""

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.payments.models import Donation, Receipt, RecurringGift
from crm.payments.services.plan_links import manage_url
from tests.payments.helpers import fill_card, fill_donor

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0)


def _send(app):
    """Send the outbox to the SMTP sink, as the worker would."""
    result = app.test_cli_runner().invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output


def _state(app):
    with app.app_context():
        gifts = db.session.scalars(db.select(RecurringGift).order_by(RecurringGift.id)).all()
        donations = db.session.scalars(db.select(Donation).order_by(Donation.id)).all()
        return gifts, donations


def test_monthly_gift_with_a_test_card_then_a_new_card(page, live_server, localstripe, smtp_sink, tmp_path):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/donate")
    page.locator("input[name=frequency][value=monthly]").check()
    page.get_by_label("$25.00").check()
    expect(page.locator("#donate-total")).to_contain_text("$25.00")
    fill_donor(page)
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
    expect(page.locator(".gift-summary")).to_contain_text("$25.00")
    [gift], [donation] = _state(live_server.app)
    assert (gift.status, gift.amount_cents, gift.stripe_plan_id) == ("active", 2500, "gift-month-cad-2500")
    assert (donation.status, donation.kind, donation.recurring_gift_id) == ("succeeded", "monthly", gift.id)

    # The thank-you email carries the manage link; the receipt comes once a year (the annual receipt).
    _send(live_server.app)
    [thanks] = smtp_sink.parsed()
    with live_server.app.app_context(), live_server.app.test_request_context():
        link = manage_url(gift, external=False)
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 0
    body = thanks.get_body(("plain",)).get_content()
    assert link in body and "one official receipt" in body
    assert list(thanks.iter_attachments()) == []

    # The signed link from the emails: the plan, and a new card through the Stripe.js card element.
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your monthly gift")
    expect(page.locator(".gift-summary")).to_contain_text("Active")
    page.get_by_role("link", name="Use another card for your monthly gift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Use another card")
    fill_card(page, "5555555555554444")
    page.screenshot(path=tmp_path / "manage-card.png", full_page=True)
    page.get_by_role("button", name="Use this card").click()
    expect(page.get_by_role("status")).to_contain_text("Your new card will be used for your monthly gift.")
    expect(page.locator(".gift-summary")).to_contain_text("ending in 4444")  # from Stripe (localstripe: all Visa)

    # Change the amount, then cancel with the confirmation step.
    page.get_by_label("New monthly amount").fill("30")
    page.get_by_role("button", name="Change the amount").click()
    expect(page.get_by_role("status")).to_contain_text("$30.00")
    page.get_by_role("link", name="Cancel my monthly gift").click()
    page.get_by_role("button", name="Yes, cancel my monthly gift").click()
    expect(page.locator(".gift-summary")).to_contain_text("Cancelled")
    [gift], _donations = _state(live_server.app)
    assert (gift.status, gift.amount_cents) == ("cancelled", 3000)
    _send(live_server.app)
    assert [message["Subject"] for message in smtp_sink.parsed()][1:] == [
        "Your monthly gift to Demo Charity is now $30.00",
        "Your monthly gift to Demo Charity is cancelled",
    ]
    assert errors == [], errors  # includes CSP violations

"""In Chromium: /donate starts with an amount chosen and a total (with and without JavaScript), and a
staff refund goes through its confirmation page with JavaScript off."""

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.payments.models import Donation, Refund
from tests.browser.test_accessibility import _violations
from tests.payments.helpers import card_token, gift_form, give

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0)


@pytest.mark.parametrize("javascript", [True, False])
def test_donate_starts_with_the_first_suggested_amount_and_its_total(browser, live_server, localstripe, javascript):
    context = browser.new_context(java_script_enabled=javascript, locale="en-CA")
    page = context.new_page()
    page.goto(live_server.url + "/donate")
    expect(page.get_by_label("$25.00")).to_be_checked()
    expect(page.locator("#donate-total")).to_have_text("$25.00")
    if javascript:
        assert _violations(page) == []  # axe-core
        page.get_by_label("$100.00").check()
        expect(page.locator("#donate-total")).to_have_text("$100.00")
    context.close()


def test_a_staff_refund_is_confirmed_on_a_second_page_without_javascript(
    browser, live_server, localstripe, make_user, tmp_path
):
    app = live_server.app
    assert give(app.test_client(), gift_form(card_token(localstripe), language="en")).status_code == 302
    with app.app_context():
        donation_id = db.session.scalar(db.select(Donation.id))
    staff = make_user(email="casey@example.org", role="staff")
    context = browser.new_context(java_script_enabled=False, locale="en-CA")
    page = context.new_page()
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/staff/donations/{donation_id}")
    amount = page.get_by_label("Amount to refund")
    expect(amount).to_have_value("")
    expect(page.get_by_text("At most $50.00, what is left of this gift.")).to_be_visible()
    amount.fill("20")
    page.get_by_label("Reason", exact=True).fill("Asked by the donor")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refund $20.00 of gift {donation_id}?")
    expect(page.get_by_text("is cancelled and replaced by a new receipt")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 0
    page.screenshot(path=tmp_path / "confirm-refund.png", full_page=True)
    page.get_by_role("button", name="Yes, refund $20.00").click()
    expect(page.get_by_text("The refund was made.")).to_be_visible()
    with app.app_context():
        assert db.session.get(Donation, donation_id).refunded_cents == 2000
    context.close()


def test_cancel_only_asks_first_and_its_page_passes_axe(page, live_server, make_user, make_gift):
    from crm.payments.services.receipts import issue_receipt

    app = live_server.app
    with app.app_context():
        donation = make_gift("ana@example.org", first_name="Ana", stripe_payment_intent_id="pi_ana", method="card")
        serial = issue_receipt([donation]).serial
        db.session.commit()
        donation_id = donation.id
    staff = make_user(email="casey@example.org", role="staff")
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/staff/donations/{donation_id}")
    page.get_by_label(f"Reason for receipt {serial}").fill("Gift entered twice")
    page.get_by_role("button", name="Cancel only").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cancel receipt {serial}?")
    assert _violations(page) == []  # axe-core
    page.get_by_role("button", name=f"Yes, cancel receipt {serial}").click()
    expect(page.get_by_text(f"Receipt {serial} was cancelled.")).to_be_visible()

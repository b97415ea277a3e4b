"""In Chromium against localstripe: fill a cart, check out with a card in someone's honour, pay with 4242..."""

import re

import pytest
from playwright.sync_api import expect

from crm.catalog.models import Order
from crm.extensions import db
from crm.payments.models import Receipt
from tests.catalog.shop import stock
from tests.payments.helpers import fill_card

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0, RATELIMIT_ENABLED=False)


def _send(app, smtp_sink):
    """Run `flask mail send-due` (today is the card's delivery date); return what reached the sink."""
    result = app.test_cli_runner().invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    return {message["To"].addresses[0].addr_spec: message for message in smtp_sink.parsed()}


def _fill_buyer(page):
    for label, value in (
        ("First name", "Élise"),
        ("Last name", "Côté"),
        ("Email", "elise@example.org"),
        ("Address", "1 rue Principale"),
        ("City", "Montréal"),
        ("Province or state", "QC"),
        ("Postal code", "H2X 1Y4"),
    ):
        page.get_by_label(label, exact=True).fill(value)


def _add(page, url, slug, quantity="1"):
    page.goto(f"{url}/catalog/{slug}")
    page.get_by_label("Quantity").fill(quantity)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")


def test_fill_a_cart_send_a_card_and_pay(page, live_server, localstripe, smtp_sink, tmp_path):
    app = live_server.app
    shop = stock(app)
    errors = []
    failed = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    # Two different items, a quantity changed, one removed.
    _add(page, live_server.url, shop.lawyer.slug)
    _add(page, live_server.url, shop.fees.slug)
    page.get_by_label(re.compile(r"Quantity.*School fees")).fill("3")
    page.get_by_role("button", name=re.compile(r"Update.*School fees")).click()
    expect(page.locator(".cart-total")).to_have_text("Total: $300.00")
    page.get_by_role("button", name=re.compile(r"Remove.*A lawyer for one case")).click()
    expect(page.locator(".cart-total")).to_have_text("Total: $150.00")

    # Checkout, with a card in someone's honour for the item.
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check out")
    expect(page.locator("#order-total")).to_have_text("$150.00")
    _fill_buyer(page)
    card = page.locator("details", has=page.get_by_text("A card for your gift of “School fees”"))
    card.locator("summary").click()
    card.get_by_label("Name of the person you honour").fill("Marie Tremblay")
    card.get_by_label("Their email address").fill("marie@example.org")
    card.get_by_label("Your message on the card (optional)").fill("Bonne fête, Marie!")
    fill_card(page, "4242424242424242")
    page.screenshot(path=tmp_path / "checkout.png", full_page=True)
    page.get_by_role("button", name="Pay now").click()

    # The confirmation page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your order!")
    expect(page).to_have_url(re.compile(r"/catalog/orders/"))
    expect(page.locator(".honour-card-list")).to_contain_text("Marie Tremblay")
    expect(page.locator(".order-lines")).to_contain_text("$150.00")
    with app.app_context():
        [order] = db.session.scalars(db.select(Order)).all()
        [receipt] = db.session.scalars(db.select(Receipt)).all()
        assert (order.status, order.total_cents) == ("paid", 15000)
        assert [(line.name, line.quantity) for line in order.lines] == [("School fees", 3)]
        serial, frozen = receipt.serial, receipt.pdf
    href = page.get_by_role("link", name="Download your receipt (PDF)").get_attribute("href")
    assert page.request.get(live_server.url + href).body() == frozen
    cards = page.request.get(
        live_server.url + page.get_by_role("link", name="Print your cards (PDF)").get_attribute("href")
    )
    assert (cards.status, cards.headers["content-type"]) == (200, "application/pdf")
    page.goto(f"{live_server.url}/catalog/cart")
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()

    # The order email with its receipt, and the e-card on its delivery date (today).
    sent = _send(app, smtp_sink)
    assert sorted(sent) == ["elise@example.org", "marie@example.org"]
    confirmation = sent["elise@example.org"]
    assert serial in confirmation.get_body(("plain",)).get_content()
    [(filename, attached)] = [(p.get_filename(), p.get_content()) for p in confirmation.iter_attachments()]
    assert filename == f"receipt-{serial}.pdf" and attached == frozen
    ecard = sent["marie@example.org"].get_body(("plain",)).get_content()
    assert "Bonne fête, Marie!" in ecard and "3 × School fees" in ecard and "$" not in ecard
    assert failed == []
    assert errors == [], errors  # CSP violations included

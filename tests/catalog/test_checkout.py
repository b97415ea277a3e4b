"""Checkout through the test client against the real localstripe: the order, its gift, receipt, cards and emails."""

import io
import re
from datetime import timedelta

import pypdf
import pytest

from crm.catalog.models import HonourCard, Item, Order, OrderLine
from crm.catalog.services.checkout import card_dates
from crm.catalog.services.orders import fail_order
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.payments.models import Donation, Receipt
from crm.payments.services.donations import fulfil
from crm.payments.services.refunds import refund_donation
from crm.supporters.models import Signup
from tests.catalog.checkout_helpers import (
    CHECKOUT,
    card_fields,
    check_out,
    donation_count,
    fill_cart,
    orders,
    reserved,
    shown_form,
)
from tests.catalog.shop import change_item, stock
from tests.helpers import session_data
from tests.payments.helpers import (
    CARD_3DS,
    CARD_DECLINED,
    authenticate,
    card_token,
    event_payload,
    post_signed,
    sign,
)


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def shop(app):
    return stock(app)


def today(app):
    with app.app_context():
        return card_dates()[0]


def outbox(app):
    with app.app_context():
        return [
            (e.template, e.to_address, e.due_at, e.context)
            for e in db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id))
        ]


def test_checkout_page_shows_the_cart_and_a_card_form_per_item(app, client, shop, localstripe):
    fill_cart(app, client, {shop.lawyer.id: 1, shop.fees.id: 2})
    response = client.get(CHECKOUT, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page, hidden = shown_form(client)
    assert "$250.00" in page and "A lawyer for one case" in page and "School fees" in page
    assert hidden["lines"] == f"{shop.lawyer.id}:1,{shop.fees.id}:2"
    assert hidden["expected_total"] == "25000"
    assert [hidden[f"cards-{n}-item"] for n in range(3)] == ["", str(shop.lawyer.id), str(shop.fees.id)]
    assert 'id="card-form"' in page and f'src="{localstripe.js_url}"' in page
    assert localstripe.url in response.headers["Content-Security-Policy"]


def test_empty_cart_says_so(app, client, shop):
    assert "Your cart is empty." in client.get(CHECKOUT).get_data(as_text=True)


def test_paid_order_gets_its_cards_receipt_and_one_email(app, client, shop, localstripe, smtp_sink):
    with app.app_context():
        change_item(app, shop.lawyer.id, fmv_cents=1000)
    fill_cart(app, client, {shop.lawyer.id: 1, shop.fees.id: 2})
    day = today(app)
    cards = {
        **card_fields(0, "Grand-maman", delivery="print", message="Pour toi", date=day.isoformat()),
        **card_fields(1, "Marie Tremblay", email="marie@example.org", message="Bonne fête!", date=day.isoformat()),
    }
    response = check_out(client, card_token(localstripe), cards)
    assert response.status_code == 302, response.get_data(as_text=True)
    [order] = orders(app)
    assert response.headers["Location"] == f"/catalog/orders/{order.token}"
    assert (order.status, order.total_cents, order.email) == ("paid", 25000, "elise@example.org")
    with app.app_context():
        order = db.session.get(Order, order.id)
        donation = order.donation
        assert (donation.designation, donation.amount_cents, donation.status) == ("gift-catalog", 25000, "succeeded")
        assert (donation.advantage_cents, donation.non_receiptable_cents) == (1000, 0)
        assert donation.thanked_by == "catalog"  # the confirmation below is its thank-you
        assert [(line.name, line.quantity, line.unit_price_cents) for line in order.lines] == [
            ("A lawyer for one case", 1, 15000),
            ("School fees", 2, 5000),
        ]
        whole, lawyer = order.cards
        assert (whole.line_id, whole.delivery, whole.honouree_email) == (None, "print", "")
        assert (lawyer.line.item_id, lawyer.delivery, lawyer.honouree_email) == (
            shop.lawyer.id,
            "email",
            "marie@example.org",
        )
        [receipt] = db.session.scalars(db.select(Receipt)).all()
        assert (receipt.amount_cents, receipt.advantage_cents, receipt.eligible_cents) == (25000, 1000, 24000)
        receipt_serial = receipt.serial
    # One email to the buyer (the confirmation, not the generic thanks) and the e-card, due today.
    sent = outbox(app)
    assert [(t, to) for t, to, _due, _ctx in sent] == [
        ("honour_ecard", "marie@example.org"),
        ("order_confirmation", "elise@example.org"),
    ]
    # The confirmation page empties the cart and links the cards and the receipt.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your order!" in page and "Marie Tremblay" in page and "Grand-maman" in page
    assert "cart" not in session_data(client)
    pdf = client.get(f"/catalog/orders/{order.token}/cards.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(pdf.data)).pages) == 2
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Marie Tremblay" in text and "$" not in text
    with app.app_context():
        assert send_due().sent == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp_sink.parsed()}
    confirmation, ecard = by_to["elise@example.org"], by_to["marie@example.org"]
    body = confirmation.get_body(("plain",)).get_content()
    assert receipt_serial in body and "$250.00" in body and "School fees" in body and "$240.00" in body
    [(filename, _content)] = [(p.get_filename(), p.get_content()) for p in confirmation.iter_attachments()]
    assert filename == f"receipt-{receipt_serial}.pdf"
    card_text = ecard.get_body(("plain",)).get_content()
    assert "Bonne fête!" in card_text and "A lawyer for one case" in card_text and "Élise Côté" in card_text
    assert "$" not in card_text and "$" not in ecard.get_body(("html",)).get_content()


def test_ecard_waits_for_its_delivery_date(app, client, shop, localstripe, smtp_sink):
    fill_cart(app, client, {shop.fees.id: 1})
    later = today(app) + timedelta(days=10)
    cards = card_fields(0, "Sam", email="sam@example.org", date=later.isoformat())
    assert check_out(client, card_token(localstripe), cards).status_code == 302
    [ecard] = [row for row in outbox(app) if row[0] == "honour_ecard"]
    due = ecard[2]
    with app.app_context():
        assert send_due().sent == 1  # the confirmation only
        assert send_due(now=due + timedelta(minutes=1)).sent == 1
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_sink.parsed()) == [
        "elise@example.org",
        "sam@example.org",
    ]


def test_non_receiptable_items_and_small_orders(app, client, localstripe, make_item):
    with app.app_context():
        mug = make_item("mug", 300, receiptable=False)
        pin = make_item("pin", 200)
        db.session.commit()
        ids = mug.id, pin.id
    fill_cart(app, client, {ids[0]: 1, ids[1]: 1})
    response = check_out(client, card_token(localstripe))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        [donation] = db.session.scalars(db.select(Donation)).all()
        assert (donation.amount_cents, donation.non_receiptable_cents, donation.advantage_cents) == (500, 300, 0)
        [receipt] = db.session.scalars(db.select(Receipt)).all()
        assert (receipt.amount_cents, receipt.eligible_cents) == (200, 200)


def test_declined_card_keeps_a_failed_order_and_releases_the_units(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 2})
    assert reserved(app, shop.police.id) == 2
    response = check_out(client, card_token(localstripe, CARD_DECLINED))
    assert response.status_code == 400
    assert "Your card was declined" in response.get_data(as_text=True)
    [order] = orders(app)
    assert order.status == "failed"
    assert reserved(app, shop.police.id) == 2
    assert session_data(client)["cart"]  # the cart stays, to try again


@pytest.mark.parametrize("success", [True, False])
def test_three_d_secure(app, client, shop, localstripe, success):
    fill_cart(app, client, {shop.police.id: 1})
    response = check_out(client, card_token(localstripe, CARD_3DS))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    assert reserved(app, shop.police.id) == 3  # held while the bank asks
    authenticate(localstripe, secret, success)
    [order] = orders(app)
    done = client.get(f"/catalog/orders/{order.token}").get_data(as_text=True)
    [order] = orders(app)
    if success:
        assert order.status == "paid" and "Thank you for your order!" in done
        assert reserved(app, shop.police.id) == 3
        assert "cart" not in session_data(client)
    else:
        assert order.status == "failed" and "Your order was not completed" in done
        assert reserved(app, shop.police.id) == 2


def test_a_price_changed_by_staff_is_announced_and_charged(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 2})
    _page, before = shown_form(client)
    change_item(app, shop.fees.id, price_cents=6000)
    # Paying the page seen before the change is refused: nothing charged.
    response = check_out(client, card_token(localstripe), replace={"expected_total": before["expected_total"]})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Prices have changed" in text and "$120.00" in text
    assert donation_count(app) == 0 and orders(app) == []
    # The checkout page says so, then charges the current price.
    with client.session_transaction() as session:
        session["cart"] = {str(shop.fees.id): {"q": 2, "p": 5000}}  # added at the old price
    page, hidden = shown_form(client)
    assert "The price of School fees changed from $50.00 to $60.00." in page
    assert hidden["expected_total"] == "12000"
    response = check_out(client, card_token(localstripe))
    assert response.status_code == 302, response.get_data(as_text=True)
    [order] = orders(app)
    assert (order.status, order.total_cents) == ("paid", 12000)
    with app.app_context():
        assert db.session.get(Order, order.id).lines[0].unit_price_cents == 6000


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("{id}:0", "Choose a quantity from 1 to 100."),
        ("{id}:-1", "Choose a quantity from 1 to 100."),
        ("{id}:10000", "Choose a quantity from 1 to 100."),
        ("{id}:abc", "Choose a quantity from 1 to 100."),
        ("{id}:1.5", "Choose a quantity from 1 to 100."),
        ("{id}:", "Choose a quantity from 1 to 100."),
        ("{id}:2", "Your cart changed in another window."),
        ("999999:1", "That item is not in your cart."),
        ("{other}:1", "That item is not in your cart."),
        ("abc:1", "That item is not in your cart."),
        ("{id}:1,{id}:1", "That item is not in your cart."),
        ("{id}:1,{other}:1", "That item is not in your cart."),
    ],
)
def test_tampered_quantities_and_items_are_refused(app, client, shop, localstripe, lines, message):
    fill_cart(app, client, {shop.fees.id: 1})
    tampered = lines.format(id=shop.fees.id, other=shop.lawyer.id)
    response = check_out(client, card_token(localstripe), replace={"lines": tampered})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert orders(app) == [] and donation_count(app) == 0


@pytest.mark.parametrize(
    "stored",
    [
        {"{id}": {"q": 0}},
        {"{id}": {"q": -5, "p": 5000}},
        {"{id}": {"q": 10_000, "p": 5000}},
        {"{id}": {"q": "abc", "p": 5000}},
        {"999999": {"q": 1, "p": 100}},
        {"{hidden}": {"q": 1, "p": 1000}},
        {"{foreign}": {"q": 1, "p": 2000}},
        "not a cart",
    ],
)
def test_tampered_session_carts_never_500(app, client, shop, localstripe, stored):
    if isinstance(stored, dict):
        stored = {
            k.format(id=shop.fees.id, hidden=shop.hidden.id, foreign=shop.foreign.id): v for k, v in stored.items()
        }
    with client.session_transaction() as session:
        session["cart"] = stored
    assert client.get(CHECKOUT).status_code == 200
    response = check_out(client, card_token(localstripe))
    assert response.status_code in (302, 400)
    with app.app_context():
        quantities = db.session.scalars(db.select(OrderLine.quantity)).all()
    assert all(1 <= quantity <= 100 for quantity in quantities)


def test_a_card_for_a_foreign_item_or_a_bad_date_is_refused(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 1})
    day = today(app)
    bad = [
        (
            {
                **card_fields(1, "Sam", email="sam@example.org", date=day.isoformat()),
                "cards-1-item": str(shop.lawyer.id),
            },
            "That item is not in your cart.",
        ),
        (
            {**card_fields(1, "Sam", email="sam@example.org", date=day.isoformat()), "cards-1-item": "abc"},
            "That item is not in your cart.",
        ),
        (
            card_fields(0, "Sam", email="sam@example.org", date=(day - timedelta(days=1)).isoformat()),
            "Choose a date from today to a year from now.",
        ),
        (
            card_fields(0, "Sam", email="sam@example.org", date=(day + timedelta(days=400)).isoformat()),
            "Choose a date from today to a year from now.",
        ),
        (card_fields(0, "Sam", email="sam@example.org", date="not a date"), "Not a valid date value."),
        (card_fields(0, "Sam", email="", date=day.isoformat()), "Enter their email address, or choose to print"),
        (card_fields(0, "", email="sam@example.org", date=day.isoformat()), "Enter the name of the person"),
        (card_fields(0, "Sam", email="not an email", date=day.isoformat()), "Enter a valid email address."),
        (card_fields(0, "Sam", delivery="carrier pigeon", email="s@example.org", date=day.isoformat()), "Not a valid"),
    ]
    for fields, message in bad:
        response = check_out(client, card_token(localstripe), fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), (fields, message)
    assert orders(app) == [] and donation_count(app) == 0


def test_an_item_gone_before_paying_is_refused_without_charging(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 3})
    change_item(app, shop.police.id, reserved_count=4)
    response = check_out(client, card_token(localstripe))
    assert response.status_code == 400
    assert "only 1 of Police training is left" in response.get_data(as_text=True)
    assert orders(app) == [] and donation_count(app) == 0 and reserved(app, shop.police.id) == 4


def test_source_attribution_is_kept_on_the_order(app, client, shop, localstripe):
    client.get("/catalog?src=story-girls&utm_campaign=spring")
    fill_cart(app, client, {shop.fees.id: 1})
    assert check_out(client, card_token(localstripe)).status_code == 302
    [order] = orders(app)
    assert (order.source, order.utm_campaign) == ("story-girls", "spring")


def test_news_box_signs_the_buyer_up_only_when_ticked(app, client, shop, localstripe):
    for ticked in (None, "y"):
        fill_cart(app, client, {shop.fees.id: 1})
        assert check_out(client, card_token(localstripe), consent=ticked).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Signup)) == 1


def test_unknown_order_tokens_are_404(client):
    for token in ("nope", "x" * 500, "' OR 1=1 --"):
        assert client.get(f"/catalog/orders/{token}").status_code == 404
        assert client.get(f"/catalog/orders/{token}/cards.pdf").status_code == 404


def test_honour_card_rows_match_the_order(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 1})
    cards = card_fields(1, "Sam", delivery="print", date=today(app).isoformat())
    assert check_out(client, card_token(localstripe), cards).status_code == 302
    with app.app_context():
        [card] = db.session.scalars(db.select(HonourCard)).all()
        assert (card.line.item_id, card.status, card.email_id) == (shop.fees.id, "scheduled", None)
        assert db.session.get(Item, shop.fees.id).reserved_count == 1  # counted, though it has no cap


def test_a_payment_that_goes_through_after_failing_when_the_item_is_gone_is_refunded(
    app, client, localstripe, make_item
):
    with app.app_context():
        item_id = make_item("last-bed", 3000, cap=1).id
        db.session.commit()
    fill_cart(app, client, {item_id: 1})
    page = check_out(client, card_token(localstripe, CARD_3DS)).get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    [order] = orders(app)
    with app.app_context():
        fail_order(db.session.get(Order, order.id), "the bank said no")  # as the confirmation page would see it
        db.session.commit()
    assert reserved(app, item_id) == 0
    other = app.test_client()
    fill_cart(app, other, {item_id: 1})
    assert check_out(other, card_token(localstripe), email="other@example.org").status_code == 302
    # The bank says yes after all, and Stripe tells us (the webhook): the money goes back.
    authenticate(localstripe, secret, True)
    with app.app_context():
        fulfil(secret.split("_secret_")[0])
        db.session.commit()
        first = db.session.get(Order, order.id)
        assert (first.status, first.donation.status) == ("refunded", "refunded")
        assert first.donation.refunded_cents == 3000
    assert reserved(app, item_id) == 1
    assert [to for template, to, _due, _ctx in outbox(app) if template == "order_confirmation"] == ["other@example.org"]
    assert "Your order was refunded" in client.get(f"/catalog/orders/{order.token}").get_data(as_text=True)


def test_checkout_and_order_pages_in_french(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 1})
    client.get("/language/fr")
    page = client.get(CHECKOUT).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Frais de scolarité" in page
    assert check_out(client, card_token(localstripe), language="fr").status_code == 302
    [order] = orders(app)
    assert order.language == "fr"
    assert client.get(f"/catalog/orders/{order.token}").status_code == 200
    with app.app_context():
        assert db.session.get(Order, order.id).lines[0].name == "Frais de scolarité"


def test_a_failed_three_d_secure_gives_the_units_back_even_if_the_buyer_never_returns(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 1})
    page = check_out(client, card_token(localstripe, CARD_3DS)).get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    assert reserved(app, shop.police.id) == 3
    authenticate(localstripe, secret, False)
    # Only Stripe's webhook tells us; the buyer closed the tab.
    with app.app_context():
        intent = secret.split("_secret_")[0]
        payload = event_payload(
            "evt_3ds_failed", "payment_intent.payment_failed", {"id": intent, "object": "payment_intent"}
        )
        header = sign(payload, app.config["STRIPE_WEBHOOK_SECRET"])
    assert post_signed(client, payload, header).status_code == 200
    [order] = orders(app)
    assert order.status == "failed"
    assert reserved(app, shop.police.id) == 2


def test_a_full_refund_gives_the_units_back_and_a_partial_one_does_not(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 2})
    assert check_out(client, card_token(localstripe)).status_code == 302
    assert reserved(app, shop.police.id) == 4
    [order] = orders(app)
    with app.app_context():
        donation = db.session.get(Order, order.id).donation
        refund_donation(donation, 1000, "a gesture", "partial-key")
        db.session.commit()
    assert reserved(app, shop.police.id) == 4
    with app.app_context():
        donation = db.session.get(Order, order.id).donation
        refund_donation(donation, donation.amount_cents - 1000, "gone", "full-key")
        db.session.commit()
    [order] = orders(app)
    assert order.status == "refunded"
    assert reserved(app, shop.police.id) == 2

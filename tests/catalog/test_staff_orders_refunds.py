"""Refunding an order: by staff (once per key) or in the Stripe dashboard; scheduled cards are cancelled."""

import re
from datetime import UTC, date, datetime
from html import unescape

from crm.catalog.models import HonourCard, Item, Order, OrderLine
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.outbox import enqueue_email
from crm.payments.models import Donation, Refund
from crm.payments.signals import payment_refunded
from tests.blns import STRINGS
from tests.helpers import csrf_token
from tests.payments.helpers import paid_gift, stripe_api
from tests.payments.test_refunds import deliver_charge_refunded

KEY_RE = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def paid_order(app, client, localstripe):
    """A real 50.00 gift paid through localstripe, with an order on it: two e-cards (one sent) and a printed card."""
    donation_id, pi = paid_gift(app, client, localstripe)
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        item = Item(slug="goat", name_en="Goat", name_fr="Chèvre", price_cents=2500)
        db.session.add(item)
        db.session.flush()
        order = Order(
            supporter_id=donation.supporter_id,
            donation_id=donation.id,
            status="paid",
            total_cents=5000,
            currency="cad",
            first_name="Élise",
            last_name="Côté",
            email="elise@example.org",
            paid_at=datetime(2026, 3, 2, tzinfo=UTC),
        )
        db.session.add(order)
        db.session.flush()
        db.session.add(OrderLine(order_id=order.id, item_id=item.id, quantity=2, unit_price_cents=2500, name="Goat"))
        cards = {}
        for name, status in (("Lucie", "scheduled"), ("Paul", "sent")):
            email = enqueue_email(f"test-card-{name}", "gift_thanks", f"{name.lower()}@example.org")
            db.session.flush()
            email.status = "queued" if status == "scheduled" else "sent"
            card = HonourCard(
                order_id=order.id,
                honouree_name=name,
                honouree_email=email.to_address,
                deliver_on=date(2026, 12, 24),
                status=status,
                email_id=email.id,
            )
            db.session.add(card)
            cards[name] = card
        cards["Printed"] = HonourCard(
            order_id=order.id, honouree_name="Printed", delivery="print", deliver_on=date(2026, 12, 24)
        )
        db.session.add(cards["Printed"])
        db.session.commit()
        return order.id, pi


def order_state(app, order_id):
    """Return the order's status and {honouree: (card status, its email's status)}."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        cards = {}
        for card in order.cards:
            email = db.session.get(OutboundEmail, card.email_id) if card.email_id else None
            cards[card.honouree_name] = (card.status, email.status if email else None)
        return order.status, cards


REFUNDED_CARDS = {
    "Lucie": ("cancelled", "cancelled"),
    "Paul": ("sent", "sent"),  # already delivered: left alone
    "Printed": ("cancelled", None),
}
UNTOUCHED_CARDS = {"Lucie": ("scheduled", "queued"), "Paul": ("sent", "sent"), "Printed": ("scheduled", None)}


def refund_form(client, order_id):
    url = f"/staff/catalog/orders/{order_id}"
    page = client.get(url).get_data(as_text=True)
    match = KEY_RE.search(page)
    assert match, "no refund form on the page"
    return match.group(1), csrf_token(client, url)


def refunds(app):
    with app.app_context():
        return [(r.amount_cents, r.idempotency_key, r.created_by_id) for r in db.session.scalars(db.select(Refund))]


def test_a_full_refund_cancels_scheduled_cards_once_even_posted_twice(app, client, localstripe, make_client):
    order_id, pi = paid_order(app, client, localstripe)
    staff, user = make_client()
    key, token = refund_form(staff, order_id)
    url = f"/staff/catalog/orders/{order_id}/refund"
    data = {"amount": "50,00", "reason": "Ordered twice", "idempotency_key": key, "csrf_token": token}
    first = staff.post(url, data=data)
    second = staff.post(url, data=data)  # a retried or doubled click
    assert first.status_code == 302, unescape(first.get_data(as_text=True))
    assert first.headers["Location"].endswith(f"/staff/catalog/orders/{order_id}#refund")
    assert second.status_code == 302
    assert refunds(app) == [(5000, key, user.id)]
    assert len(stripe_api(localstripe, "GET", f"refunds?payment_intent={pi}")["data"]) == 1
    assert order_state(app, order_id) == ("refunded", REFUNDED_CARDS)
    page = staff.get(f"/staff/catalog/orders/{order_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Refunded" in page and KEY_RE.search(page) is None  # nothing left to refund
    assert "/resend" not in page  # the cards of a refunded order are not sent again
    with app.app_context():
        lucie = db.session.scalar(db.select(HonourCard.id).filter_by(honouree_name="Lucie"))
    resend = staff.post(
        f"/staff/catalog/orders/{order_id}/cards/{lucie}/resend",
        data={"csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert resend.status_code == 400 and "cannot be sent" in resend.get_data(as_text=True)
    assert order_state(app, order_id) == ("refunded", REFUNDED_CARDS)

    # Stripe then tells us about the refund we made: nothing more happens.
    deliver_charge_refunded(app, client, localstripe, pi, "evt_order_staff_refund")
    assert refunds(app) == [(5000, key, user.id)]
    assert order_state(app, order_id) == ("refunded", REFUNDED_CARDS)


def test_a_partial_refund_marks_the_order_partly_refunded_and_keeps_its_cards(app, client, localstripe, make_client):
    order_id, _ = paid_order(app, client, localstripe)
    staff, _ = make_client("admin")
    key, token = refund_form(staff, order_id)
    data = {"amount": "20", "reason": "One goat less", "idempotency_key": key, "csrf_token": token}
    assert staff.post(f"/staff/catalog/orders/{order_id}/refund", data=data).status_code == 302
    status, cards = order_state(app, order_id)
    assert status == "partially_refunded"
    assert cards == UNTOUCHED_CARDS  # a partial refund may be a gesture: only a full refund stops the cards
    with app.app_context():
        donation = db.session.get(Order, order_id).donation
        assert (donation.status, donation.refunded_cents) == ("partially_refunded", 2000)


def test_a_dashboard_refund_does_the_same_to_the_order(app, client, localstripe):
    order_id, pi = paid_order(app, client, localstripe)
    announced = []

    def receiver(sender, **kwargs):
        announced.append((kwargs["donation"].id, kwargs["refund"].amount_cents if kwargs["refund"] else None))

    payment_refunded.connect(receiver)
    try:
        stripe_api(localstripe, "POST", "refunds", payment_intent=pi)
        deliver_charge_refunded(app, client, localstripe, pi, "evt_order_dashboard", times=2)
    finally:
        payment_refunded.disconnect(receiver)
    assert order_state(app, order_id) == ("refunded", REFUNDED_CARDS)
    with app.app_context():
        donation_id = db.session.get(Order, order_id).donation_id
    assert announced == [(donation_id, 5000)]  # once per recorded refund, not per delivery


def test_bad_refund_posts_give_a_4xx_and_refund_nothing(app, client, localstripe, make_client):
    order_id, _ = paid_order(app, client, localstripe)
    staff, _ = make_client()
    url = f"/staff/catalog/orders/{order_id}/refund"
    key, token = refund_form(staff, order_id)
    for amount, message in (("0", "Enter an amount above zero."), ("60", "That is more than what is left")):
        data = {"amount": amount, "reason": "x", "idempotency_key": key, "csrf_token": token}
        response = staff.post(url, data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))
    expired = staff.post(url, data={"amount": "1", "reason": "x", "idempotency_key": "nope", "csrf_token": token})
    assert expired.status_code == 400
    for value in STRINGS[::7]:
        for data in ({"amount": value, "reason": "x"}, {"amount": "1", "reason": "x", "idempotency_key": value}):
            response = staff.post(url, data={"idempotency_key": key, **data, "csrf_token": token})
            assert response.status_code in (302, 400), f"{response.status_code} for {data!r}"
    assert [amount for amount, _, _ in refunds(app)] in ([], [100])  # a blns "1" may refund 1.00; never a 500
    status, cards = order_state(app, order_id)
    assert cards["Paul"] == ("sent", "sent")
    assert status in ("paid", "partially_refunded")

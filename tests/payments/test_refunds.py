"""Refunds: asked by staff (once per idempotency key) and made in the Stripe dashboard (charge.refunded)."""

import threading

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.payments.models import Donation, Receipt, Refund, StripeEvent, receipt_donations
from crm.payments.services import DonationError, PaymentsUnavailable
from tests.blns import STRINGS
from tests.payments.helpers import (
    charge_of,
    event_payload,
    outside_payment,
    paid_gift,
    post_signed,
    refund,
    sign,
    stripe_api,
)


def stripe_refunds(app, localstripe, pi):
    return stripe_api(localstripe, "GET", f"refunds?payment_intent={pi}&limit=100")["data"]


def deliver_charge_refunded(app, client, localstripe, pi, event_id, times=1):
    """Send charge.refunded as Stripe would after a dashboard refund, signed with the webhook secret."""
    charge = stripe_api(localstripe, "GET", f"charges/{charge_of(localstripe, pi)}")
    obj = {
        "id": charge["id"],
        "object": "charge",
        "payment_intent": pi,
        "amount": charge["amount"],
        "amount_refunded": charge["amount_refunded"],
        "refunded": charge["refunded"],
    }
    payload = event_payload(event_id, "charge.refunded", obj)
    for _ in range(times):
        response = post_signed(client, payload, sign(payload, app.config["STRIPE_WEBHOOK_SECRET"]))
        assert response.status_code == 200, response.get_data(as_text=True)


def gift_state(app, donation_id):
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        return donation.status, donation.refunded_cents


def issued_receipts(app, donation_id):
    """Return the amounts of the issued (not cancelled) receipts that cover this gift."""
    with app.app_context():
        return db.session.scalars(
            db.select(Receipt.amount_cents)
            .join(receipt_donations, receipt_donations.c.receipt_id == Receipt.id)
            .where(receipt_donations.c.donation_id == donation_id, Receipt.status == "issued")
        ).all()


def refund_rows(app):
    with app.app_context():
        return [
            (row.amount_cents, row.idempotency_key, row.stripe_refund_id)
            for row in db.session.scalars(db.select(Refund).order_by(Refund.id))
        ]


def test_staff_refund_in_full(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    assert issued_receipts(app, gift) == [5000]
    refund(app, gift, 5000, "key-full", reason="Gave twice by mistake")
    assert gift_state(app, gift) == ("refunded", 5000)
    assert issued_receipts(app, gift) == []  # cancelled, nothing left to receipt
    [(amount, key, stripe_id)] = refund_rows(app)
    assert (amount, key) == (5000, "key-full")
    [made] = stripe_refunds(app, localstripe, pi)
    assert (made["id"], made["amount"], made["metadata"]) == (stripe_id, 5000, {"reason": "Gave twice by mistake"})
    with app.app_context():
        audit = db.session.scalar(db.select(AuditEvent).filter_by(action="donation.refund"))
        assert (audit.target_id, audit.changes["amount_cents"], audit.changes["status"]) == (
            gift,
            5000,
            ["succeeded", "refunded"],
        )
        assert db.session.get(Donation, gift).stripe_charge_id == charge_of(localstripe, pi)


def test_partial_refund_leaves_the_rest(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    refund(app, gift, 1234, "key-part")
    assert gift_state(app, gift) == ("partially_refunded", 1234)
    assert issued_receipts(app, gift) == [5000 - 1234]  # cancelled and replaced for what is left
    refund(app, gift, 5000 - 1234, "key-rest")
    assert gift_state(app, gift) == ("refunded", 5000)
    assert sorted(made["amount"] for made in stripe_refunds(app, localstripe, pi)) == [1234, 3766]


def test_the_same_idempotency_key_refunds_once(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    first = refund(app, gift, 1000, "key-retried")
    second = refund(app, gift, 1000, "key-retried")  # a retried click, a double submit
    assert first == second
    assert gift_state(app, gift) == ("partially_refunded", 1000)
    assert len(refund_rows(app)) == 1
    assert len(stripe_refunds(app, localstripe, pi)) == 1


def test_two_clicks_at_once_with_one_key_refund_once(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    made, errors = [], []
    barrier = threading.Barrier(3)

    def click(key, amount):
        barrier.wait()
        try:
            made.append(refund(app, gift, amount, key))
        except DonationError as error:
            errors.append(str(error))

    # The same click twice at once, and another refund racing them for what is left.
    threads = [
        threading.Thread(target=click, args=args) for args in (("key-a", 3000), ("key-a", 3000), ("key-b", 3000))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(made) + len(errors) == 3
    assert len(refund_rows(app)) == 1  # key-b found too little left, or key-a did
    assert len(stripe_refunds(app, localstripe, pi)) == 1
    assert gift_state(app, gift) == ("partially_refunded", 3000)


@pytest.mark.parametrize("amount", [0, -1, 5001, 10**12, "1000", 10.5, True, None])
def test_a_refund_outside_what_is_left_is_refused(app, client, localstripe, amount):
    gift, pi = paid_gift(app, client, localstripe)
    with pytest.raises(DonationError):
        refund(app, gift, amount, "key-bad")
    assert gift_state(app, gift) == ("succeeded", 0)
    assert refund_rows(app) == []
    assert stripe_refunds(app, localstripe, pi) == []


def test_over_refund_after_a_partial_one_is_refused(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    refund(app, gift, 4000, "key-first")
    with pytest.raises(DonationError):
        refund(app, gift, 1001, "key-second")
    assert gift_state(app, gift) == ("partially_refunded", 4000)
    assert len(stripe_refunds(app, localstripe, pi)) == 1
    with pytest.raises(DonationError):
        refund(app, gift, 1000, "")  # no key: refused rather than risk a double refund


def test_gifts_that_cannot_be_refunded_are_refused(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    with app.app_context():
        paid = db.session.get(Donation, gift)
        offline = Donation(
            supporter_id=paid.supporter_id, amount_cents=2000, currency="cad", status="succeeded", method="cheque"
        )
        pending = Donation(supporter_id=paid.supporter_id, amount_cents=2000, currency="cad", status="pending")
        db.session.add_all([offline, pending])
        paid.status = "disputed"
        db.session.commit()
        ids = [offline.id, pending.id, gift]
    for donation_id in ids:
        with pytest.raises(DonationError):
            refund(app, donation_id, 1000, f"key-{donation_id}")
    assert refund_rows(app) == []
    assert stripe_refunds(app, localstripe, pi) == []


def test_a_refund_stripe_refuses_keeps_nothing_and_can_be_tried_again(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)

    def point_at(payment_intent):
        with app.app_context():
            db.session.get(Donation, gift).stripe_payment_intent_id = payment_intent
            db.session.commit()

    point_at("pi_unknown_to_stripe")
    with pytest.raises(PaymentsUnavailable):
        refund(app, gift, 1000, "key-again")
    assert refund_rows(app) == []
    assert gift_state(app, gift) == ("succeeded", 0)
    point_at(pi)
    refund(app, gift, 1000, "key-again")
    assert gift_state(app, gift) == ("partially_refunded", 1000)
    assert len(stripe_refunds(app, localstripe, pi)) == 1


def test_any_reason_text_is_kept(app, client, localstripe):
    gift, _pi = paid_gift(app, client, localstripe)
    strings = [text for text in STRINGS if text.strip()][::60][:12]
    for number, reason in enumerate([*strings, "nul\x00byte", "x" * 2000]):
        refund(app, gift, 1, f"key-blns-{number}", reason=reason)
    rows = refund_rows(app)
    assert len(rows) == len(strings) + 2
    assert gift_state(app, gift) == ("partially_refunded", len(rows))
    with app.app_context():
        reasons = db.session.scalars(db.select(Refund.reason).order_by(Refund.id)).all()
    assert reasons[-2:] == ["nulbyte", "x" * 500]


def test_a_dashboard_refund_is_recorded_once_even_delivered_twice(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    stripe_api(localstripe, "POST", "refunds", payment_intent=pi)
    deliver_charge_refunded(app, client, localstripe, pi, "evt_refunded_1", times=2)
    deliver_charge_refunded(app, client, localstripe, pi, "evt_refunded_2")  # the same news in another event
    assert gift_state(app, gift) == ("refunded", 5000)
    [(amount, key, stripe_id)] = refund_rows(app)
    assert (amount, key, stripe_id) == (5000, None, stripe_refunds(app, localstripe, pi)[0]["id"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StripeEvent)) == 2
        audit = db.session.scalars(db.select(AuditEvent).filter_by(action="donation.refund_found")).all()
        assert len(audit) == 1


def test_a_partial_staff_refund_then_dashboard_refunds_add_up(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    refund(app, gift, 1000, "key-staff")
    # Stripe also tells us about the refund we made ourselves: it is not counted twice.
    deliver_charge_refunded(app, client, localstripe, pi, "evt_staff_refund")
    assert gift_state(app, gift) == ("partially_refunded", 1000)

    stripe_api(localstripe, "POST", "refunds", payment_intent=pi, amount=1500)
    deliver_charge_refunded(app, client, localstripe, pi, "evt_dashboard_1", times=2)
    assert gift_state(app, gift) == ("partially_refunded", 2500)
    assert issued_receipts(app, gift) == [2500]

    stripe_api(localstripe, "POST", "refunds", payment_intent=pi, amount=2500)
    deliver_charge_refunded(app, client, localstripe, pi, "evt_dashboard_2")
    deliver_charge_refunded(app, client, localstripe, pi, "evt_dashboard_1")  # late copy of an older event
    assert gift_state(app, gift) == ("refunded", 5000)
    rows = refund_rows(app)
    assert [(amount, key) for amount, key, _ in rows] == [(1000, "key-staff"), (1500, None), (2500, None)]
    assert sorted(stripe_id for _, _, stripe_id in rows) == sorted(
        r["id"] for r in stripe_refunds(app, localstripe, pi)
    )
    with pytest.raises(DonationError):
        refund(app, gift, 1, "key-after")


def test_charge_refunded_for_an_unknown_charge_is_stored_and_ignored(app, client, localstripe):
    pi = outside_payment(localstripe)
    stripe_api(localstripe, "POST", "refunds", payment_intent=pi)
    deliver_charge_refunded(app, client, localstripe, pi, "evt_unknown_charge")
    assert refund_rows(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(StripeEvent.processed_at)) is not None

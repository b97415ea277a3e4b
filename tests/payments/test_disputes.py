"""Disputes (chargebacks), sent as Stripe sends them (localstripe has none): in order, out of order, twice."""

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.payments.models import Donation, Receipt, receipt_donations
from crm.payments.services import DonationError
from tests.payments.helpers import charge_of, outside_payment, paid_gift, post_event, refund


def dispute_event(app, client, event_id, event_type, dispute_id, status, charge, pi=None):
    obj = {
        "id": dispute_id,
        "object": "dispute",
        "amount": 5000,
        "currency": "cad",
        "charge": charge,
        "reason": "fraudulent",
        "status": status,
    }
    if pi is not None:
        obj["payment_intent"] = pi
    response = post_event(client, event_id, event_type, obj, app.config["STRIPE_WEBHOOK_SECRET"])
    assert response.status_code == 200, response.get_data(as_text=True)


def state(app, donation_id):
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        issued = db.session.scalar(
            db.select(db.func.count())
            .select_from(Receipt)
            .join(receipt_donations, receipt_donations.c.receipt_id == Receipt.id)
            .where(receipt_donations.c.donation_id == donation_id, Receipt.status == "issued")
        )
        return donation.status, donation.refunded_cents, donation.stripe_dispute_id, donation.dispute_status, issued


def audits(app):
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).filter_by(action="donation.dispute")
        )


def test_a_dispute_created_then_lost(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    charge = charge_of(localstripe, pi)
    receipts_before = state(app, gift)[4]
    assert receipts_before == 1
    dispute_event(app, client, "evt_dp_1", "charge.dispute.created", "dp_lost", "needs_response", charge, pi)
    assert state(app, gift) == ("disputed", 0, "dp_lost", "needs_response", receipts_before)
    with pytest.raises(DonationError):
        refund(app, gift, 1000, "key-during-dispute")  # the bank holds the money now

    dispute_event(app, client, "evt_dp_2", "charge.dispute.closed", "dp_lost", "lost", charge, pi)
    dispute_event(app, client, "evt_dp_2", "charge.dispute.closed", "dp_lost", "lost", charge, pi)  # a copy
    assert state(app, gift) == ("refunded", 5000, "dp_lost", "lost", 0)  # the receipt is cancelled
    assert audits(app) == 2


def test_a_dispute_created_then_won(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    charge = charge_of(localstripe, pi)
    receipts_before = state(app, gift)[4]
    dispute_event(app, client, "evt_dp_3", "charge.dispute.created", "dp_won", "warning_needs_response", charge, pi)
    dispute_event(app, client, "evt_dp_4", "charge.dispute.created", "dp_won", "warning_needs_response", charge, pi)
    dispute_event(app, client, "evt_dp_5", "charge.dispute.closed", "dp_won", "won", charge, pi)
    assert state(app, gift) == ("succeeded", 0, "dp_won", "won", receipts_before)
    assert audits(app) == 2


def test_a_won_dispute_after_a_partial_refund_keeps_the_refund(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    charge = charge_of(localstripe, pi)
    refund(app, gift, 1000, "key-before-dispute")
    dispute_event(app, client, "evt_dp_6", "charge.dispute.created", "dp_part", "needs_response", charge, pi)
    dispute_event(app, client, "evt_dp_7", "charge.dispute.closed", "dp_part", "won", charge, pi)
    assert state(app, gift)[:4] == ("partially_refunded", 1000, "dp_part", "won")


@pytest.mark.parametrize("outcome", ["lost", "won"])
def test_closed_before_created_ends_as_in_order(app, client, localstripe, outcome):
    in_order, pi_1 = paid_gift(app, client, localstripe)
    disorder, pi_2 = paid_gift(app, client, localstripe)
    charge_1, charge_2 = charge_of(localstripe, pi_1), charge_of(localstripe, pi_2)

    dispute_event(app, client, "evt_a1", "charge.dispute.created", "dp_a", "needs_response", charge_1, pi_1)
    dispute_event(app, client, "evt_a2", "charge.dispute.closed", "dp_a", outcome, charge_1, pi_1)

    dispute_event(app, client, "evt_b2", "charge.dispute.closed", "dp_b", outcome, charge_2, pi_2)
    dispute_event(app, client, "evt_b1", "charge.dispute.created", "dp_b", "needs_response", charge_2, pi_2)

    first, second = state(app, in_order), state(app, disorder)
    assert first[:2] + first[3:] == second[:2] + second[3:]
    assert first[3] == outcome
    assert first[0] == ("refunded" if outcome == "lost" else "succeeded")


def test_a_dispute_that_names_only_the_charge_finds_its_gift(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    charge = charge_of(localstripe, pi)
    dispute_event(app, client, "evt_dp_8", "charge.dispute.created", "dp_charge", "needs_response", charge)
    assert state(app, gift)[:4] == ("disputed", 0, "dp_charge", "needs_response")
    with app.app_context():
        assert db.session.get(Donation, gift).stripe_charge_id == charge


def test_a_dispute_about_an_unknown_or_malformed_object_changes_nothing(app, client, localstripe):
    gift, pi = paid_gift(app, client, localstripe)
    charge = charge_of(localstripe, pi)
    other = charge_of(localstripe, outside_payment(localstripe))
    dispute_event(app, client, "evt_dp_9", "charge.dispute.created", "dp_other", "needs_response", other)
    dispute_event(app, client, "evt_dp_10", "charge.dispute.created", "not-a-dispute", "needs_response", charge, pi)
    dispute_event(app, client, "evt_dp_11", "charge.dispute.created", "dp_x", "<script>", charge, pi)
    assert state(app, gift)[:4] == ("succeeded", 0, "", "")

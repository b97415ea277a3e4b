"""Disputes (chargebacks): a gift under dispute, and what its outcome does to it.

Stripe cannot be asked again about a dispute here (localstripe has none), so these act on the
verified event payload; the order of arrival does not matter, because a closed dispute is final.
"""

import logging

from crm.audit import record_audit
from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import Donation
from crm.payments.services import donations, receipts, refunds
from crm.utc import utcnow

log = logging.getLogger(__name__)

# Stripe's dispute statuses: a won or lost dispute (or a closed inquiry) never opens again.
CLOSED_STATUSES = ("won", "lost", "warning_closed")
OPEN_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")


def _string(value):
    return value[:255] if isinstance(value, str) else ""


def _find_gift(payment_intent_id, charge_id):
    if payment_intent_id:
        donation = db.session.scalar(db.select(Donation).filter_by(stripe_payment_intent_id=payment_intent_id))
        if donation is not None:
            return donation
    if charge_id:
        donation = db.session.scalar(db.select(Donation).filter_by(stripe_charge_id=charge_id))
        # The gift knows its PaymentIntent or invoice, not always its charge: ask Stripe which it was.
        return donation or refunds.gift_of_charge(gateway.retrieve_charge(charge_id))
    return None


def on_dispute_changed(obj, now):
    """Webhook charge.dispute.created/closed: mark the gift disputed, then won or lost."""
    dispute_id = _string(obj.get("id"))
    status = _string(obj.get("status"))
    if not dispute_id.startswith("dp_") or status not in CLOSED_STATUSES + OPEN_STATUSES:
        return
    donation = _find_gift(_string(obj.get("payment_intent")), _string(obj.get("charge")))
    if donation is None:
        log.warning("dispute %s is about no gift we know", dispute_id)
        return
    apply_dispute(donation, dispute_id, status, charge_id=_string(obj.get("charge")), now=now)


def apply_dispute(donation, dispute_id, status, charge_id="", now=None):
    """Bring the gift to what this dispute status means for it; return True if it changed."""
    now = now or utcnow()
    if donation.status == "pending" and donation.stripe_payment_intent_id:
        donations.fulfil(donation.stripe_payment_intent_id, now=now)  # disputed means it was paid
    donation = refunds.lock_gift(donation)
    if donation.status in ("pending", "failed"):
        return False
    same_dispute = donation.stripe_dispute_id == dispute_id
    if same_dispute and (donation.dispute_status == status or donation.dispute_status in CLOSED_STATUSES):
        return False  # a copy, or news older than the outcome we already have
    before = (donation.status, donation.refunded_cents, donation.dispute_status)
    donation.stripe_dispute_id = dispute_id
    donation.dispute_status = status[:40]
    if charge_id and not donation.stripe_charge_id:
        donation.stripe_charge_id = charge_id
    if status == "lost":
        donation.refunded_cents = donation.amount_cents  # the bank took the money back
        donation.status = "refunded"
    elif status in CLOSED_STATUSES:
        donation.status = _status_after(donation)
    else:
        donation.status = "disputed"
    db.session.flush()
    record_audit(
        None,
        "donation.dispute",
        "donation",
        donation.id,
        changes={
            "stripe_dispute_id": dispute_id,
            "status": [before[0], donation.status],
            "refunded_cents": [before[1], donation.refunded_cents],
            "dispute_status": [before[2], donation.dispute_status],
        },
        now=now,
    )
    db.session.flush()
    if donation.refunded_cents != before[1]:
        receipts.adjust_after_refund(donation, now)
    return True


def _status_after(donation):
    if donation.refunded_cents <= 0:
        return "succeeded"
    return "refunded" if donation.refunded_cents >= donation.amount_cents else "partially_refunded"

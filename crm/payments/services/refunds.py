"""Refunds: asked by staff (once per idempotency key) or found on Stripe (made in the dashboard)."""

import logging

from flask_babel import gettext as _

from crm.audit import record_audit
from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import Donation, Refund
from crm.payments.models.donations import REFUNDABLE_STATUSES
from crm.payments.services import DonationError, donations, receipts, translate_gateway_errors
from crm.payments.signals import payment_refunded
from crm.unique import add_once, lock_row
from crm.utc import utcnow

log = logging.getLogger(__name__)

# A refund Stripe could not make (or that was cancelled) gives nothing back.
VOID_REFUND_STATUSES = ("failed", "canceled")


def lock_gift(donation):
    """Lock the gift's row, so refunds and events about it take turns; return it re-read (crm.unique.lock_row)."""
    return lock_row(donation, "refunded_cents")


def _refund_status(refunded_cents, amount_cents):
    if refunded_cents <= 0:
        return "succeeded"
    return "refunded" if refunded_cents >= amount_cents else "partially_refunded"


def _refund_by_key(key):
    return db.session.scalar(db.select(Refund).filter_by(idempotency_key=key))


def _refund_by_stripe_id(stripe_refund_id):
    return db.session.scalar(db.select(Refund).filter_by(stripe_refund_id=stripe_refund_id))


def _clean_reason(reason):
    # PostgreSQL refuses NUL in text, and Stripe metadata takes 500 characters at most.
    return str(reason or "").replace("\x00", "").strip()[:500]


def _check_refundable(donation, amount_cents):
    if not donation.paid_by_card_processor:
        raise DonationError(_("An offline gift cannot be refunded through the card processor."))
    if donation.status not in REFUNDABLE_STATUSES:
        raise DonationError(_("Only a paid gift that is not under dispute can be refunded."))
    if (
        isinstance(amount_cents, bool)
        or not isinstance(amount_cents, int)
        or not 1 <= amount_cents <= donation.net_cents
    ):
        raise DonationError(_("The refund must be at least one cent and no more than what is left on the gift."))


def _apply_refunded(donation, refunded_cents):
    """Set what has been given back on the gift and the status that follows; return True if it changed."""
    refunded_cents = min(max(refunded_cents, donation.refunded_cents), donation.amount_cents)
    status = donation.status
    if status in ("succeeded", "partially_refunded", "refunded"):
        status = _refund_status(refunded_cents, donation.amount_cents)
    if (refunded_cents, status) == (donation.refunded_cents, donation.status):
        return False
    donation.refunded_cents = refunded_cents
    donation.status = status
    return True


def check_refund(donation, amount_cents):
    """Raise DonationError if this refund would be refused; return the receipt it would change (or None).

    What the confirmation page checks before it says what will happen; refund_donation checks again.
    """
    _check_refundable(donation, amount_cents)
    return receipts.current_receipt(donation)


@translate_gateway_errors
def refund_donation(donation, amount_cents, reason, idempotency_key, actor=None, now=None):
    """Refund part or all of a paid gift through Stripe, once per idempotency key; return the Refund.

    Raise DonationError when the amount is not between 1 cent and what is left, or the gift
    cannot be refunded (not paid, an offline gift, under dispute); PaymentsUnavailable when Stripe
    cannot be reached or refuses (nothing is kept). Adjusts the gift's status and refunded_cents,
    and its receipt (receipts.adjust_after_refund).
    """
    now = now or utcnow()
    key = (idempotency_key or "").strip()[:100]
    if not key:
        raise DonationError(_("This refund form has expired. Please open it again."))
    donation = lock_gift(donation)
    existing = _refund_by_key(key)
    if existing is None:
        _check_refundable(donation, amount_cents)
        refund = Refund(
            donation_id=donation.id,
            amount_cents=amount_cents,
            currency=donation.currency,
            reason=_clean_reason(reason),
            status="pending",
            idempotency_key=key,
            created_by_id=getattr(actor, "id", None),
            created_at=now,
        )
        if not add_once(refund):
            # The same click, retried while the first was still running: it refunds, this one does not.
            existing = _refund_by_key(key)
            if existing is None:
                raise DonationError(_("This refund is already being made. Please reload the page."))
    if existing is not None:
        if existing.donation_id != donation.id:
            raise DonationError(_("This refund form has expired. Please open it again."))
        return existing
    return _make_refund(donation, refund, actor, now)


def _make_refund(donation, refund, actor, now):
    try:
        made = gateway.create_refund(
            donation.stripe_charge_id or donation.stripe_payment_intent_id,
            refund.amount_cents,
            refund.reason,
            refund.idempotency_key,
        )
    except gateway.GatewayError:
        # Forget the key, so that trying again asks Stripe again.
        db.session.delete(refund)
        db.session.flush()
        raise
    if made["charge"] and not donation.stripe_charge_id:
        donation.stripe_charge_id = made["charge"][:255]
    already = _refund_by_stripe_id(made["id"])
    if already is not None:
        # A charge.refunded webhook recorded this refund first (our commit was lost): keep that row.
        db.session.delete(refund)
        db.session.flush()
        already.idempotency_key = already.idempotency_key or refund.idempotency_key
        db.session.flush()
        return already
    refund.stripe_refund_id = made["id"]
    refund.status = "failed" if made["status"] in VOID_REFUND_STATUSES else "succeeded"
    before = (donation.refunded_cents, donation.status)
    if refund.status == "succeeded":
        _apply_refunded(donation, donation.refunded_cents + refund.amount_cents)
    db.session.flush()
    record_audit(
        actor,
        "donation.refund",
        "donation",
        donation.id,
        changes={
            "refund_id": refund.id,
            "stripe_refund_id": refund.stripe_refund_id,
            "amount_cents": refund.amount_cents,
            "reason": refund.reason,
            "refunded_cents": [before[0], donation.refunded_cents],
            "status": [before[1], donation.status],
        },
        now=now,
    )
    db.session.flush()
    if refund.status == "succeeded":
        receipts.adjust_after_refund(donation, now)
        payment_refunded.send(donation=donation, refund=refund, supporter=donation.supporter)
    return refund


def gift_of_charge(charge):
    """Return the gift a charge paid for: by its PaymentIntent, its own id, or its invoice."""
    for column, value in (
        (Donation.stripe_payment_intent_id, charge["payment_intent"]),
        (Donation.stripe_charge_id, charge["id"]),
        (Donation.stripe_invoice_id, charge["invoice"]),
    ):
        if value:
            donation = db.session.scalar(db.select(Donation).where(column == value))
            if donation is not None:
                return donation
    return None


def on_charge_refunded(obj, now):
    """Webhook charge.refunded: record each refund of the charge once and adjust gift and receipt."""
    charge_id = obj.get("id")
    if not isinstance(charge_id, str) or not charge_id.startswith("ch_"):
        return
    sync_charge_refunds(gateway.retrieve_charge(charge_id), now=now)


def sync_charge_refunds(charge, now=None):
    """Bring a gift up to date with the refunds Stripe has on its charge (a dict from retrieve_charge).

    Return the Donation, or None when no gift was paid by this charge.
    """
    now = now or utcnow()
    donation = gift_of_charge(charge)
    if donation is None:
        log.warning("charge %s refunded, but no gift was paid by it", charge["id"])
        return None
    if donation.status == "pending" and donation.stripe_payment_intent_id:
        # The refund told us first that the gift was paid: count the gift, then its refund.
        donations.fulfil(donation.stripe_payment_intent_id, now=now)
    donation = lock_gift(donation)
    if donation.status in ("pending", "failed"):
        return donation
    if not donation.stripe_charge_id:
        donation.stripe_charge_id = charge["id"][:255]
    found = [refund for made in charge["refunds"] if (refund := _record_found_refund(donation, made, now))]
    before = (donation.refunded_cents, donation.status)
    changed = _apply_refunded(donation, charge["amount_refunded"])
    db.session.flush()
    if any(found) or changed:
        record_audit(
            None,
            "donation.refund_found",
            "donation",
            donation.id,
            changes={
                "stripe_refund_ids": [refund.stripe_refund_id for refund in found],
                "refunded_cents": [before[0], donation.refunded_cents],
                "status": [before[1], donation.status],
            },
            now=now,
        )
        db.session.flush()
    if changed:
        receipts.adjust_after_refund(donation, now)
    # Once per refund recorded here; once with none when only Stripe's total moved.
    for refund in found or ([None] if changed else []):
        payment_refunded.send(donation=donation, refund=refund, supporter=donation.supporter)
    return donation


def _record_found_refund(donation, made, now):
    """Add a refund made outside the CRM, once; return the Refund if this call added it."""
    if made["status"] in VOID_REFUND_STATUSES or not made["amount"] or _refund_by_stripe_id(made["id"]):
        return None
    refund = Refund(
        donation_id=donation.id,
        amount_cents=made["amount"],
        currency=(made["currency"] or donation.currency).lower()[:3],
        reason=_clean_reason(made["reason"]),
        status="succeeded",
        stripe_refund_id=made["id"][:255],
        created_at=now,
    )
    if not add_once(refund):
        return None  # another copy of the event recorded it at the same moment
    return refund

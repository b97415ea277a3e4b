"""Repair what the database missed, from Stripe's own record of recent payments."""

import logging
from datetime import timedelta

from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import Donation
from crm.payments.services import donations, refunds, subscriptions
from crm.utc import utcnow

log = logging.getLogger(__name__)


def _state(donation):
    return (donation.status, donation.refunded_cents) if donation is not None else None


def _gift_by(**criteria):
    return db.session.scalar(db.select(Donation).filter_by(**criteria))


def reconcile(days=3, now=None):
    """Read recent PaymentIntents and invoices from Stripe, repair missed gifts; return lines saying what changed."""
    now = now or utcnow()
    since = int((now - timedelta(days=days)).timestamp())
    lines = []
    for intent in gateway.list_recent_payment_intents(since):
        lines.extend(_repair_intent(intent, now))
    for invoice in gateway.list_recent_invoices(since):
        lines.extend(_repair_invoice(invoice, now))
    return lines


def _repair_intent(intent, now):
    donation = _gift_by(stripe_payment_intent_id=intent["id"])
    if donation is None:
        # Ours if it names a gift: its token (its id, for a payment made before tokens were sent).
        named = intent["metadata"].get("donation_token") or intent["metadata"].get("donation_id")
        if intent["status"] == "succeeded" and named:
            log.warning(
                "PaymentIntent %s (gift %s) is paid but no gift has it: look at it in Stripe", intent["id"], named
            )
        return []
    before = _state(donation)
    if intent["invoice"]:
        pass  # an invoice's payment is counted from the invoice, below; its refunds are checked here
    elif intent["status"] == "succeeded" and donation.status in ("pending", "failed"):
        donations.fulfil(intent["id"], now=now)
    elif intent["status"] in ("requires_payment_method", "canceled") and donation.status == "pending":
        donations.mark_failed(intent["id"], intent["error_message"])
    if intent["status"] == "succeeded" and intent["latest_charge"]:
        charge = gateway.retrieve_charge(intent["latest_charge"])
        if charge["amount_refunded"] > donation.refunded_cents:
            refunds.sync_charge_refunds(charge, now=now)
    db.session.refresh(donation)
    after = _state(donation)
    if after == before:
        return []
    return [f"gift {donation.id} ({intent['id']}): {_describe(before)} -> {_describe(after)}"]


def _repair_invoice(invoice, now):
    invoice_id = invoice.get("id")
    if not isinstance(invoice_id, str) or invoice.get("status") != "paid":
        return []
    before = _state(_gift_by(stripe_invoice_id=invoice_id))
    if before is not None and before[0] not in ("pending", "failed"):
        return []
    subscriptions.on_invoice_paid(invoice, now)
    db.session.flush()
    donation = _gift_by(stripe_invoice_id=invoice_id)
    after = _state(donation)
    if after == before:
        return []
    return [f"gift {donation.id} ({invoice_id}): {_describe(before)} -> {_describe(after)}"]


def _describe(state):
    if state is None:
        return "missing"
    status, refunded_cents = state
    return f"{status}, {refunded_cents} cents refunded" if refunded_cents else status

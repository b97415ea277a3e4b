"""Stripe webhook events: each stored once, then handed to the handler for its type."""

from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import StripeEvent
from crm.payments.services import disputes, donations, refunds, subscriptions, translate_gateway_errors
from crm.unique import add_once
from crm.utc import utcnow

# type -> handler(obj: dict, now) ; every handler is idempotent and re-reads from Stripe what it acts on.
HANDLERS = {
    "payment_intent.succeeded": donations.on_payment_intent_succeeded,
    "payment_intent.payment_failed": donations.on_payment_intent_failed,
    "invoice.payment_succeeded": subscriptions.on_invoice_paid,
    "invoice.payment_failed": subscriptions.on_invoice_failed,
    "customer.subscription.updated": subscriptions.on_subscription_changed,
    "customer.subscription.deleted": subscriptions.on_subscription_changed,
    "charge.refunded": refunds.on_charge_refunded,
    "charge.dispute.created": disputes.on_dispute_changed,
    "charge.dispute.closed": disputes.on_dispute_changed,
}


def _object(event):
    obj = (event.get("data") or {}).get("object")
    return obj if isinstance(obj, dict) else {}


def _string(value):
    return value[:255] if isinstance(value, str) else ""


def _payment_intent_id(event_type, obj):
    if event_type.startswith("payment_intent."):
        return _string(obj.get("id"))
    return _string(obj.get("payment_intent"))


@translate_gateway_errors
def receive_stripe_event(payload, signature_header, now=None):
    """Check a webhook's signature and record its event (see record_stripe_event).

    Raise WebhookRefused for a body that is not Stripe's, PaymentsUnavailable when acting on it
    needs Stripe and Stripe cannot answer (nothing is stored: Stripe sends it again).
    """
    return record_stripe_event(gateway.verify_webhook(payload, signature_header), now=now)


def record_stripe_event(event, now=None):
    """Store a verified event once and act on it; return the StripeEvent, or None for a duplicate."""
    now = now or utcnow()
    obj = _object(event)
    stored = StripeEvent(
        event_id=event["id"][:255],
        type=event["type"][:100],
        object_id=_string(obj.get("id")),
        payment_intent_id=_payment_intent_id(event["type"], obj),
        received_at=now,
        payload=event,
    )
    if not add_once(stored):
        return None
    handler = HANDLERS.get(event["type"])
    if handler is not None:
        handler(obj, now)
    stored.processed_at = now
    db.session.flush()
    return stored

"""The supporter's Stripe Customer: one per person, found again from their earlier gifts and monthly plans.

One-time gifts and monthly gifts both use it, so neither imports the other for it.
"""

from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import Donation, RecurringGift


def _latest_customer_id(model, supporter):
    return db.session.scalar(
        db.select(model.stripe_customer_id)
        .where(model.supporter_id == supporter.id, model.stripe_customer_id != "")
        .order_by(model.id.desc())
        .limit(1)
    )


def known_customer_id(supporter):
    """The Customer id of the person's latest gift, else of their latest monthly plan, else ""."""
    return _latest_customer_id(Donation, supporter) or _latest_customer_id(RecurringGift, supporter) or ""


def customer_for(payer, supporter, idempotency_key=None):
    """Return the Customer id for a Donation or RecurringGift about to be charged (found or created at Stripe)."""
    return gateway.find_or_create_customer(
        payer.email, payer.donor_name, known_customer_id(supporter), idempotency_key=idempotency_key
    )

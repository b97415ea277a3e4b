"""Gifts, monthly plans and receipts follow a supporter merged into another record."""

from sqlalchemy import update

from crm.extensions import db
from crm.payments.models import Donation, Receipt, RecurringGift
from crm.supporters.signals import merged

OWNED_MODELS = (Donation, RecurringGift, Receipt)


def move_payments(sender=None, **kwargs):
    """Point the absorbed record's gifts, plans and receipts at the survivor (in the merge's transaction)."""
    survivor, absorbed = kwargs["survivor"], kwargs["merged"]
    for model in OWNED_MODELS:
        db.session.execute(update(model).where(model.supporter_id == absorbed.id).values(supporter_id=survivor.id))
    db.session.flush()


def connect():
    """Subscribe to supporters.signals.merged."""
    merged.connect(move_payments)

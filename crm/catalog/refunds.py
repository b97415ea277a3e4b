"""When the gift that paid an order is refunded (by staff or in the Stripe dashboard), the order follows."""

import logging

from crm.catalog.models import Order
from crm.catalog.services.orders import release_units
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.outbox import cancel_email
from crm.payments.signals import payment_refunded

log = logging.getLogger(__name__)

# The order statuses a refund may move on from (a failed or cancelled order was never paid).
FOLLOWING_STATUSES = ("pending", "paid", "partially_refunded", "refunded")


def cancel_scheduled_cards(order):
    """Cancel the order's cards not yet delivered, and their queued e-cards; return how many."""
    cancelled = 0
    for card in order.cards:
        if card.status != "scheduled":
            continue
        email = db.session.get(OutboundEmail, card.email_id) if card.email_id else None
        if email is not None and email.status in ("sending", "sent"):
            # It is leaving or has left: the card was delivered, whatever its row says yet.
            continue
        if email is not None and email.status in ("queued", "failed"):
            cancel_email(email)
        card.status = "cancelled"
        cancelled += 1
    return cancelled


def follow_refund(sender=None, donation=None, refund=None, supporter=None, **extra):
    """Receiver of payment_refunded: set the order's status from the gift; a full refund cancels its scheduled cards."""
    order = db.session.scalar(db.select(Order).where(Order.donation_id == donation.id))
    if order is None:
        return
    if order.status in FOLLOWING_STATUSES and donation.status in ("refunded", "partially_refunded"):
        if donation.status == "refunded" and order.status != "refunded":
            release_units(order)  # refunded in full: the charity no longer funds those units
        order.status = donation.status
    # A partial refund may be for one line, or a gesture: only a full refund stops the cards.
    count = cancel_scheduled_cards(order) if donation.status == "refunded" else 0
    db.session.flush()
    log.info("order %s follows the refund of gift %s: %s card(s) cancelled", order.id, donation.id, count)


def connect():
    """Subscribe to payments.signals.payment_refunded."""
    payment_refunded.connect(follow_refund)

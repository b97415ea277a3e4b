"""The catalog follows payments: a gift that pays an order makes the order paid."""

from crm.catalog.services.orders import mark_paid, order_for_donation
from crm.payments.signals import payment_succeeded


def on_payment_succeeded(sender=None, donation=None, receipt=None, **extra):
    """Receiver of payment_succeeded: mark the gift's order paid; True when the order's email replaces the thanks."""
    order = order_for_donation(donation)
    if order is None:
        return False
    mark_paid(order, donation, receipt=receipt, now=donation.succeeded_at)
    return True


def connect():
    """Subscribe to payments.signals.payment_succeeded."""
    payment_succeeded.connect(on_payment_succeeded)

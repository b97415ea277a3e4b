"""The catalog follows payments: a gift that pays an order makes it paid; a refused card makes it fail."""

from crm.catalog.services.orders import fail_order, mark_paid, order_for_donation
from crm.payments.signals import payment_failed, payment_succeeded


def on_payment_succeeded(sender=None, donation=None, receipt=None, **extra):
    """Receiver of payment_succeeded: mark the gift's order paid (its confirmation is the thank-you)."""
    order = order_for_donation(donation)
    if order is not None:
        mark_paid(order, donation, receipt=receipt, now=donation.succeeded_at)


def on_payment_failed(sender=None, donation=None, **extra):
    """Receiver of payment_failed: the order fails and gives its held units back (3-D Secure failed, say)."""
    order = order_for_donation(donation)
    if order is not None:
        fail_order(order, donation.failure_message, donation=donation)


def connect():
    """Subscribe to payments.signals.payment_succeeded and payment_failed."""
    payment_succeeded.connect(on_payment_succeeded)
    payment_failed.connect(on_payment_failed)

"""Monthly gifts: a Plan per amount, a Subscription per donor; each paid invoice is one gift.

(Stub: the monthly-gifts slice fills these in.)
"""


def on_invoice_paid(obj, now):
    """Webhook invoice.payment_succeeded: record the paid invoice as one gift, once."""


def on_invoice_failed(obj, now):
    """Webhook invoice.payment_failed: mark the plan past due and email the donor the card link."""


def on_subscription_changed(obj, now):
    """Webhook customer.subscription.updated/deleted: bring the RecurringGift in line with Stripe."""

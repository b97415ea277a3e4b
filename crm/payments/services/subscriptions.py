"""Monthly gifts: a Plan per amount, a Subscription per donor; each paid invoice is one gift.

(Stub: the monthly-gifts slice fills these in.)
"""


def start_monthly(request, gift_cents, fee_cents, now=None):
    """Start a monthly gift of gift_cents + fee_cents (already checked) for this GiftRequest.

    Return a donations.GiftStarted for the first invoice's Donation (status and client_secret of
    its PaymentIntent, as for a one-time gift); raise DonationError / DonationDeclined likewise.
    """
    raise NotImplementedError


def on_invoice_paid(obj, now):
    """Webhook invoice.payment_succeeded: record the paid invoice as one gift, once."""


def on_invoice_failed(obj, now):
    """Webhook invoice.payment_failed: mark the plan past due and email the donor the card link."""


def on_subscription_changed(obj, now):
    """Webhook customer.subscription.updated/deleted: bring the RecurringGift in line with Stripe."""

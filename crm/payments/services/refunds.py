"""Refunds: asked by staff (once per idempotency key) or found on Stripe (made in the dashboard).

(Stub: the refunds slice fills these in.)
"""


def on_charge_refunded(obj, now):
    """Webhook charge.refunded: record each refund of the charge once and adjust gift and receipt."""


def refund_donation(donation, amount_cents, reason, idempotency_key, actor=None, now=None):
    """Refund part or all of a paid gift through Stripe, once per idempotency key; return the Refund.

    Raise DonationError when the amount is not between 1 cent and what is left, or the gift
    cannot be refunded (not paid, an offline gift, under dispute). Adjusts the gift's status and
    refunded_cents, and its receipt (receipts.adjust_after_refund).
    """
    raise NotImplementedError

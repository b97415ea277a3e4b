"""Refunds: asked by staff (once per idempotency key) or found on Stripe (made in the dashboard).

(Stub: the refunds slice fills these in.)
"""


def on_charge_refunded(obj, now):
    """Webhook charge.refunded: record each refund of the charge once and adjust gift and receipt."""

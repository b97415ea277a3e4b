"""Disputes (chargebacks): a gift under dispute, and what its outcome does to it.

(Stub: the refunds slice fills these in.)
"""


def on_dispute_changed(obj, now):
    """Webhook charge.dispute.created/closed: mark the gift disputed, then won or lost."""

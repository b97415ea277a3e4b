"""Events the payments feature announces (catalog and fundraising subscribe in later issues).

Sent with no sender and keyword arguments only; receivers run inside the caller's transaction
and must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# donation= (a Donation that has just succeeded), supporter=
payment_succeeded = _signals.signal("payments.payment_succeeded")

# donation= (a Donation whose card was refused: declined, or 3-D Secure failed), supporter=
payment_failed = _signals.signal("payments.payment_failed")

# donation= (a gift whose refunded amount has just grown, its status already set), refund= (the Refund
# just recorded, or None when Stripe's total moved without a refund we could record), supporter=
payment_refunded = _signals.signal("payments.payment_refunded")

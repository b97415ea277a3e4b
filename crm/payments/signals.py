"""Events the payments feature announces (catalog and fundraising subscribe in later issues).

Sent with no sender and keyword arguments only; receivers run inside the caller's transaction
and must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# donation= (a Donation that has just succeeded), supporter=
payment_succeeded = _signals.signal("payments.payment_succeeded")

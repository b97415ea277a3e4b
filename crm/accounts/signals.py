"""Events the accounts feature announces; mail subscribes to send the emails."""

from blinker import Namespace

_signals = Namespace()

# user= (the User who asked; only sent when the account exists and is active)
password_reset_requested = _signals.signal("accounts.password_reset_requested")

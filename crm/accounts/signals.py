"""Events the accounts feature announces; mail subscribes to send the emails."""

from blinker import Namespace

_signals = Namespace()

# user= (the User who asked; only sent when the account exists and is active)
password_reset_requested = _signals.signal("accounts.password_reset_requested")

# email= (normalised), user= (the active User who owns it, or None), next_url= (a path on this
# site the visitor was going to, or ""): someone asked to create an account with this address.
# Mail sends a link to finish (services.signup_url, on to next_url), or tells the owner they have one.
signup_requested = _signals.signal("accounts.signup_requested")

"""One payment per rendered form: the key a gift or checkout form carries, and what is derived from it.

Each rendering of a payment form carries a fresh random key (never shared: the form also holds the
visitor's CSRF token, so no cache serves it to two people). Posting it again (a double click, a
resent POST, the back button) derives the same token for the gift or order, so the second post
finds the first's row, and the same Stripe idempotency keys. The derived values are HMACs with the
app's SECRET_KEY: a token seen in a thank-you link does not give the key back. The key's last
characters sign its random part with the same secret, so a key this app did not make (made up by
a client, or from before SECRET_KEY changed) is refused as an expired form, not taken as a new one.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

KEY_RE = re.compile(r"[A-Za-z0-9_-]{32}")  # whole: fullmatch (a "$" lets a line end through)
RANDOM_LENGTH = 22  # 16 random bytes, URL-safe; the other 10 characters sign them


def new_submission_key():
    """A fresh key for one rendering of a payment form (32 URL-safe characters)."""
    random_part = secrets.token_urlsafe(16)
    return random_part + _signature(random_part)


def is_submission_key(value):
    """True for a key this app made: the right shape, its random part signed with SECRET_KEY."""
    if not isinstance(value, str) or not KEY_RE.fullmatch(value):
        return False
    return hmac.compare_digest(value[RANDOM_LENGTH:], _signature(value[:RANDOM_LENGTH]))


def _signature(random_part):
    return _derived("key", random_part)[: 32 - RANDOM_LENGTH]


def _derived(purpose, key):
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"{purpose}:{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, like a random token


def donation_token(key):
    """The token of the Donation that the form posted with `key` starts (None without a key)."""
    return _derived("donation", key) if key else None


def order_token(key):
    """The token of the catalog Order that the checkout form posted with `key` places (None without a key)."""
    return _derived("order", key) if key else None


def order_gift_key(key):
    """The key of the one payment of an order: never the key of a gift form (colons are not in KEY_RE)."""
    return f"order:{key}" if key else ""


def idempotency_key(key):
    """The base of the Stripe idempotency keys of this submission's calls (None without a key)."""
    return f"gift-{_derived('stripe', key)}" if key else None

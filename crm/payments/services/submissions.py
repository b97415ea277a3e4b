"""One payment per rendered form: the key a gift or checkout form carries, and what is derived from it.

Each rendering of a payment form carries a fresh random key (never shared: the form also holds the
visitor's CSRF token, so no cache serves it to two people). Posting it again (a double click, a
resent POST, the back button) derives the same token for the gift or order, so the second post
finds the first's row, and the same Stripe idempotency keys. The derived values are HMACs with the
app's SECRET_KEY: a token seen in a thank-you link does not give the key back, and a key chosen by
a client only ever reaches the gift that key itself started.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_submission_key():
    """A fresh key for one rendering of a payment form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def is_submission_key(value):
    return isinstance(value, str) and bool(KEY_RE.match(value))


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

"""Rate limits on failed logins, per account and per address."""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from crm.extensions import limiter
from crm.normalize import normalize_email


def _account_key():
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


def _login_failed(response):
    # Only failures count: a person who logs in fine is never slowed down.
    return bool(g.get("login_failed"))


def _limit(name):
    return lambda: current_app.config[name]


def login_limits(view):
    """Allow a few failed logins a minute per account and per address; then 429."""
    for setting, key_func, scope in (
        ("LOGIN_LIMIT_PER_ADDRESS", get_remote_address, "login-address"),
        ("LOGIN_LIMIT_PER_ACCOUNT", _account_key, "login-account"),
    ):
        view = limiter.limit(
            _limit(setting), key_func=key_func, methods=["POST"], deduct_when=_login_failed, scope=scope
        )(view)
    return view


def note_failed_login():
    """Mark this request as a failed login, for the limits above."""
    g.login_failed = True

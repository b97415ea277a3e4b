"""Account use cases. They add and flush; the caller commits."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from crm.accounts.models import ROLES, LoginSession, User, hash_login_secret, new_session_token
from crm.accounts.passwords import hash_password, needs_rehash, verify_password
from crm.accounts.signals import password_reset_requested, signup_requested
from crm.errors import UserError
from crm.extensions import db
from crm.normalize import normalize_email
from crm.security import safe_next_url
from crm.supporters.services.intake import add_activity, find_or_create_supporter
from crm.unique import add_once
from crm.utc import utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


class AccountError(UserError):
    """An expected failure the user can correct; str() is a message for them."""


class AccountExists(AccountError):
    """The email already belongs to an account."""


def find_user(email):
    """Return the user with this email (any case), or None."""
    email = normalize_email(email)
    if not email:
        return None
    return db.session.scalar(db.select(User).filter_by(email=email))


def check_password_rules(password):
    """Raise AccountError if the password is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))


def create_user(email, password, role="fundraiser", now=None):
    """Create an account; raise AccountError if the email is taken or the role unknown."""
    if role not in ROLES:
        raise AccountError(_l("Unknown role: %(role)s", role=role))
    if find_user(email) is not None:
        raise AccountExists(_l("An account with this email already exists. Log in instead."))
    check_password_rules(password)
    now = now or utcnow()
    user = User(email=email, password_hash=hash_password(password), role=role, created_at=now, password_changed_at=now)
    if not add_once(user):  # a twin sign-up won the unique email a moment ago: the same answer
        raise AccountExists(_l("An account with this email already exists. Log in instead."))
    return user


def create_fundraiser_account(email, password, first_name, last_name, language="en", now=None):
    """Create the fundraiser account of a verified email and the person behind it; return the user.

    The person is the supporter with this email (found as every form finds them), or a new one with
    this name; a name already on their record is kept, and a different one noted for staff.
    """
    now = now or utcnow()
    user = create_user(email, password, now=now)
    supporter, _created, conflicts = find_or_create_supporter(
        user.email, source="fundraiser_account", now=now, first_name=first_name, last_name=last_name, language=language
    )
    details = {"user_id": user.id, **({"conflicts": conflicts} if conflicts else {})}
    add_activity(supporter, "signup", "Created a fundraiser account", details, now=now)
    db.session.flush()
    return user


def authenticate(email, password, now=None):
    """Return the active user these credentials belong to, or None (same work either way)."""
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now or utcnow()
    return user


def change_password(user, current_password, new_password, now=None):
    """Set a new password after checking the current one; sign out other sessions."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_l("Your current password is not correct."))
    check_password_rules(new_password)
    set_password(user, new_password, now)


def set_password(user, new_password, now=None):
    """Set a password without the current one (CLI, later a reset link)."""
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now or utcnow()
    end_every_session(user)


def set_role(user, role):
    """Give the user a role; its sessions end so the new rights apply at once."""
    if role not in ROLES:
        raise AccountError(_l("Unknown role: %(role)s", role=role))
    user.role = role
    end_every_session(user)


# Flask-Login's default for the remember cookie; a login session lives no longer than it.
DEFAULT_REMEMBER_DURATION = timedelta(days=365)


def start_login_session(user, now=None):
    """Open a login session for `user` (one browser); its secret goes into their cookies."""
    now = now or utcnow()
    lifetime = current_app.config.get("REMEMBER_COOKIE_DURATION", DEFAULT_REMEMBER_DURATION)
    if isinstance(lifetime, int | float):
        lifetime = timedelta(seconds=lifetime)
    db.session.execute(
        db.delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.created_at < now - lifetime)
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, secret_hash=hash_login_secret(secret), created_at=now))
    db.session.flush()
    user.login_secret = secret
    return secret


def end_login_session(user):
    """End the login session this request runs in (logout); the user's other devices stay in."""
    if user.login_secret:
        db.session.execute(
            db.delete(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.secret_hash == hash_login_secret(user.login_secret)
            )
        )
    user.login_secret = None


def end_every_session(user):
    """Sign the user out everywhere: every session and remember cookie stops opening the account."""
    user.session_token = new_session_token()
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))
    user.login_secret = None


def count_login_sessions(user):
    """How many browsers or devices the user is logged in on."""
    return db.session.scalar(db.select(db.func.count()).where(LoginSession.user_id == user.id))


RESET_LINK_LIFETIME = timedelta(hours=1)


def _reset_serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user):
    # Part of the token: once the password changes, every earlier link stops working (single use).
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user, now=None):
    """Return a signed token that lets `user` choose a new password, once, within an hour."""
    issued = int((now or utcnow()).timestamp())
    return _reset_serializer().dumps({"u": user.id, "t": issued, "p": _password_fingerprint(user)})


def read_reset_token(token, now=None):
    """Return the user a reset token belongs to; raise AccountError if it is bad, used or old."""
    invalid = AccountError(_l("This password reset link is not valid any more. Please ask for a new one."))
    try:
        data = _reset_serializer().loads(token)
        user = db.session.get(User, int(data["u"]))
        issued = datetime.fromtimestamp(int(data["t"]), UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError) as error:
        raise invalid from error
    if user is None or not user.is_active or data.get("p") != _password_fingerprint(user):
        raise invalid
    if (now or utcnow()) - issued > RESET_LINK_LIFETIME:
        raise invalid
    return user


def request_password_reset(email):
    """Announce a reset request when the account exists; say nothing either way."""
    user = find_user(email)
    if user is not None and user.is_active:
        password_reset_requested.send(user=user)
    return user


# Sign-up: the form takes an email only and answers the same whether or not an account uses it
# (nobody learns who has one); the account is created from the emailed link, which also proves
# the address is the person's.
SIGNUP_LINK_LIFETIME = timedelta(days=1)


def _signup_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-signup")


def request_signup(email, next_url=None):
    """Announce a sign-up request: a link to finish, or a note to the existing owner; say nothing.

    `next_url` is where the visitor was going (the start of a fundraiser page): a path on this site
    goes with the announcement, so the link leads there from any browser; anything else is dropped.
    """
    email = normalize_email(email)
    user = find_user(email)
    if user is not None and not user.is_active:
        return
    signup_requested.send(email=email, user=user, next_url=safe_next_url(next_url, ""))


def make_signup_token(email):
    """Return a signed token that lets the owner of `email` create an account, for a day."""
    return _signup_serializer().dumps(normalize_email(email))


def signup_url(email, next_url=""):
    """Return the emailed link that finishes a sign-up, on to `next_url` if it is a path on this site."""
    going = safe_next_url(next_url, None)
    return url_for("accounts.finish_signup", token=make_signup_token(email), next=going, _external=True)


def read_signup_token(token, now=None):
    """Return the email a sign-up token was made for; raise AccountError if it is bad or old."""
    invalid = AccountError(_l("This sign-up link is not valid any more. Please ask for a new one."))
    try:
        email, signed_at = _signup_serializer().loads(token, return_timestamp=True)
    except (BadSignature, TypeError, ValueError, OverflowError) as error:
        raise invalid from error
    if not isinstance(email, str) or (now or utcnow()) - signed_at > SIGNUP_LINK_LIFETIME:
        raise invalid
    return email

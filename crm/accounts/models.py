"""User accounts: staff (admin, staff, marketing) and fundraisers, and their logged-in sessions."""

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from crm.checks import one_of
from crm.extensions import db, login_manager
from crm.normalize import normalize_email
from crm.utc import UTCDateTime, utcnow

STAFF_ROLES = ("admin", "staff", "marketing")
ROLES = (*STAFF_ROLES, "fundraiser")
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "staff": _l("Staff"),
    "marketing": _l("Marketing"),
    "fundraiser": _l("Fundraiser"),
}


def new_session_token():
    """Return a fresh token naming a user's sessions; changing it signs them all out."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", ROLES),
        CheckConstraint("email <> ''", name="email_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="fundraiser")
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime)

    @validates("email")
    def _normalise_email(self, key, value):
        return normalize_email(value)

    @validates("role")
    def _check_role(self, key, value):
        if value not in ROLES:
            raise ValueError(f"unknown role {value!r}")
        return value

    @property
    def is_active(self):
        return self.active

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]

    @property
    def is_staff(self):
        return self.role in STAFF_ROLES

    def has_role(self, *roles):
        """Return True if the user holds one of `roles`."""
        return self.role in roles

    # The login session this request runs in (a LoginSession's secret), set at login or load.
    login_secret = None

    def get_id(self):
        # The session names the account's token and this login's secret, not the id: a password
        # change (new account token) ends every session, a logout (row deleted) ends this one.
        return f"{self.session_token}.{self.login_secret}"

    def __repr__(self):
        return f"<User {self.id} {self.role}>"


def hash_login_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginSession(db.Model):
    """One login of a user (a browser, a device), alive until logout or the account's token changes.

    Only a hash of the secret is stored: the secret itself lives in the signed session and
    remember cookies, so a copy of the database opens no session.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<LoginSession {self.id} user={self.user_id}>"


@login_manager.user_loader
def load_user(value):
    """Find the signed-in user from the session or remember cookie, if that login still lives."""
    account_token, _, secret = value.partition(".")
    if not account_token or not secret:
        return None
    user = db.session.scalar(
        db.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.session_token == account_token, LoginSession.secret_hash == hash_login_secret(secret))
    )
    if user is not None:
        user.login_secret = secret
    return user

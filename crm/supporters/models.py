"""Supporters: one record per person who reaches the charity."""

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from crm.extensions import db
from crm.normalize import normalize_email
from crm.utc import UTCDateTime, utcnow


class Supporter(db.Model):
    __tablename__ = "supporters"
    __table_args__ = (CheckConstraint("email IS NULL OR email <> ''", name="email_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    @validates("email")
    def _normalise_email(self, key, value):
        return normalize_email(value) or None

    @property
    def display_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part) or (self.email or "")

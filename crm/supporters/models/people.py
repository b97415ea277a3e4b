"""Supporters, tags, notes, the activity timeline, signups and import batches."""

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from crm.checks import one_of
from crm.extensions import db
from crm.normalize import normalize_email
from crm.utc import UTCDateTime, utcnow

# What staff read for each field of a supporter's record (the merge screen, the import's mapping).
FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "organization": _l("Organization"),
    "address_line1": _l("Address line 1"),
    "address_line2": _l("Address line 2"),
    "city": _l("City"),
    "region": _l("Province or state"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "language": _l("Language"),
    "source": _l("Source"),
}
SIGNUP_FORMS = ("newsletter", "fundraiser_interest")
IMPORT_STATUSES = ("uploaded", "checked", "imported", "failed")
ACTIVITY_KINDS = (
    "signup",
    "inquiry",
    "inquiry_reply",
    "consent",
    "note",
    "edit",
    "tag",
    "merge",
    "import",
    "erase",
    "privacy_export",
    "sequence",
    "gift",
)


def fold(text):
    """Return text lower-cased without accents, for searching: 'Élise Côté' -> 'elise cote'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def postal_key(value):
    """Return a postal code reduced to letters and digits, upper case: 'h2x 1y4' -> 'H2X1Y4'."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()[:20]


def phone_key(value):
    """Return the last ten digits of a phone number, for matching people."""
    return re.sub(r"\D", "", value or "")[-10:]


supporter_tags = Table(
    "supporter_tags",
    db.metadata,
    Column("supporter_id", ForeignKey("supporters.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Supporter(db.Model):
    __tablename__ = "supporters"
    __table_args__ = (
        CheckConstraint("email IS NULL OR email <> ''", name="email_not_blank"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        Index("ix_supporters_name", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="CA")
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    source: Mapped[str] = mapped_column(String(200), default="", index=True)
    # Derived keys kept up to date on every flush, for search and duplicate detection.
    search_name: Mapped[str] = mapped_column(String(210), default="", index=True)
    postal_key: Mapped[str] = mapped_column(String(20), default="", index=True)
    phone_key: Mapped[str] = mapped_column(String(10), default="", index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[object | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id", ondelete="SET NULL"), index=True)

    tags: Mapped[list[Tag]] = relationship(secondary=supporter_tags, order_by=Tag.name, lazy="selectin")

    @validates("email")
    def _normalise_email(self, key, value):
        return normalize_email(value) or None

    @property
    def display_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part) or (self.email or "")

    @property
    def is_active_record(self):
        return self.merged_into_id is None and self.erased_at is None

    def refresh_keys(self):
        """Recompute the derived search and matching keys."""
        # Runs before column defaults are applied: a name not given yet is None here.
        self.search_name = fold(f"{self.first_name or ''} {self.last_name or ''}")[:210]
        self.postal_key = postal_key(self.postal_code)
        self.phone_key = phone_key(self.phone)

    def __repr__(self):
        return f"<Supporter {self.id}>"


@event.listens_for(Supporter, "before_insert")
@event.listens_for(Supporter, "before_update")
def _refresh_supporter_keys(mapper, connection, supporter):
    supporter.refresh_keys()


class Note(db.Model):
    __tablename__ = "notes"
    __table_args__ = (CheckConstraint("body <> ''", name="body_present"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class Activity(db.Model):
    """One entry on a supporter's timeline."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_supporter_time", "supporter_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")


class AttributionMixin:
    """Where a signup, inquiry (and later a gift or order) came from, for marketing's reports."""

    source: Mapped[str] = mapped_column(String(200), default="")
    utm_source: Mapped[str] = mapped_column(String(200), default="")
    utm_medium: Mapped[str] = mapped_column(String(200), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    utm_term: Mapped[str] = mapped_column(String(200), default="")
    utm_content: Mapped[str] = mapped_column(String(200), default="")
    landing_page: Mapped[str] = mapped_column(String(500), default="")
    referrer: Mapped[str] = mapped_column(String(500), default="")


class Signup(AttributionMixin, db.Model):
    __tablename__ = "signups"
    __table_args__ = (one_of("form", SIGNUP_FORMS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    event_kind: Mapped[str] = mapped_column(String(40), default="")
    planned_on: Mapped[date | None]
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Newsletter consent waiting for the emailed confirmation (double opt-in): the words shown
    # on the form and where they were ticked; the consent record is written on confirmation.
    consent_wording: Mapped[str] = mapped_column(Text, default="")
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    consent_ip: Mapped[str] = mapped_column(String(45), default="")
    consent_user_agent: Mapped[str] = mapped_column(String(300), default="")
    confirmed_at: Mapped[object | None] = mapped_column(UTCDateTime)

    supporter = relationship("Supporter")

    @property
    def awaits_confirmation(self):
        return bool(self.consent_version) and self.confirmed_at is None


class ImportBatch(db.Model):
    """One CSV import: its mapping, counts and per-row error report."""

    __tablename__ = "import_batches"
    __table_args__ = (one_of("status", IMPORT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="uploaded")
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    total_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    error_report: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime)

    uploaded_by = relationship("User")

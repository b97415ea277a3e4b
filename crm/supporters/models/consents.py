"""The CASL consent ledger and the suppression list.

The ledger is append-only: a grant or a withdrawal is a new row, never an update, so the
proof of what a person agreed to (the exact wording, when, where, from which address) stays.
"""

import hashlib

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import in_list, one_of
from crm.extensions import db
from crm.normalize import normalize_email
from crm.utc import UTCDateTime, utcnow

# What a person may be emailed about. "all" is used by implied consent (which covers every
# purpose) and by "unsubscribe from everything".
PURPOSES = ("newsletter", "fundraising_news", "fundraiser_tips")
CONSENT_ACTIONS = ("grant", "withdraw")
BASES = ("express", "implied_gift", "implied_purchase", "implied_inquiry")
IMPLIED_BASES = BASES[1:]
SUPPRESSION_REASONS = ("erased", "bounced", "complaint", "staff")


class ConsentRecord(db.Model):
    __tablename__ = "consent_records"
    __table_args__ = (
        one_of("purpose", (*PURPOSES, "all")),
        one_of("action", CONSENT_ACTIONS),
        CheckConstraint(
            f"(action = 'withdraw' AND basis IS NULL) OR (action = 'grant' AND {in_list('basis', BASES)})",
            name="basis_for_grants",
        ),
        CheckConstraint("basis = 'express' OR expires_at IS NOT NULL OR action = 'withdraw'", name="implied_expires"),
        Index("ix_consent_records_supporter_purpose", "supporter_id", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str | None] = mapped_column(String(20))
    # Proof: the exact words shown, their version, the form or channel, the visitor's address.
    wording: Mapped[str] = mapped_column(Text, default="")
    wording_version: Mapped[str] = mapped_column(String(40), default="")
    form: Mapped[str] = mapped_column(String(80), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[object | None] = mapped_column(UTCDateTime)

    supporter = relationship("Supporter")
    recorded_by = relationship("User")


def email_hash(email):
    """Return the SHA-256 of a normalised email: kept after erasure, never the address itself."""
    return hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()


class Suppression(db.Model):
    """An address that must never be emailed again (erased, bounced, complained)."""

    __tablename__ = "suppressions"
    __table_args__ = (one_of("reason", SUPPRESSION_REASONS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

"""Official donation receipts (CRA): frozen copies with serials that have no gaps within a year."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.utc import UTCDateTime, utcnow

RECEIPT_STATUSES = ("issued", "cancelled")
RECEIPT_KINDS = ("single", "annual")

# The gifts a receipt covers: one for a single receipt, a year's monthly gifts for an annual one.
receipt_donations = Table(
    "receipt_donations",
    db.metadata,
    Column("receipt_id", ForeignKey("receipts.id", ondelete="CASCADE"), primary_key=True),
    Column("donation_id", ForeignKey("donations.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class ReceiptCounter(db.Model):
    """The last serial number used in a year; incremented in the receipt's own transaction."""

    __tablename__ = "receipt_counters"
    __table_args__ = (CheckConstraint("last_number >= 0", name="last_number_not_negative"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(db.Model):
    """One issued receipt, never deleted: a correction cancels it and a new one cites its serial."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_receipts_year_number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("advantage_cents >= 0", name="advantage_not_negative"),
        CheckConstraint("eligible_cents > 0 AND eligible_cents = amount_cents - advantage_cents", name="eligible"),
        one_of("status", RECEIPT_STATUSES),
        one_of("kind", RECEIPT_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. 2026-000042
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="single")
    status: Mapped[str] = mapped_column(String(10), default="issued", index=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id", ondelete="RESTRICT"), unique=True)

    amount_cents: Mapped[int] = mapped_column(Integer)
    advantage_cents: Mapped[int] = mapped_column(Integer, default=0)
    advantage_description: Mapped[str] = mapped_column(String(300), default="")
    eligible_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[object] = mapped_column(Date)  # the gift's date (the first, for an annual receipt)
    received_until: Mapped[object | None] = mapped_column(Date)  # the last gift's date, for an annual one
    donor_name: Mapped[str] = mapped_column(String(250))
    donor_address: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")

    issued_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # The frozen copy: these bytes are what every download returns.
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    supporter = relationship("Supporter")
    donations = relationship("Donation", secondary=receipt_donations, order_by="Donation.id")
    replaces = relationship("Receipt", remote_side=[id], foreign_keys=[replaces_id])

    def __repr__(self):
        return f"<Receipt {self.serial} {self.status}>"

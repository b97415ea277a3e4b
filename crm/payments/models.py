"""Gifts and the Stripe events received about them."""

import secrets

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.supporters.models.people import AttributionMixin
from crm.utc import UTCDateTime, utcnow

DONATION_STATUSES = ("pending", "succeeded", "failed", "refunded", "partially_refunded", "disputed")
DONATION_KINDS = ("one_time", "monthly")
TRIBUTE_KINDS = ("", "honour", "memory")


def new_token():
    return secrets.token_urlsafe(24)


class Donation(AttributionMixin, db.Model):
    """One gift: its amount (integer cents), the donor as they gave it, and its Stripe ids."""

    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("fee_cents >= 0", name="fee_not_negative"),
        CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed')",
            name="status_known",
        ),
        CheckConstraint("kind IN ('one_time', 'monthly')", name="kind_known"),
        CheckConstraint("tribute_kind IN ('', 'honour', 'memory')", name="tribute_kind_known"),
        Index("ix_donations_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable id for the donor's thank-you page (no account needed).
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    # The whole gift in cents, the covered processing fee included (fee_cents is part of it).
    amount_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    kind: Mapped[str] = mapped_column(String(20), default="one_time")
    designation: Mapped[str] = mapped_column(String(100), default="", index=True)

    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="CA")
    language: Mapped[str] = mapped_column(String(8), default="en")

    show_on_wall: Mapped[bool] = mapped_column(Boolean, default=False)
    wall_name: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    tribute_kind: Mapped[str] = mapped_column(String(10), default="")
    tribute_name: Mapped[str] = mapped_column(String(200), default="")
    tribute_notify_email: Mapped[str] = mapped_column(String(254), default="")
    tribute_note: Mapped[str] = mapped_column(Text, default="")

    stripe_customer_id: Mapped[str] = mapped_column(String(255), default="")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded_at: Mapped[object | None] = mapped_column(UTCDateTime)
    failure_message: Mapped[str] = mapped_column(String(500), default="")

    supporter = relationship("Supporter")

    @property
    def donor_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def __repr__(self):
        return f"<Donation {self.id} {self.status}>"


class StripeEvent(db.Model):
    """Each Stripe event id once: duplicates of a delivery are recognised and ignored."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    received_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

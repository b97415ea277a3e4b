"""Gifts, monthly plans, refunds and the Stripe events received about them."""

import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.supporters.models.people import AttributionMixin
from crm.utc import UTCDateTime, utcnow

# "cancelled" comes only from gift history imported from another system (a pledge or gift called off
# there); like pending and failed it is kept and never counted anywhere.
DONATION_STATUSES = ("pending", "succeeded", "failed", "refunded", "partially_refunded", "disputed", "cancelled")
DONATION_KINDS = ("one_time", "monthly")
# bank, paypal and other come from imported history: this CRM takes cards, cheques and cash itself.
DONATION_METHODS = ("card", "cheque", "cash", "bank", "paypal", "other")
TRIBUTE_KINDS = ("", "honour", "memory")
PLAN_STATUSES = ("incomplete", "active", "past_due", "cancelled")
PLAN_INTERVALS = ("month", "year")
REFUND_STATUSES = ("pending", "succeeded", "failed")
# Who thanks the giver once the money is in, chosen when the payment starts: payments' thank-you
# email, or the feature the payment was for (a catalog order's confirmation, its receipt attached).
THANKED_BY = ("payments", "catalog")
# A paid gift not under dispute: money can still go back to the card.
REFUNDABLE_STATUSES = ("succeeded", "partially_refunded")


def new_token():
    return secrets.token_urlsafe(24)


class ContactMixin:
    """A person's name, email, postal address and language, as they gave them (frozen on the row)."""

    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="CA")
    language: Mapped[str] = mapped_column(String(8), default="en")

    @property
    def full_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class DonorMixin(ContactMixin):
    """The donor as they gave (frozen on the gift: a receipt names the person who paid, then)."""

    show_on_wall: Mapped[bool] = mapped_column(Boolean, default=False)
    wall_name: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    tribute_kind: Mapped[str] = mapped_column(String(10), default="")
    tribute_name: Mapped[str] = mapped_column(String(200), default="")
    tribute_notify_email: Mapped[str] = mapped_column(String(254), default="")
    tribute_note: Mapped[str] = mapped_column(Text, default="")

    donor_name = ContactMixin.full_name


class RecurringGift(DonorMixin, AttributionMixin, db.Model):
    """A monthly gift: one Stripe Subscription on the supporter's Customer; each paid invoice is a Donation."""

    __tablename__ = "recurring_gifts"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("fee_cents >= 0", name="fee_not_negative"),
        one_of("status", PLAN_STATUSES),
        one_of("interval", PLAN_INTERVALS),
        # An imported plan is the other system's recurring id (NULL for the plans made here).
        UniqueConstraint("source_system", "original_id", name="uq_recurring_gifts_import"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    # The whole monthly charge in cents, the covered fee included.
    amount_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(10), default="month")
    status: Mapped[str] = mapped_column(String(20), default="incomplete", index=True)
    designation: Mapped[str] = mapped_column(String(100), default="", index=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255), default="")
    stripe_plan_id: Mapped[str] = mapped_column(String(255), default="")
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[object | None] = mapped_column(UTCDateTime)
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    # Imported from another system's history: nothing is charged here (no Stripe subscription).
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_system: Mapped[str] = mapped_column(String(40), default="", server_default="")
    original_id: Mapped[str | None] = mapped_column(String(255))

    supporter = relationship("Supporter")
    donations = relationship("Donation", back_populates="recurring_gift", order_by="Donation.id")

    def __repr__(self):
        return f"<RecurringGift {self.id} {self.status}>"

    @property
    def is_cancelled(self):
        return self.status == "cancelled"

    def cancel(self, now):
        """The plan ends here: nothing more is charged (Stripe's own spelling, "canceled", stays at Stripe)."""
        self.status, self.cancelled_at = "cancelled", now


class Donation(DonorMixin, AttributionMixin, db.Model):
    """One gift: its amount (integer cents), the donor as they gave it, and its Stripe ids."""

    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("fee_cents >= 0", name="fee_not_negative"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refunded_within_amount"),
        CheckConstraint("advantage_cents >= 0 AND advantage_cents <= amount_cents", name="advantage_within_amount"),
        CheckConstraint(
            "non_receiptable_cents >= 0 AND non_receiptable_cents + advantage_cents <= amount_cents",
            name="non_receiptable_within_amount",
        ),
        one_of("status", DONATION_STATUSES),
        one_of("kind", DONATION_KINDS),
        one_of("method", DONATION_METHODS),
        one_of("tribute_kind", TRIBUTE_KINDS),
        one_of("thanked_by", THANKED_BY),
        Index("ix_donations_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable id for the donor's thank-you page (no account needed).
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    # The whole gift in cents, the covered processing fee included (fee_cents is part of it).
    amount_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # What the giver received in return (fair market value), for the receipt's eligible amount.
    advantage_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    advantage_description: Mapped[str] = mapped_column(String(300), default="", server_default="")
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The part of the amount that pays for something that is not a gift (a catalog purchase): never receipted.
    non_receiptable_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    kind: Mapped[str] = mapped_column(String(20), default="one_time")
    method: Mapped[str] = mapped_column(String(10), default="card", server_default="card")
    designation: Mapped[str] = mapped_column(String(100), default="", index=True)

    # A monthly gift's Donation is one paid invoice of its RecurringGift.
    recurring_gift_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_gifts.id", ondelete="RESTRICT"), index=True
    )
    stripe_customer_id: Mapped[str] = mapped_column(String(255), default="")
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(255), default="", server_default="")
    dispute_status: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Offline gifts (cheque, cash): who entered it, the cheque number, the day the money came in.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offline_reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded_at: Mapped[object | None] = mapped_column(UTCDateTime)
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    thanked_by: Mapped[str] = mapped_column(String(20), default="payments", server_default="payments")

    # Gift history imported from another system (crm.payments.services.gift_import): never receipted
    # here (the old system's receipt number is kept), never thanked, known again on a re-import by
    # dedupe_key (its system and id, or its match_key) and match_key (donor, day, amount, method).
    imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_system: Mapped[str] = mapped_column(String(40), default="", server_default="")
    original_id: Mapped[str] = mapped_column(String(255), default="", server_default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    match_key: Mapped[str | None] = mapped_column(String(64), index=True)
    old_receipt_number: Mapped[str] = mapped_column(String(100), default="", server_default="")
    campaign: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    appeal: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Someone else credited with the gift in the old system (a spouse, a fundraiser): their words, kept.
    soft_credit_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    soft_credit_email: Mapped[str] = mapped_column(String(254), default="", server_default="")

    supporter = relationship("Supporter")
    recurring_gift = relationship("RecurringGift", back_populates="donations")
    refunds = relationship("Refund", back_populates="donation", order_by="Refund.id")

    @property
    def net_cents(self):
        return self.amount_cents - self.refunded_cents

    @property
    def paid_by_card_processor(self):
        """Paid through Stripe: a refund goes back the same way (an offline gift has no card to refund)."""
        return self.method == "card" and bool(self.stripe_payment_intent_id or self.stripe_charge_id)

    @property
    def is_refundable(self):
        return self.paid_by_card_processor and self.status in REFUNDABLE_STATUSES and self.net_cents > 0

    @property
    def receiptable_cents(self):
        """What a receipt may cover: the money kept, less any part that paid for something not a gift.

        An imported gift was receipted (or not) by the system it came from: never again here.
        """
        if self.imported:
            return 0
        return max(0, self.net_cents - self.non_receiptable_cents)

    def __repr__(self):
        return f"<Donation {self.id} {self.status}>"


class Refund(db.Model):
    """Money given back on a gift: asked by staff (with an idempotency key) or found on Stripe."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        one_of("status", REFUND_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # The key the staff form carries, so a retried click refunds once (sent to Stripe too).
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    donation = relationship("Donation", back_populates="refunds")


class StripeEvent(db.Model):
    """Each Stripe event id once: duplicates of a delivery are recognised and ignored."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    # data.object.id and the PaymentIntent it concerns, so a gift's page can list its events.
    object_id: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    payment_intent_id: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    received_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

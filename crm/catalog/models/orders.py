"""Orders from the catalog: lines priced from the database, honour cards, and the payment behind them."""

import secrets
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.payments.models.donations import ContactMixin
from crm.supporters.models.people import AttributionMixin
from crm.utc import UTCDateTime, utcnow

ORDER_STATUSES = ("pending", "paid", "failed", "refunded", "partially_refunded", "cancelled")
# What the buyer paid for and still holds: the cards can be printed and sent.
PAID_STATUSES = ("paid", "partially_refunded")
CARD_DELIVERIES = ("email", "print")
CARD_STATUSES = ("scheduled", "sent", "cancelled")


def new_token():
    return secrets.token_urlsafe(24)


class Order(ContactMixin, AttributionMixin, db.Model):
    """One checkout: its lines, the buyer as they gave their details, and the one gift (Donation) that paid it."""

    __tablename__ = "gift_orders"
    __table_args__ = (
        CheckConstraint("total_cents > 0", name="total_positive"),
        one_of("status", ORDER_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable id of the buyer's confirmation page and printable cards (no account needed).
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    total_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # The payment: one Donation (one PaymentIntent) for the whole order.
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id", ondelete="RESTRICT"), unique=True)

    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    paid_at: Mapped[object | None] = mapped_column(UTCDateTime)
    failure_message: Mapped[str] = mapped_column(String(500), default="")

    supporter = relationship("Supporter")
    donation = relationship("Donation")
    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan")
    cards = relationship("HonourCard", back_populates="order", order_by="HonourCard.id", cascade="all, delete-orphan")

    buyer_name = ContactMixin.full_name

    @property
    def is_paid(self):
        return self.status in PAID_STATUSES


class OrderLine(db.Model):
    """An item in an order, at the price and value it had when the order was placed."""

    __tablename__ = "gift_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "item_id", name="uq_gift_order_lines_order_item"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents > 0", name="unit_price_positive"),
        CheckConstraint("unit_fmv_cents >= 0 AND unit_fmv_cents <= unit_price_cents", name="fmv_within_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("gift_orders.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    unit_fmv_cents: Mapped[int] = mapped_column(Integer, default=0)
    receiptable: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(200))  # in the buyer's language, as it was ordered

    order = relationship("Order", back_populates="lines")
    item = relationship("Item")

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity


class HonourCard(db.Model):
    """A card in someone's honour: for one line, or the whole order (line_id None); emailed on a date or printed."""

    __tablename__ = "honour_cards"
    __table_args__ = (
        one_of("delivery", CARD_DELIVERIES),
        one_of("status", CARD_STATUSES),
        CheckConstraint("delivery = 'print' OR honouree_email != ''", name="email_for_email_delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("gift_orders.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("gift_order_lines.id", ondelete="CASCADE"))
    honouree_name: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[str] = mapped_column(String(10), default="email")
    honouree_email: Mapped[str] = mapped_column(String(254), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    deliver_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    # The e-card's outbox row (due on deliver_on), so it can be cancelled or sent again.
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_emails.id", ondelete="SET NULL"))
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime)

    order = relationship("Order", back_populates="cards")
    line = relationship("OrderLine")

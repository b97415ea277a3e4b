"""Inquiries from the public (media, events and general) and staff replies."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.supporters.models.people import AttributionMixin
from crm.utc import UTCDateTime, utcnow

INQUIRY_KINDS = ("media", "events")
INQUIRY_STATUSES = ("new", "assigned", "answered", "closed")


class Inquiry(AttributionMixin, db.Model):
    __tablename__ = "inquiries"
    __table_args__ = (
        one_of("kind", INQUIRY_KINDS),
        one_of("status", INQUIRY_STATUSES),
        Index("ix_inquiries_queue", "kind", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="new")
    # As the person typed them on this inquiry (the supporter record may change later).
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    outlet: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date | None]
    topic: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[object | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[object | None] = mapped_column(UTCDateTime)

    supporter = relationship("Supporter")
    assigned_to = relationship("User")
    replies = relationship("InquiryReply", order_by="InquiryReply.created_at", back_populates="inquiry")

    @property
    def time_to_first_response(self):
        """Return the timedelta from arrival to the first reply, or None."""
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at


class InquiryReply(db.Model):
    __tablename__ = "inquiry_replies"
    __table_args__ = (CheckConstraint("body <> ''", name="body_present"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    inquiry = relationship("Inquiry", back_populates="replies")
    author = relationship("User")

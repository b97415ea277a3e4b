"""Cash and cheques a fundraiser collected: nothing counts until staff verify the report."""

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.payments.models.donations import ContactMixin
from crm.utc import UTCDateTime, utcnow

OFFLINE_STATUSES = ("reported", "verified", "rejected")
OFFLINE_METHODS = ("cheque", "cash")


class OfflineGiftReport(ContactMixin, db.Model):
    """One gift reported by a fundraiser; verifying it creates the offline Donation, credited to the page."""

    __tablename__ = "fundraising_offline_gifts"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        one_of("status", OFFLINE_STATUSES),
        one_of("method", OFFLINE_METHODS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("fundraising_pages.id", ondelete="RESTRICT"), index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10), default="cheque")
    reference: Mapped[str] = mapped_column(String(100), default="")  # the cheque number
    wants_receipt: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="reported", index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")  # why staff rejected it
    # The donor, once staff verified the report (the gift is theirs), and the gift made of it.
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id", ondelete="RESTRICT"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    page = relationship("FundraiserPage")
    donation = relationship("Donation")

    donor_name = ContactMixin.full_name

    def verify(self, donation, user, now):
        if self.status != "reported":
            raise ValueError(self.status)
        self.status, self.donation_id, self.supporter_id = "verified", donation.id, donation.supporter_id
        self.decided_by_id, self.decided_at = getattr(user, "id", None), now

    def reject(self, reason, user, now):
        if self.status != "reported":
            raise ValueError(self.status)
        self.status, self.reason = "rejected", reason
        self.decided_by_id, self.decided_at = getattr(user, "id", None), now

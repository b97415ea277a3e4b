"""Which gifts are credited to which page: the fundraiser's soft credit, owned by fundraising.

A row says a Donation (or every paid invoice of a monthly gift) counts for a page and its
campaign, or for the campaign alone. The donor keeps the gift (and its receipt); totals are always
summed live from the donations' own status and refunds, so a refund or a dispute lowers the page,
its team and its campaign in the same transaction, and nothing pending, failed or disputed counts.
"""

from sqlalchemy import Boolean, ForeignKey, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.utc import UTCDateTime, utcnow

# A gift counts while it is paid and not under dispute; what was refunded comes off.
COUNTED_STATUSES = ("succeeded", "partially_refunded")


class PageGift(db.Model):
    __tablename__ = "fundraising_page_gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="RESTRICT"), unique=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("fundraising_pages.id", ondelete="RESTRICT"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("fundraising_campaigns.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # The fundraiser was told of it; their thank-you went to the donor (each once).
    notified_at: Mapped[object | None] = mapped_column(UTCDateTime)
    thanked_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # The donor asked that the page show the gift without its amount (it still counts in every total).
    hide_amount: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The donor ticked "let the fundraiser contact me": their dashboard and CSV show the gift's email.
    share_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    donation = relationship("Donation")
    page = relationship("FundraiserPage")
    campaign = relationship("Campaign")


class PagePlan(db.Model):
    """A monthly gift given on a page: each of its paid invoices becomes a PageGift."""

    __tablename__ = "fundraising_page_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    recurring_gift_id: Mapped[int] = mapped_column(ForeignKey("recurring_gifts.id", ondelete="RESTRICT"), unique=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("fundraising_pages.id", ondelete="RESTRICT"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("fundraising_campaigns.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # Each invoice's PageGift takes the donor's choices from here (made once, on the first gift's form).
    hide_amount: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    recurring_gift = relationship("RecurringGift")

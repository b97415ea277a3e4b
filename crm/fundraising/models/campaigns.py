"""Campaigns (a general "do it yourself" one, a winter polar dip...) and the occasions each offers."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.utc import UTCDateTime, utcnow

CAMPAIGN_STATUSES = ("draft", "open", "closed")
OCCASION_KINDS = ("birthday", "polar_dip", "run_walk", "in_memory", "celebration", "own_idea")
OCCASION_LABELS = {
    "birthday": _l("Birthday"),
    "polar_dip": _l("Polar dip"),
    "run_walk": _l("Run or walk"),
    "in_memory": _l("In memory of someone"),
    "celebration": _l("A celebration"),
    "own_idea": _l("My own idea"),
}


class BilingualMixin:
    def text(self, field, language):
        """Return `field` in this language (English when the French is empty)."""
        french = getattr(self, f"{field}_fr")
        return french if language == "fr" and french else getattr(self, f"{field}_en")


class Campaign(BilingualMixin, db.Model):
    """A fundraising campaign: pages and teams raise money for it, and gifts can go to it directly."""

    __tablename__ = "fundraising_campaigns"
    __table_args__ = (
        CheckConstraint("goal_cents >= 0", name="goal_not_negative"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        one_of("status", CAMPAIGN_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    goal_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="cad")
    # The gift form's buttons, in cents (empty: the form's own).
    suggested_amounts: Mapped[list] = mapped_column(JSON, default=list)
    # New pages wait for staff before going live; so do edits to a live page (the approved text stays up).
    approve_new_pages: Mapped[bool] = mapped_column(Boolean, default=False)
    approve_edits: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    image_name: Mapped[str] = mapped_column(String(200), default="", index=True)  # looked up as photo_name is
    image_width: Mapped[int] = mapped_column(Integer, default=0)
    image_height: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    occasions = relationship(
        "Occasion", back_populates="campaign", order_by="Occasion.position", cascade="all, delete-orphan"
    )

    def name(self, language):
        return self.text("name", language)

    @property
    def is_open(self):
        return self.status == "open"

    def accepts_pages(self, today):
        return self.is_open and (self.ends_on is None or self.ends_on >= today)

    def close(self):
        self.status = "closed"

    def __repr__(self):
        return f"<Campaign {self.slug}>"


class Occasion(BilingualMixin, db.Model):
    """What a page is for (a birthday, a polar dip...): the page it starts from and its coaching emails."""

    __tablename__ = "fundraising_occasions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", name="uq_fundraising_occasions_campaign_kind"),
        CheckConstraint("goal_cents > 0", name="goal_positive"),
        CheckConstraint("days > 0", name="days_positive"),
        one_of("kind", OCCASION_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("fundraising_campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    story_en: Mapped[str] = mapped_column(Text, default="")
    story_fr: Mapped[str] = mapped_column(Text, default="")
    goal_cents: Mapped[int] = mapped_column(Integer, default=50000)
    # A new page's event date is this many days away (and its end, a week after that).
    days: Mapped[int] = mapped_column(Integer, default=30)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    campaign = relationship("Campaign", back_populates="occasions")

    @property
    def label(self):
        return OCCASION_LABELS[self.kind]

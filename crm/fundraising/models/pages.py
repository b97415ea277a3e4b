"""A fundraiser's page and the team it may belong to; the rules of their states live here."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.utc import UTCDateTime, utcnow

PAGE_STATUSES = ("draft", "pending", "live", "closed", "hidden")
PAGE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Waiting for approval"),
    "live": _l("Live"),
    "closed": _l("Closed"),
    "hidden": _l("Hidden by staff"),
}
# Pages the public can open (a closed page stays up, with its total and wall, but takes no gifts).
PUBLIC_STATUSES = ("live", "closed")
TEAM_STATUSES = ("", "pending", "member")
# What an edit may change on a page; on a live page of a campaign that approves edits these wait in `proposed`.
EDITABLE_FIELDS = ("title", "story", "goal_cents", "event_on", "slug", "photo_name", "photo_width", "photo_height")
# The milestones the fundraiser is emailed about, in percent of the goal; 101 stands for "goal beaten".
MILESTONES = (25, 50, 75, 100, 101)


class PageStateError(ValueError):
    """A transition the page's state does not allow (the view turns it into a message)."""


class Team(db.Model):
    """A team in a campaign: its members' pages add up to its total."""

    __tablename__ = "fundraising_teams"
    __table_args__ = (CheckConstraint("goal_cents >= 0", name="goal_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("fundraising_campaigns.id", ondelete="RESTRICT"), index=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    story: Mapped[str] = mapped_column(Text, default="")
    goal_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Open: anyone in the campaign joins at once; closed: the captain approves each request.
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    captain_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    campaign = relationship("Campaign")
    pages = relationship("FundraiserPage", back_populates="team", order_by="FundraiserPage.id")

    @property
    def members(self):
        return [page for page in self.pages if page.team_status == "member"]

    @property
    def waiting(self):
        """Pages asking to join a closed team, for the captain to decide."""
        return [page for page in self.pages if page.team_status == "pending"]

    def led_by(self, user):
        return user is not None and getattr(user, "id", None) is not None and self.captain_user_id == user.id

    def admit(self, page):
        """The captain lets a waiting page in."""
        if page.team_id != self.id or page.team_status != "pending":
            raise PageStateError(page.team_status)
        page.team_status = "member"

    def turn_away(self, page):
        """The captain declines a page's request to join."""
        if page.team_id != self.id or page.team_status != "pending":
            raise PageStateError(page.team_status)
        page.team, page.team_status = None, ""

    def hand_over(self, page):
        """The captain passes the team to the fundraiser of another member page."""
        if page.team_id != self.id or page.team_status != "member" or page.user_id is None:
            raise PageStateError(page.team_status)
        self.captain_user_id = page.user_id


class FundraiserPage(db.Model):
    """One person's page in a campaign: their story, goal and photo, and the gifts credited to it."""

    __tablename__ = "fundraising_pages"
    __table_args__ = (
        CheckConstraint("goal_cents > 0", name="goal_positive"),
        one_of("status", PAGE_STATUSES),
        one_of("team_status", TEAM_STATUSES),
        CheckConstraint("team_status = '' OR team_id IS NOT NULL", name="team_status_has_team"),
        Index("ix_fundraising_pages_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("fundraising_campaigns.id", ondelete="RESTRICT"))
    occasion_id: Mapped[int | None] = mapped_column(ForeignKey("fundraising_occasions.id", ondelete="SET NULL"))
    # The fundraiser: the person (for the CRM and soft credits) and the account that manages the page.
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("fundraising_teams.id", ondelete="SET NULL"), index=True)
    team_status: Mapped[str] = mapped_column(String(10), default="")
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    story: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when rendered
    goal_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="cad")
    event_on: Mapped[date | None] = mapped_column(Date)
    # Indexed: each time a photo is shown, its page is looked up by it (crm/fundraising/services/public.py).
    photo_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    photo_width: Mapped[int] = mapped_column(Integer, default=0)
    photo_height: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # Edits to a live page waiting for approval ({field: value}); the approved text stays up meanwhile.
    proposed: Mapped[dict] = mapped_column(JSON, default=dict)
    # Why staff hid the page or turned it down (told to the fundraiser), and the state to go back to.
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_from: Mapped[str] = mapped_column(String(10), default="")
    milestone: Mapped[int] = mapped_column(Integer, default=0)  # the last one emailed
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("fundraising_pages.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[object | None] = mapped_column(UTCDateTime)
    published_at: Mapped[object | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[object | None] = mapped_column(UTCDateTime)

    campaign = relationship("Campaign")
    occasion = relationship("Occasion")
    supporter = relationship("Supporter")
    user = relationship("User")
    team = relationship("Team", back_populates="pages")

    def __repr__(self):
        return f"<FundraiserPage {self.slug} {self.status}>"

    @property
    def status_label(self):
        return PAGE_STATUS_LABELS[self.status]

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES

    @property
    def takes_gifts(self):
        return self.status == "live" and self.campaign.is_open

    def owned_by(self, user):
        return user is not None and getattr(user, "id", None) is not None and self.user_id == user.id

    # --- teams --------------------------------------------------------------------------------

    def join(self, team):
        """Join a team of the page's own campaign: at once if it is open, else the captain decides."""
        if self.team is not None or team.campaign_id != self.campaign_id or team.hidden:
            raise PageStateError(self.team_status or "other_campaign")
        self.team = team
        self.team_status = "member" if team.open or team.led_by(self.user) else "pending"

    def leave_team(self):
        """Leave the team; a captain with other members hands the team over first."""
        team = self.team
        if team is None:
            raise PageStateError("no_team")
        others = [page for page in team.members if page.id != self.id and page.user_id != self.user_id]
        if team.captain_user_id is not None and team.captain_user_id == self.user_id and others:
            raise PageStateError("captain")
        if team.captain_user_id == self.user_id:
            team.captain_user_id = None
        self.team, self.team_status = None, ""

    # --- state transitions -----------------------------------------------------------------

    def submit(self, now):
        """Publish a draft: live at once, or pending where the campaign approves new pages."""
        if self.status != "draft":
            raise PageStateError(self.status)
        self.submitted_at = now
        self.status_reason = ""
        if self.campaign.approve_new_pages:
            self.status = "pending"
        else:
            self._go_live(now)

    def approve(self, now):
        """Staff approve a pending page, or the edits waiting on a live one."""
        if self.status == "pending":
            self._go_live(now)
        elif self.proposed:
            self.apply_proposed()
        else:
            raise PageStateError(self.status)
        self.status_reason = ""

    def decline(self, reason):
        """Staff send a pending page back to draft (or drop the edits waiting on a live one), saying why."""
        if self.status == "pending":
            self.status = "draft"
        elif self.proposed:
            self.proposed = {}
        else:
            raise PageStateError(self.status)
        self.status_reason = reason

    def _go_live(self, now):
        self.status = "live"
        self.published_at = self.published_at or now

    def close(self, now):
        if self.status not in ("live", "pending", "draft"):
            raise PageStateError(self.status)
        self.status, self.closed_at = "closed", now

    def reopen(self):
        if self.status != "closed" or not self.campaign.is_open or self.published_at is None:
            raise PageStateError(self.status)  # a page never published goes live by submit (and approval)
        self.status, self.closed_at = "live", None

    def hide(self, reason):
        if self.status == "hidden":
            raise PageStateError(self.status)
        self.hidden_from, self.status, self.status_reason = self.status, "hidden", reason

    def unhide(self):
        if self.status != "hidden":
            raise PageStateError(self.status)
        self.status, self.hidden_from, self.status_reason = self.hidden_from or "draft", "", ""

    @property
    def edits_wait_for_approval(self):
        return self.status == "live" and self.campaign.approve_edits

    def edit(self, changes):
        """Apply `changes` ({field: value}), or keep them for approval on a live page that needs it.

        Return True when they wait for approval.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        if self.status == "hidden":
            raise PageStateError(self.status)
        changed = {name: value for name, value in changes.items() if getattr(self, name) != value}
        # The goal and the date are the fundraiser's to move at any time; words and photo are moderated.
        direct = {name: changed.pop(name) for name in ("goal_cents", "event_on") if name in changed}
        if "slug" in changed and self.published_at is not None:
            direct["slug"] = changed.pop("slug")  # the address is checked for uniqueness, not content
        for name, value in direct.items():
            setattr(self, name, value)
        if not changed:
            return False
        if self.edits_wait_for_approval:
            self.proposed = {**self.proposed, **changed}
            return True
        for name, value in changed.items():
            setattr(self, name, value)
        return False

    def apply_proposed(self):
        for name, value in self.proposed.items():
            if name in EDITABLE_FIELDS:
                setattr(self, name, value)
        self.proposed = {}

    def next_milestone(self, raised_cents):
        """The highest milestone reached above the last one emailed (0 for none)."""
        percent = raised_cents * 100 // self.goal_cents if self.goal_cents else 0
        reached = [m for m in MILESTONES if (percent > 100 if m == 101 else percent >= m)]
        best = max(reached, default=0)
        return best if best > self.milestone else 0


class PageFlag(db.Model):
    """A visitor's "report this page": staff look at each and dismiss it or act on the page."""

    __tablename__ = "fundraising_page_flags"
    __table_args__ = (one_of("status", ("open", "dismissed", "acted")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("fundraising_pages.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[object | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    page = relationship("FundraiserPage")

"""What the public sees of a campaign and a team: totals, leaderboards and the pages list.

Leaderboards order pages and teams by what they raised (counted gifts net of refunds, as in
totals.py), in SQL, so a campaign with thousands of pages sends one page of rows to Python.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from crm.extensions import db
from crm.forms import clean_line
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, Team
from crm.fundraising.models.credits import COUNTED_STATUSES
from crm.fundraising.models.pages import PUBLIC_STATUSES
from crm.fundraising.services.totals import NET
from crm.lists import paginate
from crm.normalize import plausible_slug
from crm.payments.models import Donation

TOP = 10
PER_PAGE = 20
MAX_SEARCH = 100


@dataclass
class Ranked:
    row: object  # a FundraiserPage or a Team
    raised_cents: int


def find_campaign(slug):
    """The campaign at this address the public may see (open or closed, not a draft), or None."""
    if not plausible_slug(slug):
        return None
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug, Campaign.status != "draft"))


def _page_raised():
    return (
        select(PageGift.page_id.label("page_id"), NET.label("raised"))
        .join(Donation, Donation.id == PageGift.donation_id)
        .where(Donation.status.in_(COUNTED_STATUSES), PageGift.page_id.is_not(None))
        .group_by(PageGift.page_id)
        .subquery()
    )


def ranked_pages(campaign=None, team=None, search="", number=1, per_page=PER_PAGE):
    """A ListPage of the public pages of a campaign (or a team's members), most raised first."""
    raised = _page_raised()
    amount = func.coalesce(raised.c.raised, 0)
    query = select(FundraiserPage).outerjoin(raised, raised.c.page_id == FundraiserPage.id)
    query = query.where(FundraiserPage.status.in_(PUBLIC_STATUSES))
    if campaign is not None:
        query = query.where(FundraiserPage.campaign_id == campaign.id)
    if team is not None:
        query = query.where(FundraiserPage.team_id == team.id, FundraiserPage.team_status == "member")
    text = " ".join(clean_line(search or "").split())[:MAX_SEARCH].lower()  # clean_line: no NUL reaches SQL
    if text:
        query = query.where(func.lower(FundraiserPage.title).contains(text, autoescape=True))
    return _ranked(paginate(query.order_by(amount.desc(), FundraiserPage.id), number, per_page), raised.c)


def _ranked(listed, totals):
    """The ListPage's rows as Ranked, with what each raised (one query for the page of rows)."""
    key = totals[0]
    ids = [row.id for row in listed.items]
    raised = dict(db.session.execute(select(key, totals.raised).where(key.in_(ids))).all())
    listed.items = [Ranked(row, int(raised.get(row.id, 0))) for row in listed.items]
    return listed


def ranked_teams(campaign, number=1, per_page=TOP):
    """A ListPage of the campaign's teams, most raised (by their members' pages, as team_total) first."""
    raised = _page_raised()
    members = (
        select(FundraiserPage.team_id.label("team_id"), func.coalesce(func.sum(raised.c.raised), 0).label("raised"))
        .join(raised, raised.c.page_id == FundraiserPage.id)
        .where(FundraiserPage.team_status == "member")  # as team_total counts: every member's page
        .group_by(FundraiserPage.team_id)
        .subquery()
    )
    amount = func.coalesce(members.c.raised, 0)
    query = (
        select(Team)
        .outerjoin(members, members.c.team_id == Team.id)
        .where(Team.campaign_id == campaign.id, Team.hidden.is_(False))
        .order_by(amount.desc(), Team.name, Team.id)
    )
    return _ranked(paginate(query, number, per_page), members.c)


def count_public_pages(campaign):
    query = select(func.count(FundraiserPage.id)).where(
        FundraiserPage.campaign_id == campaign.id, FundraiserPage.status.in_(PUBLIC_STATUSES)
    )
    return db.session.scalar(query)


def open_campaigns():
    """Campaigns the public can browse, open ones first."""
    query = select(Campaign).where(Campaign.status != "draft").order_by(Campaign.status != "open", Campaign.id.desc())
    return db.session.scalars(query).all()

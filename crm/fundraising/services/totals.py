"""What a page, a team and a campaign have raised: summed live from the gifts credited to them.

Only counted gifts (COUNTED_STATUSES) add up, net of refunds, so a pending, failed or disputed
gift never shows and a refund comes off the page, its team and its campaign in the same moment.
A team's total is its members' pages; a campaign's is its pages plus the gifts made to it directly.
"""

from sqlalchemy import distinct, func, select

from crm.extensions import db
from crm.fundraising.models import FundraiserPage, PageGift
from crm.fundraising.models.credits import COUNTED_STATUSES
from crm.payments.models import Donation

NET = func.coalesce(func.sum(Donation.amount_cents - Donation.refunded_cents), 0)


def _counted():
    return (
        select(NET, func.count(distinct(Donation.supporter_id)))
        .select_from(PageGift)
        .join(Donation, Donation.id == PageGift.donation_id)
        .where(Donation.status.in_(COUNTED_STATUSES))
    )


def _total(query):
    raised, donors = db.session.execute(query).one()
    return int(raised), int(donors)


def page_total(page):
    """(cents raised, number of donors) for one page."""
    return _total(_counted().where(PageGift.page_id == page.id))


def team_total(team):
    """(cents raised, donors) by the pages of the team's members."""
    members = select(FundraiserPage.id).where(FundraiserPage.team_id == team.id, FundraiserPage.team_status == "member")
    return _total(_counted().where(PageGift.page_id.in_(members)))


def campaign_total(campaign):
    """(cents raised, donors) by every page of the campaign and the gifts made to it directly."""
    return _total(_counted().where(PageGift.campaign_id == campaign.id))


def page_totals(page_ids):
    """{page id: cents raised} for many pages in one query (leaderboards, lists)."""
    if not page_ids:
        return {}
    rows = db.session.execute(
        select(PageGift.page_id, NET)
        .join(Donation, Donation.id == PageGift.donation_id)
        .where(Donation.status.in_(COUNTED_STATUSES), PageGift.page_id.in_(page_ids))
        .group_by(PageGift.page_id)
    )
    return {page_id: int(raised) for page_id, raised in rows}


def progress(raised_cents, goal_cents):
    """Percent of the goal, past 100 when it is beaten (a whole number; 0 without a goal)."""
    return raised_cents * 100 // goal_cents if goal_cents > 0 else 0

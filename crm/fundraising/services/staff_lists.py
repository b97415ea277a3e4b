"""Staff lists of fundraising: pages and teams (search, filters, paging) and the pages' CSV export."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from crm.exports import stream_csv
from crm.extensions import db
from crm.fundraising.models import FundraiserPage, Team
from crm.fundraising.models.pages import PAGE_STATUSES
from crm.lists import paginate
from crm.money import from_cents
from crm.query_filters import QueryFilter
from crm.supporters.models import Supporter

MAX_ID = 2**31 - 1
PER_PAGE = 50


@dataclass
class PageFilter(QueryFilter):
    """What staff asked the pages list for; built from the query string."""

    q: str = ""
    campaign: str = ""
    status: str = ""

    CHOICES = {"status": PAGE_STATUSES}


@dataclass
class TeamFilter(QueryFilter):
    q: str = ""
    campaign: str = ""


def _campaign_id(text):
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None


def search_pages(criteria):
    """Return a Select of pages matching `criteria` (title, address or the fundraiser's email), newest first."""
    query = select(FundraiserPage).join(Supporter, Supporter.id == FundraiserPage.supporter_id)
    text = criteria.q.strip().lower()
    if text:
        query = query.where(
            or_(
                func.lower(FundraiserPage.title).contains(text, autoescape=True),
                FundraiserPage.slug.contains(text, autoescape=True),
                func.lower(Supporter.email).contains(text, autoescape=True),
            )
        )
    if criteria.campaign:
        query = query.where(FundraiserPage.campaign_id == _campaign_id(criteria.campaign))
    if criteria.status:
        query = query.where(FundraiserPage.status == criteria.status)
    return query.order_by(FundraiserPage.created_at.desc(), FundraiserPage.id.desc())


def list_pages(criteria, page=1, per_page=PER_PAGE):
    return paginate(search_pages(criteria), page, per_page)


EXPORT_COLUMNS = (
    "id",
    "slug",
    "title",
    "status",
    "campaign",
    "goal",
    "currency",
    "team",
    "supporter_id",
    "email",
    "created",
    "published",
)


def export_pages_csv(criteria):
    """Yield the CSV of every page matching `criteria`."""

    def rows(batch):
        for page in batch:
            yield (
                page.id,
                page.slug,
                page.title,
                page.status,
                page.campaign.slug,
                from_cents(page.goal_cents),
                page.currency.upper(),
                page.team.name if page.team else "",
                page.supporter_id,
                page.supporter.email or "",
                page.created_at.isoformat() if page.created_at else "",
                page.published_at.isoformat() if page.published_at else "",
            )

    return stream_csv(EXPORT_COLUMNS, search_pages(criteria), rows)


def list_teams(criteria, page=1, per_page=PER_PAGE):
    """Return one page of (Team, members) rows matching `criteria`, by name."""
    members = (
        select(func.count(FundraiserPage.id))
        .where(FundraiserPage.team_id == Team.id, FundraiserPage.team_status == "member")
        .correlate(Team)
        .scalar_subquery()
    )
    query = select(Team)
    text = criteria.q.strip().lower()
    if text:
        query = query.where(
            or_(func.lower(Team.name).contains(text, autoescape=True), Team.slug.contains(text, autoescape=True))
        )
    if criteria.campaign:
        query = query.where(Team.campaign_id == _campaign_id(criteria.campaign))
    listing = paginate(query.order_by(Team.name, Team.id), page, per_page)
    ids = [team.id for team in listing.items]
    counts = dict(db.session.execute(select(Team.id, members).where(Team.id.in_(ids))).all()) if ids else {}
    listing.items = [(team, counts.get(team.id, 0)) for team in listing.items]
    return listing

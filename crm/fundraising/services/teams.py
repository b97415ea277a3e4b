"""Teams: a fundraiser creates one from their page, others join (at once, or the captain decides),
members leave, a captain hands over. The rules are on Team and FundraiserPage; this checks who asks."""

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.fundraising.models import FundraiserPage, Team
from crm.fundraising.models.pages import PageStateError
from crm.fundraising.services import FundraisingError
from crm.fundraising.signals import team_join_requested, team_request_decided
from crm.normalize import plausible_slug, slugify
from crm.unique import add_once
from crm.utc import utcnow

MAX_TEAM_NAME = 100
MAX_TEAM_STORY = 2000
MAX_TEAM_GOAL_CENTS = 100_000_000


class TeamError(FundraisingError):
    """What a fundraiser asked of a team cannot be done; `status` is the answer's HTTP status."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@dataclass
class TeamFields:
    name: str
    goal_cents: int = 0
    story: str = ""
    open: bool = True


def find_team(slug):
    """The team at this address that the public may see, or None."""
    if not plausible_slug(slug):
        return None
    return db.session.scalar(select(Team).filter_by(slug=slug, hidden=False))


def teams_to_join(page):
    """The teams of the page's campaign it may ask to join, by name."""
    query = select(Team).where(Team.campaign_id == page.campaign_id, Team.hidden.is_(False)).order_by(Team.name)
    return db.session.scalars(query).all()


def _mine(page, user):
    if not page.owned_by(user):
        raise TeamError(_l("This is not your page."), 404)


def create_team(page, fields, user, now=None):
    """A new team in the page's campaign, led by `user`, with the page as its first member."""
    _mine(page, user)
    if page.team is not None:
        raise TeamError(_l("Your page is already in a team: leave it first."), 409)
    if not page.campaign.is_open:
        raise TeamError(_l("This campaign is closed: it takes no new teams."), 409)
    name = " ".join((fields.name or "").split())
    if not name or len(name) > MAX_TEAM_NAME:
        raise TeamError(_l("Enter a team name of up to 100 characters."))
    if not 0 <= fields.goal_cents <= MAX_TEAM_GOAL_CENTS:
        raise TeamError(_l("Enter a goal between 0 and 1,000,000."))
    team = Team(
        campaign_id=page.campaign_id,
        name=name,
        story=(fields.story or "")[:MAX_TEAM_STORY],
        goal_cents=fields.goal_cents,
        open=fields.open,
        captain_user_id=user.id,
        created_at=now or utcnow(),
    )
    base = slugify(name, "team")
    for attempt in range(6):  # the unique index decides between two teams of the same name
        team.slug = base if attempt == 0 else f"{base}-{secrets.token_hex(3)}"
        if add_once(team):
            break
    else:
        raise TeamError(_l("This name is already taken. Choose another."), 409)
    page.join(team)
    return team


def join_team(page, team, user, now=None):
    """Ask to join `team`; return True when the page is a member at once (False: the captain decides, and is told)."""
    _mine(page, user)
    if page.team is not None:
        raise TeamError(_l("Your page is already in a team: leave it first."), 409)
    try:
        page.join(team)
    except PageStateError:
        raise TeamError(_l("This page cannot join that team."), 409) from None
    if page.team_status == "pending":
        team_join_requested.send(page=page, team=team, now=now or utcnow())
    return page.team_status == "member"


def leave_team(page, user):
    """Take the page out of its team (a captain with other members hands the team over first)."""
    _mine(page, user)
    try:
        page.leave_team()
    except PageStateError as error:
        if str(error) == "captain":
            raise TeamError(_l("You lead this team: hand it over to another member before you leave."), 409) from None
        raise TeamError(_l("Your page is not in a team."), 409) from None


def _member_page(team, page_id):
    page = db.session.get(FundraiserPage, page_id) if isinstance(page_id, int) and 0 < page_id < 2**31 else None
    if page is None or page.team_id != team.id:
        raise TeamError(_l("This page is not in your team."), 404)
    return page


def decide_request(team, page_id, admit, user, now=None):
    """The captain lets a waiting page in or turns it away (its fundraiser is told); return the page."""
    if not team.led_by(user):
        raise TeamError(_l("Only the team's captain can do this."), 403)
    page = _member_page(team, page_id)
    try:
        team.admit(page) if admit else team.turn_away(page)
    except PageStateError:
        raise TeamError(_l("This request was already decided."), 409) from None
    team_request_decided.send(page=page, team=team, admitted=bool(admit), now=now or utcnow())
    return page


def hand_over(team, page_id, user):
    """The captain passes the team to the fundraiser of another member's page; return that page."""
    if not team.led_by(user):
        raise TeamError(_l("Only the team's captain can do this."), 403)
    page = _member_page(team, page_id)
    if page.user_id == user.id:
        raise TeamError(_l("Choose another member's page."), 409)
    try:
        team.hand_over(page)
    except PageStateError:
        raise TeamError(_l("Only a member's page can lead the team."), 409) from None
    return page


def led_teams(user):
    """The teams this user leads, by name (for the fundraiser's dashboard)."""
    return db.session.scalars(select(Team).filter_by(captain_user_id=user.id).order_by(Team.name)).all()

"""Staff use cases for fundraising: campaigns and occasions, the moderation of pages and flags.

The pages and teams lists and their export are in staff_lists.py.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, or_, select

from crm.audit import record_audit
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, Occasion, PageFlag
from crm.fundraising.models.campaigns import OCCASION_KINDS
from crm.fundraising.models.pages import PageStateError
from crm.fundraising.services import FundraisingError
from crm.fundraising.signals import page_decided, page_published
from crm.images import store_image
from crm.unique import add_once
from crm.utc import utcnow

IMAGE_FOLDER = "fundraising"  # MEDIA_ROOT/fundraising/: campaign images (crm/images.py)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_NAME = 200
MAX_TEXT = 5000
MAX_REASON = 500
MAX_GOAL_CENTS = 100_000_000  # a million dollars: well inside the 32-bit cents columns
MAX_DAYS = 3650
CAMPAIGN, OCCASION = "fundraising_campaign", "fundraising_occasion"  # audit target types

# The occasions a new campaign offers, with a plain first text staff edit afterwards.
OCCASION_DEFAULTS = {
    "birthday": {
        "title_en": "My birthday for child safety",
        "title_fr": "Mon anniversaire pour la sécurité des enfants",
        "story_en": "This year, instead of gifts, I am asking you to help keep children safe.",
        "story_fr": "Cette année, au lieu de cadeaux, je vous demande d'aider à protéger les enfants.",
    },
    "polar_dip": {
        "title_en": "I am taking the polar dip for child safety",
        "title_fr": "Je plonge dans l'eau glacée pour la sécurité des enfants",
        "story_en": "I am jumping into icy water to raise money for child safety. Cheer me on with a gift.",
        "story_fr": (
            "Je saute dans l'eau glacée pour amasser des fonds pour la sécurité des enfants. Encouragez-moi par un don."
        ),
    },
    "run_walk": {
        "title_en": "I am running or walking for child safety",
        "title_fr": "Je cours ou je marche pour la sécurité des enfants",
        "story_en": "Every step I take raises money for child safety. Sponsor me with a gift.",
        "story_fr": "Chacun de mes pas amasse des fonds pour la sécurité des enfants. Parrainez-moi par un don.",
    },
    "in_memory": {
        "title_en": "In memory of someone dear to me",
        "title_fr": "À la mémoire d'une personne qui m'était chère",
        "story_en": "I am raising money for child safety in memory of someone I love.",
        "story_fr": "J'amasse des fonds pour la sécurité des enfants à la mémoire d'une personne que j'aime.",
    },
    "celebration": {
        "title_en": "Celebrating with a gift for child safety",
        "title_fr": "Une fête avec un don pour la sécurité des enfants",
        "story_en": "We are celebrating, and we are asking our guests to give to child safety.",
        "story_fr": "Nous faisons la fête et demandons à nos invités de donner pour la sécurité des enfants.",
    },
    "own_idea": {
        "title_en": "My own fundraiser for child safety",
        "title_fr": "Ma propre collecte pour la sécurité des enfants",
        "story_en": "I am raising money my own way to help keep children safe.",
        "story_fr": "J'amasse des fonds à ma façon pour aider à protéger les enfants.",
    },
}

# What a staff decision on a page is called in the signal and the audit ("page_<decision>").
DECISIONS = ("approve", "decline", "hide", "unhide")
NEEDS_REASON = ("decline", "hide")


class StaffError(FundraisingError):
    """Bad input or a decision the page's state refuses; `field` names the form field it is about."""

    def __init__(self, message, field=None, status=400):
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass
class CampaignFields:
    """A campaign as staff typed it: texts in both languages, amounts in cents."""

    slug: str
    name_en: str
    name_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    goal_cents: int = 0
    suggested_amounts: list = field(default_factory=list)
    approve_new_pages: bool = False
    approve_edits: bool = False


@dataclass
class OccasionFields:
    title_en: str
    title_fr: str = ""
    story_en: str = ""
    story_fr: str = ""
    goal_cents: int = 50000
    days: int = 30
    active: bool = True


# --- campaigns and occasions -------------------------------------------------------------------


def list_campaigns():
    """Return every campaign, open ones first, newest first."""
    order = (Campaign.status != "open", Campaign.created_at.desc(), Campaign.id.desc())
    return db.session.scalars(select(Campaign).order_by(*order)).all()


def create_campaign(fields, actor, image_data=None, media_root=None, add_occasions=True, ip_address="", now=None):
    """Add a campaign (and its six occasions with their default texts); raise StaffError for bad input."""
    _check_campaign(fields)
    campaign = Campaign(**asdict(fields))
    if image_data:
        _set_image(campaign, store_image(image_data, media_root, IMAGE_FOLDER))
    if add_occasions:
        for position, kind in enumerate(OCCASION_KINDS, start=1):
            campaign.occasions.append(Occasion(kind=kind, position=position, **OCCASION_DEFAULTS[kind]))
    if not add_once(campaign):  # the unique slug decides between two staff saving it at once
        raise StaffError(_l("This address is already taken. Choose another."), "slug")
    changes = {name: value for name, value in asdict(fields).items() if value not in ("", None, [])}
    changes = {name: str(value) if isinstance(value, date) else value for name, value in changes.items()}
    record_audit(actor, "fundraising_campaign.create", CAMPAIGN, campaign.id, changes, ip_address, now)
    return campaign


def update_campaign(campaign, fields, actor, image_data=None, media_root=None, ip_address="", now=None):
    """Change a campaign; return {field: [old, new]}; raise StaffError for bad input."""
    _check_campaign(fields, campaign)
    changes = {}
    for name, value in asdict(fields).items():
        old = getattr(campaign, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(campaign, name, value)
    if image_data:
        stored = store_image(image_data, media_root, IMAGE_FOLDER)
        changes["image_name"] = [campaign.image_name, stored.name]
        _set_image(campaign, stored)
    db.session.flush()
    if changes:
        record_audit(
            actor, "fundraising_campaign.update", "fundraising_campaign", campaign.id, changes, ip_address, now
        )
    return changes


def close_campaign(campaign, actor, ip_address="", now=None):
    """Close a campaign: it takes no new pages or gifts."""
    if campaign.status == "closed":
        raise StaffError(_l("This campaign is already closed."), status=409)
    before = campaign.status
    campaign.close()
    db.session.flush()
    changes = {"status": [before, campaign.status]}
    record_audit(actor, "fundraising_campaign.close", CAMPAIGN, campaign.id, changes, ip_address, now)


def update_occasion(occasion, fields, actor, ip_address="", now=None):
    """Change an occasion's texts, goal, days or whether it is offered; return {field: [old, new]}."""
    if not fields.title_en.strip():
        raise StaffError(_l("Enter the title in English."), "title_en")
    if not 0 < fields.goal_cents <= MAX_GOAL_CENTS:
        raise StaffError(_l("Enter a goal between 1 and 1,000,000."), "goal")
    if not 0 < fields.days <= MAX_DAYS:
        raise StaffError(_l("Enter a number of days between 1 and 3650."), "days")
    changes = {}
    for name, value in asdict(fields).items():
        if getattr(occasion, name) != value:
            changes[name] = [getattr(occasion, name), value]
            setattr(occasion, name, value)
    db.session.flush()
    if changes:
        record_audit(
            actor, "fundraising_occasion.update", "fundraising_occasion", occasion.id, changes, ip_address, now
        )
    return changes


def _check_campaign(fields, campaign=None):
    if not isinstance(fields.slug, str) or not SLUG.match(fields.slug) or len(fields.slug) > MAX_SLUG:
        raise StaffError(_l("Use lower-case letters, digits and single hyphens for the address."), "slug")
    if not fields.name_en.strip():
        raise StaffError(_l("Enter the campaign's name in English."), "name_en")
    if not 0 <= fields.goal_cents <= MAX_GOAL_CENTS:
        raise StaffError(_l("Enter a goal between 0 and 1,000,000."), "goal")
    if any(not 0 < cents <= MAX_GOAL_CENTS for cents in fields.suggested_amounts):
        raise StaffError(_l("Enter amounts between 1 and 1,000,000, separated by commas."), "suggested")
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise StaffError(_l("The end date cannot be before the start date."), "ends_on")
    if campaign is not None and fields.slug != campaign.slug:
        taken = db.session.scalar(select(Campaign.id).where(Campaign.slug == fields.slug, Campaign.id != campaign.id))
        if taken:
            raise StaffError(_l("This address is already taken. Choose another."), "slug")


def _set_image(campaign, stored):
    campaign.image_name, campaign.image_width, campaign.image_height = stored.name, stored.width, stored.height


def _plain(value):
    return str(value) if isinstance(value, date) else value


# --- moderation --------------------------------------------------------------------------------


def _has_proposed():
    # JSON {} is stored as the text "{}" on both engines; "null" for a page that never had edits.
    return cast(FundraiserPage.proposed, String).notin_(["{}", "null"])


def moderation_queue():
    """Return the pages waiting for staff: new pages pending approval, then live pages with edits waiting."""
    waiting = or_(FundraiserPage.status == "pending", (FundraiserPage.status == "live") & _has_proposed())
    query = select(FundraiserPage).where(waiting).order_by(FundraiserPage.submitted_at, FundraiserPage.id)
    return db.session.scalars(query).all()


def decide_page(page, action, reason, actor, ip_address="", now=None):
    """Approve, decline, hide or unhide a page, announce it and audit it; return the decision's name.

    Raise StaffError (409) when the page's state does not allow the decision.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if action not in DECISIONS:
        raise StaffError(_l("Choose what to do with the page."))
    if action in NEEDS_REASON and not reason:
        raise StaffError(_l("Say why: the fundraiser is told."), "reason")
    if len(reason) > MAX_REASON:
        raise StaffError(_l("Use at most %(max)d characters.", max=MAX_REASON), "reason")
    before, first_time = page.status, page.published_at is None
    proposed = dict(page.proposed or {})
    try:
        if action == "approve":
            page.approve(now)
            decision = "approved" if before == "pending" else "edits_approved"
        elif action == "decline":
            page.decline(reason)
            decision = "declined" if before == "pending" else "edits_declined"
        elif action == "hide":
            page.hide(reason)
            decision = "hidden"
        else:
            page.unhide()
            decision = "unhidden"
    except PageStateError as error:
        raise StaffError(
            _l("This page cannot be changed that way now (it is %(status)s).", status=page.status_label), status=409
        ) from error
    db.session.flush()
    changes = {"status": [before, page.status], "reason": reason}
    if decision.startswith("edits_"):
        changes["proposed"] = proposed
    record_audit(actor, f"page_{decision}", "fundraiser_page", page.id, changes, ip_address, now)
    page_decided.send(page=page, decision=decision, reason=reason, now=now)
    if decision == "approved" and first_time and page.status == "live":
        page_published.send(page=page, now=now)
    return decision


# --- flags ----------------------------------------------------------------------------------------


def open_flags():
    """Return the visitors' reports staff have not looked at yet, oldest first."""
    query = select(PageFlag).where(PageFlag.status == "open").order_by(PageFlag.created_at, PageFlag.id)
    return db.session.scalars(query).all()


def decide_flag(flag, action, reason, actor, ip_address="", now=None):
    """Dismiss a report, or act on it: hide its page (saying why) and mark the report acted."""
    now = now or utcnow()
    if flag.status != "open":
        raise StaffError(_l("This report was already handled."), status=409)
    if action == "act":
        if flag.page.status != "hidden":
            decide_page(flag.page, "hide", reason, actor, ip_address, now)
        flag.status = "acted"
    elif action == "dismiss":
        flag.status = "dismissed"
    else:
        raise StaffError(_l("Choose what to do with the report."))
    flag.decided_at, flag.decided_by_id = now, getattr(actor, "id", None)
    db.session.flush()
    changes = {"page_id": flag.page_id, "reason": (reason or "").strip()}
    record_audit(actor, f"page_flag_{flag.status}", "fundraiser_page_flag", flag.id, changes, ip_address, now)

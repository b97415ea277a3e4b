"""A fundraiser's own pages: start one from an occasion, edit it, publish, close and reopen it.

The rules of a page's states are the model's (FundraiserPage.submit/close/reopen/edit); these
functions check what people typed, announce what happened, and turn a refused transition into a
FundraisingError the view shows. They add and flush, never commit.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, Occasion
from crm.fundraising.models.pages import PageStateError
from crm.fundraising.notifications import schedule_event_emails
from crm.fundraising.personal import PHOTO_FOLDER
from crm.fundraising.services import FundraisingError
from crm.fundraising.services.staff import MAX_GOAL_CENTS, SLUG
from crm.fundraising.signals import page_closed, page_published, page_started
from crm.images import discard_image, store_image
from crm.normalize import plausible_slug, slugify
from crm.payments.services.receipts import local_date
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import find_or_create_supporter
from crm.unique import add_once
from crm.utc import utcnow

MAX_TITLE = 150  # the column
MAX_SLUG = 100  # the column
MAX_STORY = 10_000
SLUG_WORDS = 60  # how much of the title and name a new page's address keeps
MAX_EVENT_YEARS = 10
START_FORM = "fundraiser_start"  # the consent record's form


class PageError(FundraisingError):
    """Bad input, or a state the page cannot leave that way; `field` names the form field it is about."""

    def __init__(self, message, field=None, status=400):
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass
class PageEdit:
    """What the fundraiser typed on the edit form, in the page's own units (cents, a date)."""

    title: str
    story: str
    goal_cents: int
    event_on: date | None
    slug: str


@dataclass
class EditOutcome:
    waiting: bool  # the changes wait for staff approval (a live page of a campaign that approves edits)
    discard: list = field(default_factory=list)  # photos nothing uses once this is committed


# --- starting a page ------------------------------------------------------------------------------


def startable_campaigns(today, slug=None):
    """The campaigns that take new pages today and offer at least one occasion (only `slug`'s, if given)."""
    query = select(Campaign).where(Campaign.status == "open").order_by(Campaign.created_at, Campaign.id)
    if slug is not None:
        if not plausible_slug(slug):
            return []
        query = query.where(Campaign.slug == slug)
    return [
        campaign
        for campaign in db.session.scalars(query)
        if campaign.accepts_pages(today) and active_occasions(campaign)
    ]


def active_occasions(campaign):
    return [occasion for occasion in campaign.occasions if occasion.active]


def find_occasion(occasion_id):
    """The occasion a start form names (an id as typed), or None."""
    if not isinstance(occasion_id, str) or not occasion_id.isascii() or not occasion_id.isdigit():
        return None
    if len(occasion_id) > 10 or int(occasion_id) > 2**31 - 1:
        return None
    return db.session.get(Occasion, int(occasion_id))


def new_page_slug(title, name):
    """A new page's address: its title, shortened so the fundraiser's name still fits at the end."""
    name_part = slugify(name, length=SLUG_WORDS // 2)
    title_part = slugify(title, length=SLUG_WORDS - len(name_part) - 1)
    return "-".join(part for part in (title_part, name_part) if part) or "my-fundraiser"


def _slug_taken(slug, page_id=None):
    query = select(FundraiserPage.id).where(FundraiserPage.slug == slug)
    if page_id is not None:
        query = query.where(FundraiserPage.id != page_id)
    return db.session.scalar(query) is not None


def _candidates(base):
    yield base
    for number in range(2, 100):
        yield f"{base}-{number}"


def add_with_free_slug(page, base):
    """Add the page under `base`, or `base-2`, `base-3`... the first the unique index lets in."""
    for candidate in _candidates(base):
        if _slug_taken(candidate):
            continue
        page.slug = candidate
        if add_once(page):
            return page
    raise PageError(_l("We could not find a free address for your page. Please try again."), status=409)


def start_page(user, occasion, language, tips_consent=None, visit=None, now=None):
    """Start a draft page for `user` from `occasion`, written in `language`; return it.

    The page comes prefilled: the occasion's title and story, its goal, an event date `days` away
    and a readable address. `tips_consent` is the wording of the ticked "email me tips" box (or None);
    `visit` (crm.supporters.visits.Visit) says where the form was sent from, for the consent's proof.
    """
    now = now or utcnow()
    today = local_date(now)
    if occasion is None:
        raise PageError(_l("Choose what your fundraiser is for."), "occasion")
    campaign = occasion.campaign
    if not campaign.accepts_pages(today):
        raise PageError(_l("This campaign no longer takes new pages. Choose another one."), "occasion", 409)
    if not occasion.active:
        raise PageError(_l("This occasion is no longer offered. Choose another one."), "occasion", 409)
    supporter, _created, _conflicts = find_or_create_supporter(
        user.email, source="fundraiser", now=now, language=language
    )
    title = occasion.text("title", language).strip()[:MAX_TITLE] or campaign.name(language)[:MAX_TITLE]
    page = FundraiserPage(
        campaign_id=campaign.id,
        occasion_id=occasion.id,
        supporter_id=supporter.id,
        user_id=user.id,
        title=title,
        story=occasion.text("story", language),
        goal_cents=occasion.goal_cents or campaign.goal_cents or 50000,
        currency=campaign.currency,
        event_on=today + timedelta(days=occasion.days),
        language=language,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    name = " ".join(part for part in (supporter.first_name, supporter.last_name) if part)
    add_with_free_slug(page, new_page_slug(title, name))
    if tips_consent is not None:
        visit_ip, visit_agent = getattr(visit, "ip_address", ""), getattr(visit, "user_agent", "")
        grant_consent(
            supporter,
            "fundraiser_tips",
            "express",
            wording=tips_consent.text,
            wording_version=tips_consent.version,
            form=START_FORM,
            language=language,
            ip_address=visit_ip,
            user_agent=visit_agent,
            reference=f"page:{page.id}",
            now=now,
        )
    db.session.flush()
    page_started.send(supporter=supporter, page=page)
    return page


# --- editing ----------------------------------------------------------------------------------------


def check_slug(slug, page=None):
    """Raise PageError unless `slug` can be this page's address (readable, and no other page's)."""
    if not plausible_slug(slug) or len(slug) > MAX_SLUG or not SLUG.match(slug):
        raise PageError(_l("Use lower-case letters, digits and single hyphens for the address."), "slug")
    if _slug_taken(slug, getattr(page, "id", None)):
        raise PageError(_l("Another page already uses this address. Choose another one."), "slug")


def _check_edit(edit, today):
    if not edit.title.strip():
        raise PageError(_l("Enter a title."), "title")
    if len(edit.title) > MAX_TITLE:
        raise PageError(_l("Use at most %(max)d characters.", max=MAX_TITLE), "title")
    if len(edit.story) > MAX_STORY:
        raise PageError(_l("Use at most %(max)d characters.", max=MAX_STORY), "story")
    if not 0 < edit.goal_cents <= MAX_GOAL_CENTS:
        raise PageError(_l("Enter a goal between 1 and 1,000,000."), "goal")
    if edit.event_on is not None and not date(2000, 1, 1) <= edit.event_on <= date(
        today.year + MAX_EVENT_YEARS, 12, 31
    ):
        raise PageError(_l("Enter a date from the year 2000 to ten years from now."), "event_on")


def edit_page(page, edit, photo_data=None, media_root=None, now=None):
    """Change the page as the fundraiser typed it (and its photo, when one is sent); return an EditOutcome.

    On a live page of a campaign that approves edits the words and the photo wait for staff
    (FundraiserPage.edit keeps them in `proposed`); the goal, the date and the address change at once.
    Everything is checked before the photo is stored, so a refused edit leaves no file behind.
    """
    now = now or utcnow()
    if page.status == "hidden":
        raise PageError(_l("Staff have hidden this page: it cannot be changed now."), status=409)
    _check_edit(edit, local_date(now))
    check_slug(edit.slug, page)
    changes = {
        "title": edit.title,
        "story": edit.story,
        "goal_cents": edit.goal_cents,
        "event_on": edit.event_on,
        "slug": edit.slug,
    }
    before = {"photo": page.photo_name, "proposed": (page.proposed or {}).get("photo_name", "")}
    event_on = page.event_on
    stored = store_image(photo_data, media_root, PHOTO_FOLDER) if photo_data else None  # ImageError: none saved
    if stored is not None:
        changes.update(photo_name=stored.name, photo_width=stored.width, photo_height=stored.height)
    try:
        with db.session.begin_nested():
            waiting = page.edit(changes)
            page.updated_at = now
            db.session.flush()
    except (PageStateError, IntegrityError) as error:
        if stored is not None:
            discard_image(stored.name, media_root, PHOTO_FOLDER)
        if isinstance(error, PageStateError):
            raise PageError(_l("This page cannot be changed now."), status=409) from error
        # Another page took the address a moment ago.
        raise PageError(_l("Another page already uses this address. Choose another one."), "slug") from error
    if page.event_on != event_on and page.status == "live":
        schedule_event_emails(page, now)  # the week-before and day-after emails follow the date
    in_use = {page.photo_name, (page.proposed or {}).get("photo_name", "")}
    return EditOutcome(waiting, [name for name in before.values() if name and name not in in_use])


# --- publishing, closing, reopening -------------------------------------------------------------------


def _refused(page):
    return PageError(_l("This page cannot do that now (it is %(state)s).", state=page.status_label), status=409)


def submit_page(page, now=None):
    """Publish a draft: live at once, or waiting for staff where the campaign approves new pages."""
    now = now or utcnow()
    if page.status == "draft" and not page.campaign.accepts_pages(local_date(now)):
        raise PageError(_l("This campaign no longer takes new pages."), status=409)
    first_time = page.published_at is None
    try:
        page.submit(now)
    except PageStateError as error:
        raise _refused(page) from error
    db.session.flush()
    if page.status == "live" and first_time:
        page_published.send(page=page, now=now)
    return page.status


def close_page(page, now=None):
    """The fundraiser closes their page: it stays up with its total and wall, and takes no more gifts."""
    now = now or utcnow()
    try:
        page.close(now)
    except PageStateError as error:
        raise _refused(page) from error
    db.session.flush()
    page_closed.send(page=page, now=now)


def reopen_page(page, now=None):
    """Open a closed page again (while its campaign is open), with its event's emails planned again."""
    # A draft or a pending page can be closed too; reopening must not put it live without its approval.
    if page.status == "closed" and page.published_at is None:
        raise PageError(_l("This page was never published: start a new page instead."), status=409)
    if page.status == "closed" and not page.campaign.is_open:
        raise PageError(_l("The campaign of this page is closed: the page cannot take gifts again."), status=409)
    try:
        page.reopen()
    except PageStateError as error:
        raise _refused(page) from error
    db.session.flush()
    schedule_event_emails(page, now or utcnow())  # closing cancelled them

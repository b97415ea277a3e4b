"""A returning fundraiser copies last year's page into this year's campaign: its words, its photo,
and a goal suggested from what it raised."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from crm.fundraising.models import FundraiserPage
from crm.fundraising.personal import PHOTO_FOLDER
from crm.fundraising.services.pages import PageError, active_occasions, add_with_free_slug, new_page_slug
from crm.fundraising.services.totals import page_total
from crm.fundraising.signals import page_started
from crm.images import ImageError, image_folder, store_image
from crm.payments.services.receipts import local_date
from crm.utc import utcnow

GOAL_STEP_CENTS = 5000  # suggested goals are rounded up to $50


def suggested_goal(page):
    """Last time's goal, or a tenth more than it raised (rounded up to $50) when it raised more."""
    raised, _donors = page_total(page)
    grown = -(-(raised * 11 // 10) // GOAL_STEP_CENTS) * GOAL_STEP_CENTS
    return max(page.goal_cents, grown)


def copy_page(page, campaign, user, media_root, now=None):
    """A new draft in `campaign` from the user's published `page` (kept as it is); return the draft."""
    now = now or utcnow()
    today = local_date(now)
    if not page.owned_by(user):
        raise PageError(_l("This is not your page."), status=404)
    if page.published_at is None:
        raise PageError(_l("This page was never published: start a new page instead."), status=409)
    if campaign is None or not campaign.accepts_pages(today):
        raise PageError(_l("That campaign does not take new pages now. Choose another one."), "campaign", 409)
    occasions = active_occasions(campaign)
    kind = page.occasion.kind if page.occasion is not None else "own_idea"
    occasion = next((o for o in occasions if o.kind == kind), None) or next(
        (o for o in occasions if o.kind == "own_idea"), occasions[0] if occasions else None
    )
    if occasion is None:
        raise PageError(_l("That campaign does not take new pages now. Choose another one."), "campaign", 409)
    copy = FundraiserPage(
        campaign_id=campaign.id,
        occasion_id=occasion.id,
        supporter_id=page.supporter_id,
        user_id=user.id,
        title=page.title,
        story=page.story,
        goal_cents=suggested_goal(page),
        currency=campaign.currency,
        event_on=today + timedelta(days=occasion.days),
        language=page.language,
        status="draft",
        copied_from_id=page.id,
        created_at=now,
        updated_at=now,
    )
    if page.photo_name:
        try:  # a copy of its own: erasing or replacing last year's photo leaves this one
            data = (image_folder(media_root, PHOTO_FOLDER) / page.photo_name).read_bytes()
            stored = store_image(data, media_root, PHOTO_FOLDER)
        except (OSError, ImageError):
            stored = None  # the file is gone: the copy starts without a photo
        if stored is not None:
            copy.photo_name, copy.photo_width, copy.photo_height = stored.name, stored.width, stored.height
    supporter = page.supporter
    name = " ".join(part for part in (supporter.first_name, supporter.last_name) if part)
    add_with_free_slug(copy, new_page_slug(page.title, name))
    page_started.send(supporter=supporter, page=copy)
    return copy

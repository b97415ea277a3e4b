"""Crediting gifts to pages: a one-time gift when it starts, every paid invoice of a monthly gift.

The donor's gift stays theirs (receipted to them); the credit is the fundraiser's soft credit, one
row per gift (donation_id is unique), so no report can count it twice.
"""

from flask_babel import lazy_gettext as _l

from crm.extensions import db
from crm.fundraising.models import PageGift, PagePlan
from crm.fundraising.services import FundraisingError
from crm.fundraising.signals import page_gift_credited
from crm.unique import add_once
from crm.utc import utcnow


class PageClosed(FundraisingError):
    """The page no longer takes gifts (closed, or its campaign is): it is still shown, with its wall."""

    status = 409

    def __init__(self, message=None):
        super().__init__(message or _l("This page is closed and no longer takes gifts. Thank you for your support!"))


def credit_gift(donation, campaign, page=None, now=None, hide_amount=False, share_email=False):
    """Credit a gift (pending or paid) to `page` and its campaign, or to `campaign` alone; once.

    `hide_amount`: the donor asked the page not to show how much; `share_email`: they let the
    fundraiser see their email address to contact them (both hold for a monthly gift's every invoice).
    """
    if donation.recurring_gift_id is not None:
        plan = PagePlan(
            recurring_gift_id=donation.recurring_gift_id,
            page_id=getattr(page, "id", None),
            campaign_id=campaign.id,
            hide_amount=hide_amount,
            share_email=share_email,
            created_at=now or utcnow(),
        )
        add_once(plan)
    gift = _add_credit(donation, getattr(page, "id", None), campaign.id, now, hide_amount, share_email)
    if donation.status == "succeeded":
        announce(gift, now)
    return gift


def credit_for(donation):
    """The credit of this gift: its own row, or a new one when it is a paid invoice of a monthly gift on a page."""
    gift = db.session.scalar(db.select(PageGift).filter_by(donation_id=donation.id))
    if gift is not None or donation.recurring_gift_id is None:
        return gift
    plan = db.session.scalar(db.select(PagePlan).filter_by(recurring_gift_id=donation.recurring_gift_id))
    if plan is None:
        return None
    return _add_credit(
        donation, plan.page_id, plan.campaign_id, hide_amount=plan.hide_amount, share_email=plan.share_email
    )


def credit_page_gift(page, hide_amount=False, share_email=False):
    """The `on_started` of a gift given on `page`: credit it there, in the transaction that starts it."""
    if not page.takes_gifts:
        raise PageClosed()

    def credit(donation, now=None):
        return credit_gift(donation, page.campaign, page, now=now, hide_amount=hide_amount, share_email=share_email)

    return credit


def credited_page(donation):
    """The page this gift is credited to, or None (a gift to the campaign alone, or no credit)."""
    gift = db.session.scalar(db.select(PageGift).filter_by(donation_id=donation.id))
    return gift.page if gift is not None else None


def _add_credit(donation, page_id, campaign_id, now=None, hide_amount=False, share_email=False):
    """Add the gift's one credit, or return the one a concurrent transaction added first."""
    gift = PageGift(
        donation_id=donation.id,
        page_id=page_id,
        campaign_id=campaign_id,
        hide_amount=hide_amount,
        share_email=share_email,
        created_at=now or utcnow(),
    )
    if not add_once(gift):
        gift = db.session.scalar(db.select(PageGift).filter_by(donation_id=donation.id))
    return gift


def announce(gift, now=None):
    """Tell listeners (the fundraiser's notification, milestones) of a paid gift, once per gift."""
    if gift.page_id is not None and gift.notified_at is None:
        page_gift_credited.send(page_gift=gift, now=now or utcnow())
        gift.notified_at = gift.notified_at or now or utcnow()

"""A fundraiser thanks their donors: one message, through the outbox, once per gift.

The fundraiser never sees the donors' addresses; the message carries no appeal (transactional: a
thank-you for a gift made), and an address on the suppression list gets nothing (delivery checks
again at send time).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from crm.extensions import db
from crm.fundraising.models import PageGift
from crm.fundraising.models.credits import COUNTED_STATUSES
from crm.fundraising.services import FundraisingError
from crm.mail.services.outbox import enqueue_email
from crm.payments.models import Donation
from crm.supporters.models.consents import email_hash
from crm.supporters.services.consent import suppressed_hashes
from crm.utc import utcnow

MAX_THANKS = 2000


@dataclass
class ThanksPlan:
    waiting: list  # PageGifts of counted gifts not thanked yet, with an address
    already: int  # gifts thanked before


def thanks_plan(page):
    """Who a thank-you would reach now: the page's counted gifts not yet thanked that have an address."""
    rows = db.session.scalars(
        select(PageGift)
        .join(PageGift.donation)
        .options(contains_eager(PageGift.donation))  # each gift's donation in the same query
        .where(PageGift.page_id == page.id, Donation.status.in_(COUNTED_STATUSES))
        .order_by(PageGift.id)
    ).all()
    waiting = [gift for gift in rows if gift.thanked_at is None and gift.donation.email]
    return ThanksPlan(waiting, sum(1 for gift in rows if gift.thanked_at is not None))


def thank_donors(page, message, user, now=None):
    """Queue the fundraiser's thank-you to each donor not thanked yet; return how many were queued."""
    if not page.owned_by(user):
        raise FundraisingError(_l("This is not your page."))
    message = (message or "").strip()
    if not message:
        raise FundraisingError(_l("Write your thank-you message."))
    if len(message) > MAX_THANKS:
        raise FundraisingError(_l("Use at most %(max)d characters.", max=MAX_THANKS))
    now = now or utcnow()
    fundraiser = page.supporter
    queued = 0
    waiting = thanks_plan(page).waiting
    suppressed = suppressed_hashes(gift.donation.email for gift in waiting)
    for gift in waiting:
        donation = gift.donation
        gift.thanked_at = now  # once per gift, even for an address we may not write to
        if email_hash(donation.email) in suppressed:
            continue
        enqueue_email(
            f"page-thanks:{gift.id}",
            "fundraiser_donor_thanks",
            donation.email,
            to_name=donation.donor_name,
            supporter=donation.supporter,
            language=donation.language,
            purpose="transactional",
            context={
                "donor_first_name": donation.first_name,
                "fundraiser_name": fundraiser.first_name or fundraiser.display_name,
                "page_title": page.title,
                "page_slug": page.slug,
                "message": message,
            },
            now=now,
        )
        queued += 1
    return queued

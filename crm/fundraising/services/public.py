"""What the public sees of a page: the page itself, its story made safe, its donor wall."""

from dataclasses import dataclass

import markdown
import nh3
import segno
from markupsafe import Markup
from sqlalchemy import select

from crm.extensions import db
from crm.fundraising.models import FundraiserPage, PageGift
from crm.fundraising.models.credits import COUNTED_STATUSES
from crm.normalize import plausible_slug
from crm.payments.models import Donation

WALL_PAGE_SIZE = 20
STORY_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "a"}


def find_page(slug):
    """The page at this address, whatever its state (the view decides who may see it), or None."""
    if not plausible_slug(slug):
        return None
    return db.session.scalar(select(FundraiserPage).filter_by(slug=slug))


def may_see(page, user):
    """The public sees live and closed pages; the owner and staff see every state (a hidden page too)."""
    if page.is_public:
        return True
    return bool(getattr(user, "is_authenticated", False)) and (page.owned_by(user) or user.is_staff)


def story_html(story):
    """The fundraiser's Markdown as HTML with only harmless tags (links open nothing but http(s) and mailto)."""
    html = markdown.markdown(story or "", extensions=[], output_format="html")
    return Markup(  # noqa: S704  (nh3 has just removed every tag and attribute not listed)
        nh3.clean(
            html,
            tags=STORY_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow noopener ugc",
        )
    )


def qr_svg(url):
    """The page's address as an SVG QR code (for the page and the poster)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#111111", omitsize=False)
    return Markup(svg)  # noqa: S704  (segno draws modules as paths: the address is never written into it as text)


@dataclass
class WallEntry:
    name: str  # the donor's wall name, or "" for "Anonymous"
    amount_cents: int
    currency: str
    message: str
    given_at: object


def wall(page, number=1):
    """One page of the donor wall, newest first: names only as each donor chose; (entries, has_more)."""
    number = max(1, number)
    rows = db.session.execute(
        select(
            Donation.show_on_wall,
            Donation.wall_name,
            Donation.amount_cents - Donation.refunded_cents,
            Donation.currency,
            Donation.message,
            Donation.succeeded_at,
        )
        .join(PageGift, PageGift.donation_id == Donation.id)
        .where(PageGift.page_id == page.id, Donation.status.in_(COUNTED_STATUSES))
        .order_by(Donation.succeeded_at.desc(), Donation.id.desc())
        .offset((number - 1) * WALL_PAGE_SIZE)
        .limit(WALL_PAGE_SIZE + 1)
    ).all()
    entries = [
        WallEntry(
            name=wall_name if shown else "",
            amount_cents=net,
            currency=currency,
            message=message if shown else "",
            given_at=given_at,
        )
        for shown, wall_name, net, currency, message, given_at in rows[:WALL_PAGE_SIZE]
    ]
    return entries, len(rows) > WALL_PAGE_SIZE

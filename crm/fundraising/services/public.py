"""What the public sees of a page: the page itself, its story made safe, its donor wall."""

from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3
import segno
from markupsafe import Markup
from sqlalchemy import exists, literal_column, or_, select

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift
from crm.fundraising.models.credits import COUNTED_STATUSES
from crm.fundraising.models.pages import PUBLIC_STATUSES
from crm.normalize import plausible_slug
from crm.payments.models import Donation

WALL_PAGE_SIZE = 20
# The story and the QR code are the same for every visitor, so each process keeps the most recent
# ones made (keyed by the text and the address alone, never by who asks; bounded, so memory is too).
STORY_CACHE_SIZE = 256
QR_CACHE_SIZE = 256
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


def photo_audience(name, user):
    """Return who may see the photo `name`: "public", "private" (its owner or staff, uncached) or None.

    Public: the photo of a page the public sees, or the image of a campaign it sees. A photo waiting
    for approval, or that of a draft, pending or hidden page, is its fundraiser's and staff's alone.
    """
    shown = or_(
        exists().where(FundraiserPage.photo_name == name, FundraiserPage.status.in_(PUBLIC_STATUSES)),
        exists().where(Campaign.image_name == name, Campaign.status != "draft"),
    )
    if db.session.scalar(select(shown)):
        return "public"
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_staff:
        return "private"
    mine = select(FundraiserPage.photo_name, FundraiserPage.proposed).where(FundraiserPage.user_id == user.id)
    for photo_name, proposed in db.session.execute(mine):
        if name in (photo_name, (proposed or {}).get("photo_name")):
            return "private"
    return None


def story_html(story):
    """The fundraiser's Markdown as HTML with only harmless tags (links open nothing but http(s) and mailto)."""
    return _story_html(story or "")


@lru_cache(maxsize=STORY_CACHE_SIZE)
def _story_html(story):
    html = markdown.markdown(story, extensions=[], output_format="html")
    return Markup(  # noqa: S704  (nh3 has just removed every tag and attribute not listed)
        nh3.clean(
            html,
            tags=STORY_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow noopener ugc",
        )
    )


@lru_cache(maxsize=QR_CACHE_SIZE)
def qr_svg(url):
    """The page's address as an SVG QR code (for the page and the poster); made once per address per process."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#111111", omitsize=False)
    return Markup(svg)  # noqa: S704  (segno draws modules as paths: the address is never written into it as text)


@dataclass
class WallEntry:
    name: str  # the donor's wall name, or "" for "Anonymous"
    amount_cents: int | None  # None: the donor hid their amount (it still counts in the total)
    currency: str
    message: str
    given_at: object
    email: str = ""  # only in the fundraiser's own list, and only where the donor let them contact them

    @property
    def amount_hidden(self):
        return self.amount_cents is None


def _entries(page, offset=0, limit=None, emails=False):
    """The page's counted gifts, newest first, as the donors chose to show them.

    `emails`: for the fundraiser, the email address of each gift whose donor agreed to be contacted.
    """
    # The public wall never so much as reads an address.
    email = Donation.email if emails else literal_column("''")
    query = (
        select(
            PageGift.share_email,
            email,
            Donation.show_on_wall,
            Donation.wall_name,
            Donation.amount_cents - Donation.refunded_cents,
            PageGift.hide_amount,
            Donation.currency,
            Donation.message,
            Donation.succeeded_at,
        )
        .join(PageGift, PageGift.donation_id == Donation.id)
        .where(PageGift.page_id == page.id, Donation.status.in_(COUNTED_STATUSES))
        .order_by(Donation.succeeded_at.desc(), Donation.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        WallEntry(
            name=(wall_name or "").strip() if shown else "",
            amount_cents=None if hidden else net,
            currency=currency,
            message=message if shown else "",
            given_at=given_at,
            email=(email or "").strip() if emails and shared else "",
        )
        for shared, email, shown, wall_name, net, hidden, currency, message, given_at in db.session.execute(query)
    ]


def wall(page, number=1, emails=False):
    """One page of the donor wall, newest first: names and amounts only as each donor chose; (entries, has_more).

    `emails`: the fundraiser's own list, with the address of each donor who agreed to be contacted.
    """
    number = max(1, number)
    entries = _entries(page, (number - 1) * WALL_PAGE_SIZE, WALL_PAGE_SIZE + 1, emails)
    return entries[:WALL_PAGE_SIZE], len(entries) > WALL_PAGE_SIZE


def page_donors(page):
    """Every counted gift of the page for its fundraiser, newest first, by the wall's rules.

    The name as the donor chose to show it ("" for anonymous), the amount unless they hid it, the
    message they left for the wall; the email address only where the donor let the fundraiser contact them.
    """
    return _entries(page, emails=True)


def giving_page(slug):
    """The page a gift can be given on at this address: live or closed (a closed one refuses), or None."""
    page = find_page(slug)
    return page if page is not None and page.is_public else None

"""Checkout: hold the cart's units, make the order, and pay it with one PaymentIntent through payments."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import update

from crm.catalog.models import HonourCard, Item, Order, OrderLine
from crm.catalog.models.orders import new_token
from crm.catalog.services import CatalogError
from crm.catalog.services.cart import MAX_QUANTITY
from crm.catalog.services.orders import DESIGNATION, fail_order, order_language
from crm.extensions import db
from crm.i18n import money_filter
from crm.payments.services import DonationDeclined, GiftRequest
from crm.payments.services.donations import declined_message, resume_gift
from crm.payments.services.giving import give
from crm.payments.services.receipts import local_date
from crm.payments.services.submissions import order_gift_key, order_token
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.visits import supporter_source
from crm.unique import add_once
from crm.utc import utcnow

CARD_HORIZON_DAYS = 365  # how far ahead an e-card may be dated


class ItemGone(CatalogError):
    """Not enough units of a capped item are left: nothing was charged."""


class CartChanged(CatalogError):
    """The cart or its prices differ from what the buyer saw: nothing was charged."""


class OrderAlreadyPlaced(CatalogError):
    """Another post of the same checkout form holds the order's token: the caller rolls back, then resume_order."""

    status = 409

    def __init__(self):
        super().__init__(_("This order was already sent: it is on its way."))


class OrderDeclined(CatalogError):
    """The card was declined: the order is kept, failed, its units released (the caller commits)."""

    def __init__(self, message, order):
        super().__init__(message)
        self.order = order


@dataclass
class CardRequest:
    """A card in someone's honour, as the checkout form gave it."""

    honouree_name: str
    delivery: str  # "email" or "print"
    deliver_on: date
    honouree_email: str = ""
    message: str = ""
    item_id: int | None = None  # None: the card is for the whole order


@dataclass
class CheckoutRequest:
    """What the checkout form gave: the buyer, the card token, the cards, and the cart as it was shown."""

    email: str
    card_token: str
    donor: dict = field(default_factory=dict)  # first_name ... country, language (as for a gift)
    cards: list = field(default_factory=list)
    attribution: dict = field(default_factory=dict)
    seen_lines: list | None = None  # [(item id, quantity)] as the page showed them
    seen_total_cents: int | None = None
    submission_key: str = ""  # the rendered form's (payments.services.submissions): posted again, one order


@dataclass
class OrderStarted:
    order: object
    status: str  # the PaymentIntent's: "succeeded", "requires_action", "processing", ...
    client_secret: str = ""


def card_dates(now=None):
    """Return the first and last delivery dates a card may have (the charity's calendar)."""
    today = local_date(now or utcnow())
    return today, today + timedelta(days=CARD_HORIZON_DAYS)


def check_cart(cart, seen_lines=None, seen_total_cents=None):
    """Refuse an empty cart, a bad quantity, or one that differs from what the buyer saw and agreed to pay."""
    if cart.removed and not cart.lines:
        raise CartChanged(_("The items in your cart are no longer offered."))
    if not cart.lines:
        raise CatalogError(_("Your cart is empty."))
    for line in cart.lines:
        if not 1 <= line.quantity <= MAX_QUANTITY or not line.item.active:
            raise CatalogError(_("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
    if seen_lines is not None:
        ordered = {line.item.id: line.quantity for line in cart.lines}
        for item_id, quantity in seen_lines:
            if item_id not in ordered:
                raise CatalogError(_("That item is not in your cart."))
            if not 1 <= quantity <= MAX_QUANTITY:
                raise CatalogError(_("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
        if dict(seen_lines) != ordered or len(seen_lines) != len(ordered):
            raise CartChanged(_("Your cart changed in another window. Check your order and pay again."))
    if cart.removed or (seen_total_cents is not None and seen_total_cents != cart.total_cents):
        raise CartChanged(
            _(
                "Prices have changed since you opened this page: the total is now %(total)s. "
                "Check your order and pay again.",
                total=money_filter(cart.total_cents, cart.currency),
            )
        )


def check_cards(cards, cart, now=None):
    """Refuse a card for an item that is not in the cart, or dated outside the days allowed."""
    first, last = card_dates(now)
    in_cart = {line.item.id for line in cart.lines}
    for card in cards:
        if card.item_id is not None and card.item_id not in in_cart:
            raise CatalogError(_("That item is not in your cart."))
        if card.delivery not in ("email", "print") or (card.delivery == "email" and not card.honouree_email):
            raise CatalogError(_("Enter the email address the card goes to, or choose to print it."))
        if not card.honouree_name:
            raise CatalogError(_("Enter the name of the person the card honours."))
        if card.deliver_on is None or not first <= card.deliver_on <= last:
            raise CatalogError(_("Choose a delivery date from today to a year from now."))


def reserve_units(lines):
    """Hold the units of capped items for this order, or raise ItemGone naming the first one short.

    The conditional UPDATE keeps reserved_count within cap whatever the concurrency: on PostgreSQL
    a second checkout waits for the first's row lock, then sees its count; SQLite has one writer.
    """
    for line in sorted(lines, key=lambda line: line.item.id):  # one order of locks: no deadlock
        held = db.session.execute(
            update(Item)
            .where(
                Item.id == line.item.id,
                Item.active.is_(True),
                (Item.cap.is_(None)) | (Item.reserved_count + line.quantity <= Item.cap),
            )
            .values(reserved_count=Item.reserved_count + line.quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if held != 1:
            db.session.refresh(line.item)
            raise ItemGone(_gone_message(line.item))
        db.session.refresh(line.item)


def _gone_message(item):
    name = item.text("name", order_language())
    remaining = max(0, item.remaining or 0) if item.active else 0
    if remaining == 0:
        return _("Sorry, %(name)s is gone: every one has been given. Remove it from your cart to continue.", name=name)
    return ngettext(
        "Sorry, only %(num)d of %(name)s is left. Change the quantity in your cart to continue.",
        "Sorry, only %(num)d of %(name)s are left. Change the quantity in your cart to continue.",
        remaining,
        name=name,
    )


def place_order(cart, request, visit=None, newsletter_consent=None, now=None):
    """Hold the cart's units, record the order, and charge its total with one PaymentIntent.

    Return an OrderStarted. Raise CatalogError (ItemGone, CartChanged...) before anything is charged,
    OrderDeclined (the order kept, failed, its units released) for a declined card, OrderAlreadyPlaced
    when another post of the same form holds the order, and what start_donation raises otherwise
    (DonationError: the caller rolls back, which releases the units).
    """
    now = now or utcnow()
    check_cart(cart, request.seen_lines, request.seen_total_cents)
    check_cards(request.cards, cart, now)
    reserve_units(cart.lines)
    language = request.donor.get("language") or "en"
    supporter, _created, _conflicts = find_or_create_supporter(
        request.email, source=supporter_source(request.attribution), now=now, **request.donor
    )
    order = _record_order(cart, request, supporter, language, now)
    try:
        started = give(_gift_request(order, request), visit, newsletter_consent, now=now)
    except DonationDeclined as declined:
        fail_order(order, str(declined), donation=declined.donation)
        raise OrderDeclined(str(declined), order) from declined
    order.donation_id = started.donation.id
    db.session.flush()
    return OrderStarted(order=order, status=started.status, client_secret=started.client_secret)


def resume_order(submission_key):
    """The order an earlier post of this checkout form placed, as that post answered; None when there is none.

    Raise OrderDeclined when its card was declined.
    """
    token = order_token(submission_key)
    order = db.session.scalar(db.select(Order).filter_by(token=token)) if token else None
    if order is None:
        return None
    if order.status == "failed":
        raise OrderDeclined(declined_message(), order)
    try:
        gift = resume_gift(order_gift_key(submission_key))
    except DonationDeclined as declined:
        raise OrderDeclined(str(declined), order) from declined
    if gift is None:
        return OrderStarted(order=order, status="processing")
    return OrderStarted(order=order, status=gift.status, client_secret=gift.client_secret)


def _record_order(cart, request, supporter, language, now):
    donor = request.donor
    order = Order(
        token=order_token(request.submission_key) or new_token(),
        supporter_id=supporter.id,
        status="pending",
        total_cents=cart.total_cents,
        currency=cart.currency,
        email=request.email,
        created_at=now,
        **{name: donor.get(name) or "" for name in ("first_name", "last_name", "address_line1", "city")},
        **{name: donor.get(name) or "" for name in ("region", "postal_code")},
        country=donor.get("country") or "CA",
        language=language,
        **request.attribution,
    )
    by_item = {}
    for line in cart.lines:
        item = line.item
        by_item[item.id] = OrderLine(
            item_id=item.id,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            unit_fmv_cents=min(item.fmv_cents or 0, line.unit_price_cents),
            receiptable=item.receiptable,
            name=item.text("name", language)[:200],
        )
        order.lines.append(by_item[item.id])
    for card in request.cards:
        order.cards.append(
            HonourCard(
                line=by_item.get(card.item_id),
                honouree_name=card.honouree_name[:200],
                delivery=card.delivery,
                honouree_email=card.honouree_email if card.delivery == "email" else "",
                message=card.message,
                deliver_on=card.deliver_on,
                status="scheduled",
            )
        )
    # The token is unique: a second post of the same form waits here for the first, then stops.
    if not add_once(order):
        raise OrderAlreadyPlaced()
    return order


def _gift_request(order, request):
    """Return the GiftRequest of the order's total: its advantage and its part that is no gift."""
    advantage = sum(line.unit_fmv_cents * line.quantity for line in order.lines if line.receiptable)
    purchase = sum(line.total_cents for line in order.lines if not line.receiptable)
    described = [f"{line.name} x {line.quantity}" for line in order.lines if line.receiptable and line.unit_fmv_cents]
    return GiftRequest(
        email=request.email,
        gift_cents=order.total_cents,
        cover_fee=False,
        card_token=request.card_token,
        donor=dict(request.donor),
        gift={"designation": DESIGNATION},
        attribution=request.attribution,
        advantage_cents=advantage,
        advantage_description="; ".join(described)[:300],
        non_receiptable_cents=purchase,
        minimum_cents=1,  # an order may cost less than the smallest gift the donation form takes
        metadata={"order_token": order.token},  # not its id: the same on a resend of the form (see start_donation)
        thanked_by="catalog",  # the order's confirmation, with the receipt attached, is the thank-you
        submission_key=order_gift_key(request.submission_key),
    )

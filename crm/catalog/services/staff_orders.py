"""The staff back office for catalog orders: the list and its filters, sales by item, the CSV export, refunds."""

from dataclasses import dataclass
from datetime import UTC, date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from crm.catalog.models import HonourCard, Item, Order, OrderLine
from crm.catalog.models.orders import ORDER_STATUSES
from crm.catalog.services import CatalogError
from crm.exports import stream_csv
from crm.extensions import db
from crm.lists import paginate
from crm.money import from_cents
from crm.payments.services.refunds import refund_donation
from crm.query_filters import QueryFilter
from crm.supporters.models import Supporter
from crm.supporters.services.search import between_days, person_conditions

PER_PAGE = 50
MAX_ID = 2**31 - 1  # an integer column: a longer number is no order id (and PostgreSQL would refuse it)
EXPORT_COLUMNS = (
    "id",
    "date",
    "paid",
    "status",
    "total",
    "currency",
    "items",
    "honour_cards",
    "first_name",
    "last_name",
    "email",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "supporter_id",
    "donation_id",
    "stripe_payment_intent_id",
    "stripe_charge_id",
)


@dataclass
class OrderFilter(QueryFilter):
    """What staff asked the orders list for; every field optional. Built from the query string."""

    q: str = ""
    status: str = ""
    source: str = ""
    cards: str = ""  # "yes": with honour cards, "no": without
    date_from: date | None = None
    date_to: date | None = None

    CHOICES = {"status": ORDER_STATUSES, "cards": ("yes", "no")}


@dataclass
class ItemSales:
    """Units and amount of one item, in one currency, over the orders of a filter."""

    item: Item
    currency: str
    units: int
    amount_cents: int


def _text_condition(text):
    """Return the condition for the search box: an order id or token, an email, a buyer's or honouree's name."""
    conditions = [Order.token == text]
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit() and int(number) <= MAX_ID:
        conditions.append(Order.id == int(number))
    if "@" in text:
        return or_(*conditions, *person_conditions(Order, text))
    conditions += person_conditions(Order, text)
    lowered = text.lower()
    honoured = select(HonourCard.order_id).where(
        func.lower(HonourCard.honouree_name).contains(lowered, autoescape=True)
    )
    conditions.append(Order.id.in_(honoured))
    return or_(*conditions)


def search_orders(criteria):
    """Return a Select of orders matching `criteria`, newest first."""
    query = select(Order).join(Supporter, Supporter.id == Order.supporter_id)
    text = criteria.q.strip()
    if text:
        query = query.where(_text_condition(text))
    if criteria.status:
        query = query.where(Order.status == criteria.status)
    if criteria.source:
        query = query.where(Order.source == criteria.source)
    if criteria.cards:
        with_cards = Order.id.in_(select(HonourCard.order_id))
        query = query.where(with_cards if criteria.cards == "yes" else ~with_cards)
    query = query.where(*between_days(Order.created_at, criteria.date_from, criteria.date_to))
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def list_orders(criteria, page=1, per_page=PER_PAGE):
    """Return one page (a ListPage of Orders) of the orders matching `criteria`."""
    return paginate(search_orders(criteria), page, per_page)


def sales_by_item(criteria):
    """Return the ItemSales of the orders matching `criteria`: most sold (by amount) first."""
    order_ids = search_orders(criteria).with_only_columns(Order.id).order_by(None)
    units = func.sum(OrderLine.quantity)
    amount = func.sum(OrderLine.quantity * OrderLine.unit_price_cents)
    rows = db.session.execute(
        select(OrderLine.item_id, Order.currency, units, amount)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.order_id.in_(order_ids))
        .group_by(OrderLine.item_id, Order.currency)
        .order_by(amount.desc(), OrderLine.item_id)
    ).all()
    items = {item.id: item for item in db.session.scalars(select(Item).where(Item.id.in_({row[0] for row in rows})))}
    return [ItemSales(items[item_id], currency, int(count), int(total)) for item_id, currency, count, total in rows]


def order_sources():
    """Return the sources orders have come from, sorted."""
    return db.session.scalars(select(Order.source).where(Order.source != "").distinct().order_by(Order.source)).all()


def _export_row(order):
    donation = order.donation
    return [
        order.id,
        order.created_at.astimezone(UTC).isoformat() if order.created_at else "",
        order.paid_at.astimezone(UTC).isoformat() if order.paid_at else "",
        order.status,
        from_cents(order.total_cents),
        order.currency.upper(),
        "; ".join(f"{line.quantity} × {line.name}" for line in order.lines),
        len(order.cards),
        order.first_name,
        order.last_name,
        order.email,
        order.address_line1,
        order.city,
        order.region,
        order.postal_code,
        order.country,
        order.language,
        order.source,
        order.utm_source,
        order.utm_medium,
        order.utm_campaign,
        order.supporter_id,
        order.donation_id or "",
        donation.stripe_payment_intent_id if donation else "",
        donation.stripe_charge_id if donation else "",
    ]


def export_orders_csv(criteria):
    """Yield the CSV text of the orders matching `criteria`, a batch at a time, BOM first (formula-safe)."""
    return stream_csv(EXPORT_COLUMNS, search_orders(criteria), lambda orders: map(_export_row, orders))


def refund_order(order, amount_cents, reason, idempotency_key, actor=None, now=None):
    """Refund all or part of an order through its gift, once per key; return the Refund.

    The order and its cards follow through payment_refunded (crm.catalog.refunds). Raise CatalogError
    when nothing was paid; DonationError and PaymentsUnavailable as refund_donation does.
    """
    if order.donation is None:
        raise CatalogError(_("This order was never paid, so there is nothing to refund."))
    return refund_donation(order.donation, amount_cents, reason, idempotency_key, actor=actor, now=now)

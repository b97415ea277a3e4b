"""The staff back office for gifts: the list and its filters, the CSV export, a gift's page."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import case, func, or_, select

from crm.exports import stream_csv
from crm.extensions import db
from crm.lists import paginate
from crm.money import from_cents
from crm.payments.models import (
    DONATION_KINDS,
    DONATION_STATUSES,
    Donation,
    Receipt,
    Refund,
    StripeEvent,
    receipt_donations,
)
from crm.payments.services.receipt_links import receipt_download_url
from crm.query_filters import QueryFilter
from crm.supporters.models import Supporter
from crm.supporters.services.search import between_days, person_conditions

PER_PAGE = 50
# The refund form's idempotency key: a UUID made when the form is shown.
KEY_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STRIPE_ID_COLUMNS = (
    Donation.stripe_payment_intent_id,
    Donation.stripe_invoice_id,
    Donation.stripe_customer_id,
    Donation.stripe_charge_id,
    Donation.stripe_dispute_id,
)
STRIPE_PREFIXES = ("pi_", "in_", "cus_", "ch_", "py_", "dp_", "du_")
EXPORT_COLUMNS = (
    "id",
    "date",
    "status",
    "kind",
    "method",
    "amount",
    "fee",
    "refunded",
    "currency",
    "designation",
    "source",
    "first_name",
    "last_name",
    "email",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "supporter_id",
    "stripe_customer_id",
    "stripe_payment_intent_id",
    "stripe_invoice_id",
    "stripe_charge_id",
    "stripe_dispute_id",
    "offline_reference",
    "receipts",
)


@dataclass
class DonationFilter(QueryFilter):
    """What staff asked the donations list for; every field optional. Built from the query string."""

    q: str = ""
    status: str = ""
    designation: str = ""
    source: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None

    CHOICES = {"status": DONATION_STATUSES, "kind": DONATION_KINDS}


def _text_condition(text):
    """Return the condition for the search box: a Stripe id, a receipt serial, an email or a name."""
    conditions = [column == text for column in STRIPE_ID_COLUMNS]
    conditions.append(Donation.id.in_(select(Refund.donation_id).where(Refund.stripe_refund_id == text)))
    conditions.append(
        Donation.id.in_(
            select(receipt_donations.c.donation_id)
            .join(Receipt, Receipt.id == receipt_donations.c.receipt_id)
            .where(Receipt.serial == text)
        )
    )
    if text.startswith(STRIPE_PREFIXES):
        return or_(*conditions)
    return or_(*conditions, *person_conditions(Donation, text))


def search_donations(criteria):
    """Return a Select of gifts matching `criteria`, newest first."""
    query = select(Donation).join(Supporter, Supporter.id == Donation.supporter_id)
    text = criteria.q.strip()
    if text:
        query = query.where(_text_condition(text))
    if criteria.status:
        query = query.where(Donation.status == criteria.status)
    if criteria.kind:
        query = query.where(Donation.kind == criteria.kind)
    if criteria.designation:
        query = query.where(Donation.designation == criteria.designation)
    if criteria.source:
        query = query.where(Donation.source == criteria.source)
    query = query.where(*between_days(Donation.created_at, criteria.date_from, criteria.date_to))
    return query.order_by(Donation.created_at.desc(), Donation.id.desc())


def list_donations(criteria, page=1, per_page=PER_PAGE):
    """Return one page (a ListPage of Donations) of the gifts matching `criteria`."""
    return paginate(search_donations(criteria), page, per_page)


# Gifts whose money came in (some of it may have gone back since): what the totals add up.
PAID_STATUSES = ("succeeded", "partially_refunded", "refunded", "disputed")


@dataclass
class CurrencyTotal:
    """The gifts a filter selects, in one currency: how many, the money received, refunded, and kept."""

    currency: str
    count: int
    received_cents: int
    refunded_cents: int

    @property
    def net_cents(self):
        return self.received_cents - self.refunded_cents


def donation_totals(criteria):
    """Return a CurrencyTotal per currency of the gifts matching `criteria` (all of them, not one page).

    One SQL aggregate. Every gift selected is counted; only paid ones add money (pending, failed
    and cancelled gifts bring none).
    """
    selected = search_donations(criteria).order_by(None).subquery()
    paid = selected.c.status.in_(PAID_STATUSES)

    def paid_sum(column):
        return func.coalesce(func.sum(case((paid, column), else_=0)), 0)

    rows = db.session.execute(
        select(
            selected.c.currency,
            func.count(),
            paid_sum(selected.c.amount_cents),
            paid_sum(selected.c.refunded_cents),
        )
        .group_by(selected.c.currency)
        .order_by(selected.c.currency)
    )
    return [CurrencyTotal(currency, int(n), int(received), int(refunded)) for currency, n, received, refunded in rows]


def designations():
    """Return the designations gifts have been given to, sorted."""
    return db.session.scalars(
        select(Donation.designation).where(Donation.designation != "").distinct().order_by(Donation.designation)
    ).all()


def _receipt_serials(donation_ids):
    serials = defaultdict(list)
    rows = db.session.execute(
        select(receipt_donations.c.donation_id, Receipt.serial, Receipt.status)
        .join(Receipt, Receipt.id == receipt_donations.c.receipt_id)
        .where(receipt_donations.c.donation_id.in_(donation_ids))
        .order_by(Receipt.id)
    )
    for donation_id, serial, status in rows:
        serials[donation_id].append(serial if status == "issued" else f"{serial} ({status})")
    return serials


def _export_row(donation, serials):
    when = donation.succeeded_at or donation.created_at
    return [
        donation.id,
        when.astimezone(UTC).isoformat() if when else "",
        donation.status,
        donation.kind,
        donation.method,
        from_cents(donation.amount_cents),
        from_cents(donation.fee_cents),
        from_cents(donation.refunded_cents),
        donation.currency.upper(),
        donation.designation,
        donation.source,
        donation.first_name,
        donation.last_name,
        donation.email,
        donation.address_line1,
        donation.city,
        donation.region,
        donation.postal_code,
        donation.country,
        donation.language,
        donation.supporter_id,
        donation.stripe_customer_id,
        donation.stripe_payment_intent_id,
        donation.stripe_invoice_id,
        donation.stripe_charge_id,
        donation.stripe_dispute_id,
        donation.offline_reference,
        "; ".join(serials[donation.id]),
    ]


def _export_rows(donations):
    serials = _receipt_serials([donation.id for donation in donations])
    return (_export_row(donation, serials) for donation in donations)


def export_donations_csv(criteria):
    """Yield the CSV text of the gifts matching `criteria`, a batch at a time, BOM first (formula-safe)."""
    return stream_csv(EXPORT_COLUMNS, search_donations(criteria), _export_rows)


@dataclass
class DonationDetail:
    """Everything a gift's staff page shows."""

    donation: Donation
    events: list
    refunds: list
    receipts: list  # [(Receipt, download URL)], newest first


def stripe_ids(donation):
    """Return the gift's Stripe ids that are set, with their refunds' ids."""
    ids = [getattr(donation, column.key) for column in STRIPE_ID_COLUMNS]
    ids += [refund.stripe_refund_id for refund in donation.refunds]
    return [value for value in ids if value]


def donation_events(donation):
    """Return the stored Stripe events about this gift, oldest first."""
    conditions = []
    if donation.stripe_payment_intent_id:
        conditions.append(StripeEvent.payment_intent_id == donation.stripe_payment_intent_id)
    ids = [value for value in stripe_ids(donation) if value != donation.stripe_customer_id]
    if ids:
        conditions.append(StripeEvent.object_id.in_(ids))
    if not conditions:
        return []
    return db.session.scalars(
        select(StripeEvent).where(or_(*conditions)).order_by(StripeEvent.received_at, StripeEvent.id)
    ).all()


def donation_receipts(donation):
    """Return every receipt that covers this gift (cancelled ones too), newest first."""
    return db.session.scalars(
        select(Receipt)
        .join(receipt_donations, receipt_donations.c.receipt_id == Receipt.id)
        .where(receipt_donations.c.donation_id == donation.id)
        .order_by(Receipt.id.desc())
    ).all()


def donation_detail(donation_id):
    """Return the DonationDetail of a gift, or None when there is no such gift."""
    donation = db.session.get(Donation, donation_id)
    if donation is None:
        return None
    receipts = [(receipt, receipt_download_url(receipt, external=False)) for receipt in donation_receipts(donation)]
    return DonationDetail(donation, donation_events(donation), list(donation.refunds), receipts)


def receipt_of(donation, receipt_id):
    """Return the receipt `receipt_id` if it covers this gift, else None."""
    return next((receipt for receipt in donation_receipts(donation) if receipt.id == receipt_id), None)


def find_refund(donation, idempotency_key):
    """Return the refund of this gift already made with this key (a retried click), or None."""
    if not KEY_RE.match(idempotency_key or ""):
        return None  # not a key this form made (and PostgreSQL refuses some characters anyway)
    return db.session.scalar(
        select(Refund).where(Refund.donation_id == donation.id, Refund.idempotency_key == idempotency_key)
    )

"""The SQL of a gift import: gifts already known, monthly plans, new gifts and the consent they give.

Every write is set-at-a-time (crm.supporters.services.import_bulk) and goes straight to the tables:
no ORM event, no payment_succeeded signal, so an imported gift sends no thank-you email, starts no
sequence and writes no outbox row. Nothing here commits.
"""

from sqlalchemy import func, or_, select, update

from crm.extensions import db
from crm.payments.models import Donation, RecurringGift
from crm.payments.models.donations import new_token
from crm.supporters.models import ConsentRecord
from crm.supporters.services.consent import IMPLIED_MONTHS, add_months
from crm.supporters.services.import_bulk import among, bulk_insert

# Gifts whose money the charity kept: they give implied consent (a failed or cancelled one does not).
CONSENTING_STATUSES = ("succeeded", "partially_refunded")
IMPLIED_BASIS = "implied_gift"
CONSENT_FORM = "gift import"
DONOR_FIELDS = ("first_name", "last_name", "address_line1", "city", "region", "postal_code", "country", "language")


def blank_record(table):
    """Return {column: its scalar default} for every column but the id (bulk INSERTs skip ORM defaults)."""
    record = {}
    for column in table.c:
        if column.primary_key:
            continue
        default = column.default
        record[column.name] = default.arg if default is not None and default.is_scalar else None
    return record


def _fit(table, name, value):
    length = getattr(table.c[name].type, "length", None)
    return value[:length] if isinstance(value, str) and length else value


def names_in_use(column):
    """Return {lower-cased name: spelling in use} for the campaign or designation column."""
    names = {}
    for name in db.session.scalars(select(column).where(column != "").distinct().order_by(column)):
        names.setdefault(name.casefold(), name)
    return names


# --- gifts already known -----------------------------------------------------------------------


def known_gifts(rows):
    """Return ({dedupe_key: Known}, {match_key: Known}) for the gifts of `rows` already in the database."""
    dedupe_keys = {row.dedupe_key for row in rows if row.dedupe_key}
    match_keys = {row.match_key for row in rows if row.match_key}
    if not dedupe_keys and not match_keys:
        return {}, {}
    wanted = []
    if dedupe_keys:
        wanted.append(among(Donation.dedupe_key, dedupe_keys))
    if match_keys:
        wanted.append(among(Donation.match_key, match_keys))
    found = db.session.execute(
        select(
            Donation.id, Donation.dedupe_key, Donation.match_key, Donation.original_id, Donation.status,
            Donation.imported,
        ).where(or_(*wanted))
    ).all()  # fmt: skip
    by_dedupe = {gift.dedupe_key: gift for gift in found if gift.dedupe_key}
    by_match = {}
    for gift in found:
        if gift.match_key:
            by_match.setdefault(gift.match_key, gift)
    return by_dedupe, by_match


def status_fields(status, amount_cents, received_at):
    """Return the columns a gift's status sets: when it was paid, what went back."""
    paid = status in ("succeeded", "refunded", "partially_refunded", "disputed")
    return {
        "status": status,
        "succeeded_at": received_at if paid else None,
        "refunded_cents": amount_cents if status == "refunded" else 0,
    }


def update_statuses(changes):
    """Apply [(donation id, GiftRow)] whose status changed in the other system since the last import."""
    if changes:
        db.session.execute(
            update(Donation),
            [
                {"id": gift_id, **status_fields(row.status, row.amount_cents, row.received_at)}
                for gift_id, row in changes
            ],
        )


def donors_of(gift_ids):
    """Return {donation id: supporter id} for these gifts."""
    query = select(Donation.id, Donation.supporter_id).where(among(Donation.id, gift_ids))
    return dict(db.session.execute(query).all())


# --- monthly plans -----------------------------------------------------------------------------


def plan_ids(system, rows, people, now):
    """Return {recurring id: RecurringGift id} for the monthly rows, making the plans not known yet.

    An imported plan is history: it charges nothing here (no Stripe subscription), so it is kept as
    cancelled, whatever the other system says of it now.
    """
    firsts = {}
    for row in sorted(rows, key=lambda row: row.received_at):
        if row.recurring_id:
            firsts.setdefault(row.recurring_id, row)
    if not firsts:
        return {}

    def lookup():
        query = select(RecurringGift.original_id, RecurringGift.id).where(
            RecurringGift.source_system == system, among(RecurringGift.original_id, firsts)
        )
        return dict(db.session.execute(query).all())

    ids = lookup()
    table = RecurringGift.__table__
    template = blank_record(table)
    new = []
    for recurring_id, row in firsts.items():
        if recurring_id in ids:
            continue
        record = {
            **template,
            **{name: _fit(table, name, row.person.values.get(name) or template[name]) for name in DONOR_FIELDS},
            "supporter_id": people[row.email],
            "email": row.email,
            "amount_cents": row.amount_cents,
            "currency": row.currency,
            "status": "cancelled",
            "designation": row.fund,
            "source": _fit(table, "source", row.source),
            "created_at": row.received_at,
            "imported": True,
            "source_system": system,
            "original_id": recurring_id,
        }
        new.append(record)
    if new:
        bulk_insert(table, new)
        ids = lookup()
    return ids


# --- new gifts ---------------------------------------------------------------------------------


def insert_gifts(system, rows, people, plans, now):
    """Insert the new gifts of `rows` (GiftRows whose donor is in `people`: {email: supporter id})."""
    table = Donation.__table__
    template = blank_record(table)
    lengths = {column.name: column.type.length for column in table.c if getattr(column.type, "length", None)}
    records = []
    for row in rows:
        values = row.person.values
        record = {
            **template,
            **{name: _fit(table, name, values.get(name) or template[name]) for name in DONOR_FIELDS},
            **status_fields(row.status, row.amount_cents, row.received_at),
            "token": new_token(),
            "supporter_id": people[row.email],
            "email": row.email,
            "amount_cents": row.amount_cents,
            "currency": row.currency,
            "kind": row.kind,
            "method": row.method or "other",
            "designation": row.fund,
            "campaign": row.campaign,
            "appeal": row.appeal,
            "source": _fit(table, "source", row.source),
            "recurring_gift_id": plans.get(row.recurring_id),
            "offline_reference": row.reference,
            "created_at": row.received_at,
            "imported": True,
            "source_system": system,
            "original_id": row.original_id,
            "dedupe_key": row.dedupe_key or None,
            "match_key": row.match_key or None,
            "old_receipt_number": row.receipt_number,
            "soft_credit_name": row.soft_credit_name,
            "soft_credit_email": row.soft_credit_email,
        }
        # The reader checked each text's length; a column shorter than its limit cuts rather than fails.
        for name, length in lengths.items():
            if isinstance(record[name], str) and len(record[name]) > length:
                record[name] = record[name][:length]
        records.append(record)
    bulk_insert(table, records)


# --- implied consent ---------------------------------------------------------------------------


def grant_implied_consent(system, rows, people, now):
    """Record the implied consent (CASL, 2 years) the latest kept gift of each donor gives, once.

    A gift older than the consent's term gives none; a donor whose implied consent already runs as
    long or longer (an earlier import, a gift made here) gets no new record.
    """
    latest = {}
    for row in rows:
        if row.status in CONSENTING_STATUSES:
            supporter_id = people[row.email]
            if supporter_id not in latest or row.received_at > latest[supporter_id].received_at:
                latest[supporter_id] = row
    expiring = {sid: add_months(row.received_at, IMPLIED_MONTHS[IMPLIED_BASIS]) for sid, row in latest.items()}
    expiring = {sid: expires for sid, expires in expiring.items() if expires > now}
    if not expiring:
        return 0
    running = dict(
        db.session.execute(
            select(ConsentRecord.supporter_id, func.max(ConsentRecord.expires_at))
            .where(
                among(ConsentRecord.supporter_id, expiring),
                ConsentRecord.action == "grant",
                ConsentRecord.expires_at.is_not(None),
            )
            .group_by(ConsentRecord.supporter_id)
        ).all()
    )
    table = ConsentRecord.__table__
    template = blank_record(table)
    records = []
    for supporter_id, expires in sorted(expiring.items()):
        if running.get(supporter_id) is not None and running[supporter_id] >= expires:
            continue
        row = latest[supporter_id]
        records.append(
            {
                **template,
                "supporter_id": supporter_id,
                "purpose": "all",
                "action": "grant",
                "basis": IMPLIED_BASIS,
                "form": CONSENT_FORM,
                "language": row.person.values.get("language") or "",
                "reference": _fit(table, "reference", f"{system}:{row.original_id}" if row.original_id else system),
                "created_at": row.received_at,
                "expires_at": expires,
            }
        )
    bulk_insert(table, records)
    return len(records)

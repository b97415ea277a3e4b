"""SQL into DataFrames: the counted gifts, and the people a list names with their appeal consent.

Every column has an explicit dtype: ids and money int64 (integer cents, never float), moments
datetime64[us, UTC], text str, flags bool.
"""

from types import SimpleNamespace

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.types import NullType

from crm.extensions import db
from crm.payments.models import Donation
from crm.reports.years import utc_series
from crm.supporters.models import Supporter, Suppression, email_hash
from crm.supporters.services.consent import consent_records_by_person, decide_consent
from crm.utc import UTCDateTime, utcnow

# Paid and kept, what was refunded coming off: the statuses fundraising's totals count. A gift under an
# open dispute counts again once the dispute is won; a lost one is refunded in full (disputes.py).
# "cancelled", "pending", "failed" and "refunded" (nothing kept) never count.
COUNTED_STATUSES = ("succeeded", "partially_refunded")
# Who may be sent an appeal (crm.supporters.models.consents.PURPOSES).
APPEAL_PURPOSE = "fundraising_news"

GIFT_DTYPES = {"donation_id": "int64", "supporter_id": "int64", "net_cents": "int64"}
PEOPLE_COLUMNS = ("supporter_id", "first_name", "last_name", "email", "language")


def counted_gifts_query(currency):
    """The select of counted gifts: id, donor, net cents, and when the money came in."""
    net = (Donation.amount_cents - Donation.refunded_cents).label("net_cents")
    # Read raw (text on SQLite, aware on PostgreSQL) and parsed by pandas at once, not row by row.
    given_at = func.coalesce(Donation.succeeded_at, Donation.created_at, type_=NullType()).label("given_at")
    return select(Donation.id.label("donation_id"), Donation.supporter_id, net, given_at).where(
        and_(
            Donation.status.in_(COUNTED_STATUSES),
            Donation.amount_cents - Donation.refunded_cents > 0,
            Donation.dispute_status != "lost",
            func.lower(Donation.currency) == currency.lower(),
        )
    )


def load_gifts(currency, until=None):
    """Counted gifts in `currency` (all of them, or those given before `until`), one row each."""
    query = counted_gifts_query(currency)
    if until is not None:
        given_at = func.coalesce(Donation.succeeded_at, Donation.created_at, type_=UTCDateTime())
        query = query.where(given_at < until)
    rows = db.session.connection().execute(query.order_by(Donation.id)).all()
    ids, supporters, nets, moments = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pd.DataFrame(
        {
            "donation_id": pd.Series(ids, dtype="int64"),
            "supporter_id": pd.Series(supporters, dtype="int64"),
            "net_cents": pd.Series(nets, dtype="int64"),
            "given_at": utc_series(moments),
        }
    )


def load_people(supporter_ids, now=None, batch=500):
    """The active (not erased, not merged) people of `supporter_ids`, with their appeal consent.

    `may_email_appeal` and `appeal_consent` come from the consent ledger's own rules
    (decide_consent), applied to each batch of people's records at `now`.
    """
    now = now or utcnow()
    ids = sorted({int(value) for value in supporter_ids})
    rows = []
    for offset in range(0, len(ids), batch):
        chunk = ids[offset : offset + batch]
        people = db.session.execute(
            select(Supporter.id, Supporter.first_name, Supporter.last_name, Supporter.email, Supporter.language)
            .where(Supporter.id.in_(chunk), Supporter.erased_at.is_(None), Supporter.merged_into_id.is_(None))
            .order_by(Supporter.id)
        ).all()
        records = consent_records_by_person(chunk, now)
        hashes = {person.id: email_hash(person.email) for person in people if person.email}
        suppressed = set(
            db.session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(hashes.values())))
        )
        for person in people:
            subject = SimpleNamespace(id=person.id, email=person.email, erased_at=None, merged_into_id=None)
            is_suppressed = hashes.get(person.id) in suppressed
            state = decide_consent(subject, APPEAL_PURPOSE, records[person.id], is_suppressed, now)
            rows.append((*person, state.allowed, state.reason))
    return pd.DataFrame(
        {
            "supporter_id": pd.Series([row[0] for row in rows], dtype="int64"),
            "first_name": pd.Series([row[1] or "" for row in rows], dtype="str"),
            "last_name": pd.Series([row[2] or "" for row in rows], dtype="str"),
            "email": pd.Series([row[3] or "" for row in rows], dtype="str"),
            "language": pd.Series([row[4] or "" for row in rows], dtype="str"),
            "may_email_appeal": pd.Series([row[5] for row in rows], dtype="bool"),
            "appeal_consent": pd.Series([row[6] for row in rows], dtype="str"),
        }
    )

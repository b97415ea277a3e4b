"""The staff supporter list: search, filters and sorting as one SQL query (fast at 200,000 rows)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from crm.lists import count_matches
from crm.normalize import normalize_email
from crm.query_filters import QueryFilter
from crm.supporters.models import PURPOSES, ConsentRecord, Supporter, Tag, supporter_tags
from crm.supporters.models.people import fold
from crm.utc import utcnow

SORTS = {
    "name": (Supporter.last_name, Supporter.first_name, Supporter.id),
    "-name": (Supporter.last_name.desc(), Supporter.first_name.desc(), Supporter.id.desc()),
    "email": (Supporter.email, Supporter.id),
    "-email": (Supporter.email.desc(), Supporter.id.desc()),
    "created": (Supporter.created_at, Supporter.id),
    "-created": (Supporter.created_at.desc(), Supporter.id.desc()),
}
# Consent filters: "subscribed:<purpose>", "withdrawn", "none".
CONSENT_FILTERS = (*(f"subscribed:{purpose}" for purpose in PURPOSES), "withdrawn", "none")


@dataclass
class SupporterFilter(QueryFilter):
    """What staff asked the list for; every field optional. Built from the query string."""

    q: str = ""
    tag: str = ""
    consent: str = ""
    language: str = ""
    source: str = ""
    signed_up_from: date | None = None
    signed_up_to: date | None = None
    sort: str = "-created"

    CHOICES = {"sort": SORTS, "consent": CONSENT_FILTERS}


class no_index(FunctionElement):
    """The column itself; on SQLite "+column", which its planner will not look up in an index.

    "merged_into_id IS NULL" is true of nearly every row, but SQLite (without ANALYZE statistics)
    would pick the merged_into_id index for it and then sort every supporter; unindexed, it walks
    the index of the sort order and stops after one page. PostgreSQL keeps its column statistics.
    """

    type = Integer()
    inherit_cache = True


@compiles(no_index)
def _compile_no_index(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(no_index, "sqlite")
def _compile_no_index_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def _consent_records(purpose, now):
    records = aliased(ConsentRecord)
    return records, (records.purpose.in_((purpose, "all")), records.created_at <= now)


def _subscribed(purpose, now):
    """Return a condition: the supporter may get `purpose` messages at `now` (as consent_state says).

    Correlated EXISTS: cheap for one page, walked in the sort order and stopped after 50 rows.
    """
    grant, grant_scope = _consent_records(purpose, now)
    later, later_scope = _consent_records(purpose, now)
    withdrawn_after_grant = exists().where(
        later.supporter_id == grant.supporter_id,
        later.action == "withdraw",
        later.created_at >= grant.created_at,
        *later_scope,
    )
    ever, ever_scope = _consent_records(purpose, now)
    ever_withdrawn = exists().where(ever.supporter_id == grant.supporter_id, ever.action == "withdraw", *ever_scope)
    consented = exists().where(
        grant.supporter_id == Supporter.id,
        grant.action == "grant",
        *grant_scope,
        or_(
            and_(grant.basis == "express", ~withdrawn_after_grant),
            and_(grant.basis != "express", grant.expires_at > now, ~ever_withdrawn),
        ),
    )
    # Like consent_state: an erased record or one without an address may not be emailed.
    return and_(Supporter.email.is_not(None), Supporter.erased_at.is_(None), consented)


def _subscribed_set(purpose, now):
    """Return the same condition as _subscribed, as one pass over the ledger (cheaper for counting)."""
    records, scope = _consent_records(purpose, now)
    express = func.max(case((and_(records.action == "grant", records.basis == "express"), records.created_at)))
    withdrawal = func.max(case((records.action == "withdraw", records.created_at)))
    implied_until = func.max(case((and_(records.action == "grant", records.basis != "express"), records.expires_at)))
    consenting = (
        select(records.supporter_id)
        .where(*scope)
        .group_by(records.supporter_id)
        .having(
            or_(
                and_(express.is_not(None), or_(withdrawal.is_(None), express > withdrawal)),
                and_(withdrawal.is_(None), implied_until > now),
            )
        )
    )
    return and_(Supporter.email.is_not(None), Supporter.erased_at.is_(None), Supporter.id.in_(consenting))


def _matching(criteria, now, for_counting=False):
    query = select(Supporter).where(no_index(Supporter.merged_into_id).is_(None))
    text = criteria.q.strip()
    if text:
        if "@" in text:
            query = query.where(Supporter.email.contains(normalize_email(text), autoescape=True))
        else:
            folded = fold(text)
            query = query.where(
                or_(
                    Supporter.search_name.contains(folded, autoescape=True),
                    Supporter.email.startswith(normalize_email(text), autoescape=True),
                )
            )
    if criteria.tag:
        tagged = (
            select(supporter_tags.c.supporter_id)
            .join(Tag, Tag.id == supporter_tags.c.tag_id)
            .where(Tag.name == criteria.tag.strip())
        )
        query = query.where(Supporter.id.in_(tagged))
    if criteria.language:
        query = query.where(Supporter.language == criteria.language)
    if criteria.source:
        query = query.where(Supporter.source == criteria.source)
    query = query.where(*between_days(Supporter.created_at, criteria.signed_up_from, criteria.signed_up_to))
    if criteria.consent.startswith("subscribed:"):
        subscribed = _subscribed_set if for_counting else _subscribed
        query = query.where(subscribed(criteria.consent.split(":", 1)[1], now))
    elif criteria.consent in ("withdrawn", "none"):
        records = aliased(ConsentRecord)
        if criteria.consent == "withdrawn" and for_counting:
            condition = Supporter.id.in_(select(records.supporter_id).where(records.action == "withdraw"))
        elif criteria.consent == "withdrawn":
            condition = exists().where(records.supporter_id == Supporter.id, records.action == "withdraw")
        else:
            condition = ~exists().where(records.supporter_id == Supporter.id)
        query = query.where(condition)
    return query


def search_supporters(criteria, now=None):
    """Return a Select of live supporters (not merged away) matching `criteria`, sorted."""
    query = _matching(criteria, now or utcnow())
    return query.order_by(*SORTS.get(criteria.sort, SORTS["-created"]))


def between_days(column, first=None, last=None):
    """Return the conditions that put `column` (aware UTC) within the days first..last (UTC), either left open."""
    conditions = []
    if first:
        conditions.append(column >= datetime.combine(first, time(), UTC))
    if last:
        conditions.append(column < datetime.combine(last + timedelta(days=1), time(), UTC))
    return conditions


def person_conditions(row, text):
    """Return conditions matching `text` as an email, or else a name, on a row's own contact columns and its Supporter.

    The row's columns are the person as they gave them (on a gift or an order), which may differ from the
    record's (a partner's cheque, a maiden name); the query must join Supporter.
    """
    if "@" in text:
        email = normalize_email(text) or text.lower()
        return [
            func.lower(row.email).contains(email, autoescape=True),
            Supporter.email.contains(email, autoescape=True),
        ]
    conditions = []
    folded = fold(text)
    if folded:
        conditions.append(Supporter.search_name.contains(folded, autoescape=True))
    conditions.append(func.lower(row.first_name + " " + row.last_name).contains(text.lower(), autoescape=True))
    return conditions


def count_supporters(criteria, now=None, cap=None):
    """Return how many supporters search_supporters(criteria) selects, counted the cheaper way."""
    return count_matches(_matching(criteria, now or utcnow(), for_counting=True), cap)

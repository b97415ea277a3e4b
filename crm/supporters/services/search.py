"""The staff supporter list: search, filters and sorting as one SQL query (fast at 200,000 rows)."""

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.normalize import normalize_email
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
class SupporterFilter:
    """What staff asked the list for; every field optional. Built from the query string."""

    q: str = ""
    tag: str = ""
    consent: str = ""
    language: str = ""
    source: str = ""
    signed_up_from: date | None = None
    signed_up_to: date | None = None
    sort: str = "-created"

    @classmethod
    def from_args(cls, args):
        """Build a filter from request.args, ignoring what does not parse."""
        values = {}
        for field in fields(cls):
            raw = (args.get(field.name) or "").strip()
            if not raw:
                continue
            if field.name.startswith("signed_up_"):
                try:
                    values[field.name] = date.fromisoformat(raw)
                except ValueError:
                    continue
            else:
                values[field.name] = raw[:200]
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        if values.get("consent") not in CONSENT_FILTERS:
            values.pop("consent", None)
        return cls(**values)

    def as_args(self):
        """Return the non-empty fields as query-string arguments (for links and exports)."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in ("", None) and not (field.name == "sort" and value == "-created"):
                args[field.name] = value.isoformat() if isinstance(value, date) else value
        return args


def _subscribed(purpose, now):
    grant = aliased(ConsentRecord)
    later_withdrawal = aliased(ConsentRecord)
    any_withdrawal = aliased(ConsentRecord)
    purposes = (purpose, "all")
    withdrawn_after_grant = exists().where(
        later_withdrawal.supporter_id == grant.supporter_id,
        later_withdrawal.action == "withdraw",
        later_withdrawal.purpose.in_(purposes),
        later_withdrawal.created_at >= grant.created_at,
        later_withdrawal.created_at <= now,
    )
    ever_withdrawn = exists().where(
        any_withdrawal.supporter_id == grant.supporter_id,
        any_withdrawal.action == "withdraw",
        any_withdrawal.purpose.in_(purposes),
        any_withdrawal.created_at <= now,
    )
    return exists().where(
        grant.supporter_id == Supporter.id,
        grant.action == "grant",
        grant.purpose.in_(purposes),
        grant.created_at <= now,
        or_(
            and_(grant.basis == "express", ~withdrawn_after_grant),
            and_(grant.basis != "express", grant.expires_at > now, ~ever_withdrawn),
        ),
    )


def search_supporters(criteria, now=None):
    """Return a Select of live supporters (not merged away) matching `criteria`, sorted."""
    now = now or utcnow()
    query = select(Supporter).where(Supporter.merged_into_id.is_(None))
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
        query = query.where(
            exists().where(
                supporter_tags.c.supporter_id == Supporter.id,
                supporter_tags.c.tag_id == Tag.id,
                Tag.name == criteria.tag.strip(),
            )
        )
    if criteria.language:
        query = query.where(Supporter.language == criteria.language)
    if criteria.source:
        query = query.where(Supporter.source == criteria.source)
    if criteria.signed_up_from:
        query = query.where(Supporter.created_at >= datetime.combine(criteria.signed_up_from, time(), UTC))
    if criteria.signed_up_to:
        day_after = criteria.signed_up_to + timedelta(days=1)
        query = query.where(Supporter.created_at < datetime.combine(day_after, time(), UTC))
    if criteria.consent.startswith("subscribed:"):
        query = query.where(_subscribed(criteria.consent.split(":", 1)[1], now))
    elif criteria.consent in ("withdrawn", "none"):
        records = aliased(ConsentRecord)
        if criteria.consent == "withdrawn":
            condition = exists().where(records.supporter_id == Supporter.id, records.action == "withdraw")
        else:
            condition = ~exists().where(records.supporter_id == Supporter.id)
        query = query.where(condition)
    return query.order_by(*SORTS.get(criteria.sort, SORTS["-created"]))


def count_matches(query):
    """Return how many rows `query` selects."""
    return db.session.scalar(select(db.func.count()).select_from(query.order_by(None).subquery()))

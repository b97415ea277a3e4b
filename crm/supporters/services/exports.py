"""Exporting the staff list of supporters as CSV, streamed in batches, with consent per purpose."""

from collections import defaultdict
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from crm.exports import stream_csv
from crm.extensions import db
from crm.supporters.models import PURPOSES, Supporter, Suppression, Tag, email_hash, supporter_tags
from crm.supporters.services.consent import consent_records_by_person, decide_consent
from crm.supporters.services.intake import PROFILE_FIELDS
from crm.supporters.services.search import search_supporters
from crm.utc import utcnow

FIELDS = ("id", "email", *PROFILE_FIELDS, "source")
COLUMNS = (*FIELDS, "tags", "created_at", *(f"consent_{purpose}" for purpose in PURPOSES))


def _reason(supporter, records, suppressed, purpose, now):
    return decide_consent(supporter, purpose, records, suppressed, now).reason


def _batch_rows(supporters, now):
    ids = [supporter.id for supporter in supporters]
    records = consent_records_by_person(ids, now)
    tags = defaultdict(list)
    for supporter_id, name in db.session.execute(
        select(supporter_tags.c.supporter_id, Tag.name)
        .join(Tag, Tag.id == supporter_tags.c.tag_id)
        .where(supporter_tags.c.supporter_id.in_(ids))
        .order_by(Tag.name)
    ):
        tags[supporter_id].append(name)
    hashes = {supporter.id: email_hash(supporter.email) for supporter in supporters if supporter.email}
    suppressed = set(
        db.session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(hashes.values())))
    )
    for supporter in supporters:
        is_suppressed = hashes.get(supporter.id) in suppressed
        consents = [_reason(supporter, records[supporter.id], is_suppressed, purpose, now) for purpose in PURPOSES]
        created = supporter.created_at.astimezone(UTC).isoformat() if supporter.created_at else ""
        yield [*(getattr(supporter, name) for name in FIELDS), "; ".join(tags[supporter.id]), created, *consents]


def export_supporters_csv(criteria, now=None):
    """Yield the CSV text of the supporters matching `criteria`, a batch at a time, BOM first."""
    now = now or utcnow()
    query = search_supporters(criteria, now=now).options(lazyload(Supporter.tags))
    return stream_csv(COLUMNS, query, lambda supporters: _batch_rows(supporters, now))

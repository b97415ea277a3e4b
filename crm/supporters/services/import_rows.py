"""One pass over the rows of an import batch: parse, check, fold duplicates, write in chunks.

Rows are handled CHUNK_SIZE at a time: one SELECT per chunk for the people already known, then
bulk INSERT/UPDATE, so 100,000 rows take seconds, not one ORM round trip per row.
"""

import csv
import io
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select, update

from crm.exports import safe_cell
from crm.extensions import db
from crm.supporters.models import Activity, ConsentRecord, Supporter, Suppression, Tag, email_hash
from crm.supporters.models.people import supporter_tags
from crm.supporters.services.consent import withdraw_consent
from crm.supporters.services.import_bulk import among, bulk_insert
from crm.supporters.services.import_columns import (
    ColumnPlan,
    ImportProblem,
    decode,
    open_rows,
)
from crm.supporters.services.intake import PROFILE_FIELDS, fill_blanks

CHUNK_SIZE = 1000
DEFAULT_SOURCE = "import"
_KNOWN = (Supporter.id, Supporter.email, *(getattr(Supporter, name) for name in PROFILE_FIELDS))


@dataclass
class ImportCounts:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0

    @property
    def merged(self):
        """Rows folded into an earlier row of the file with the same email."""
        return self.total_rows - self.skipped - self.errors - self.created - self.updated


def read_batch_rows(batch):
    try:
        data = Path(batch.stored_path).read_bytes()
    except OSError as error:
        raise ImportProblem(_("The uploaded file is no longer available; please upload it again.")) from error
    text, _encoding = decode(data)
    headers, rows = open_rows(text, batch.mapping.get("delimiter") or ",")
    return headers, rows


# --- chunks -----------------------------------------------------------------------------------


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class RowPass:
    """One pass over a batch's rows: a dry run (write=False), a preview or the import."""

    def __init__(self, batch, write, actor, now, keep_outcomes=False):
        self.batch = batch
        self.keep_outcomes = keep_outcomes
        self.write = write
        self.actor = actor
        self.now = now
        self.counts = ImportCounts()
        self.seen = {}  # email -> supporter id (None in a dry run): duplicates across chunks
        self.source = batch.mapping.get("source") or DEFAULT_SOURCE
        self.report = io.StringIO()
        self.report_writer = csv.writer(self.report)
        self.outcomes = []

    def run(self, limit=None):
        headers, rows = read_batch_rows(self.batch)
        plan = ColumnPlan(headers, self.batch.mapping["targets"])
        self.report_writer.writerow(["row", "errors", *headers])
        for chunk in _chunks(islice(rows, limit), CHUNK_SIZE):
            self._chunk(plan, chunk)
        return self.counts

    def _chunk(self, plan, chunk):
        good, bad = [], []
        for number, cells in chunk:
            self.counts.total_rows += 1
            if not any(cell.strip() for cell in cells):
                self.counts.skipped += 1
                continue
            row = plan.parse(number, cells)
            (bad if row.errors else good).append(row)
        bad += self._apply(good)
        for row in sorted(bad, key=lambda row: row.number):
            row.status = "error"
            self.counts.errors += 1
            self.report_writer.writerow([safe_cell(v) for v in (row.number, " ".join(row.errors), *row.cells)])
        if self.keep_outcomes:
            self.outcomes += sorted(good + bad, key=lambda row: row.number)

    def _apply(self, rows):
        """Create or fill the people of `rows`; return the rows rejected here."""
        if not rows:
            return []
        emails = {row.email for row in rows}
        hashes = {email: email_hash(email) for email in emails}
        erased = set(
            db.session.scalars(
                select(Suppression.email_hash).where(
                    among(Suppression.email_hash, hashes.values()), Suppression.reason == "erased"
                )
            )
        )
        known = {
            record.email: record for record in db.session.execute(select(*_KNOWN).where(among(Supporter.email, emails)))
        }
        rejected, groups = [], {}
        for row in rows:
            if hashes[row.email] in erased and row.email not in known:
                row.errors.append(_("This person asked to be erased; the address is not imported again."))
                rejected.append(row)
            elif row.email in groups:
                _absorb(groups[row.email], row)
                row.status = "merged"
            else:
                groups[row.email] = row
        new, updates, activities, tags, opt_outs = [], {}, {}, [], []
        for email, row in groups.items():
            current = known.get(email)
            if email in self.seen:
                row.status = "merged"
            elif current is not None:
                row.status = "existing"
                self.counts.updated += 1
            else:
                row.status = "new"
                self.counts.created += 1
                new.append(row)
                self.seen[email] = None
                continue
            self.seen.setdefault(email, current.id if current is not None else None)
            if current is not None:
                conflicts = self._fill(current, row.values, updates)
                if row.status == "existing":
                    activities[current.id] = self._activity(current.id, row, conflicts)
                tags += [(current.id, tag) for tag in row.tags]
                if row.opt_out:
                    opt_outs.append(current.id)
        if self.write:
            self._write(new, updates, activities, tags, opt_outs)
        return rejected

    def _fill(self, current, values, updates):
        record = SimpleNamespace(**{name: getattr(current, name) for name in PROFILE_FIELDS})
        before = dict(vars(record))
        conflicts = fill_blanks(record, values)
        changed = {name: value for name, value in vars(record).items() if value != before[name]}
        if changed:
            Supporter.refresh_keys(record)
            keys = {name: getattr(record, name) for name in ("search_name", "postal_key", "phone_key")}
            updates.setdefault(current.id, {"id": current.id}).update(changed, **keys, updated_at=self.now)
        return conflicts

    def _activity(self, supporter_id, row, conflicts):
        return {
            "supporter_id": supporter_id,
            "kind": "import",
            "summary": f"Imported from {self.batch.filename}"[:500],
            "details": {"batch": self.batch.id, "row": row.number, "conflicts": conflicts},
            "actor_id": getattr(self.actor, "id", None),
            "created_at": self.now,
        }

    def _new_record(self, row):
        given = {name: value for name, value in row.values.items() if value}
        record = SimpleNamespace(**{**dict.fromkeys(PROFILE_FIELDS, ""), "country": "CA", "language": "en"})
        vars(record).update(given)
        Supporter.refresh_keys(record)
        return {
            **vars(record),
            "email": row.email,
            "source": row.source or self.source,
            "created_at": self.now,
            "updated_at": self.now,
            "erased_at": None,
            "merged_into_id": None,
        }

    def _write(self, new, updates, activities, tags, opt_outs):
        if new:
            # RETURNING order is not guaranteed: new ids are matched back by email, which is unique.
            created = bulk_insert(Supporter.__table__, [self._new_record(row) for row in new], ("email", "id"))
            ids = dict(created)
            for row in new:
                supporter_id = ids[row.email]
                self.seen[row.email] = supporter_id
                activities[supporter_id] = self._activity(supporter_id, row, {})
                tags += [(supporter_id, tag) for tag in row.tags]
                if row.opt_out:
                    opt_outs.append(supporter_id)
        if updates:
            db.session.execute(update(Supporter), list(updates.values()))
        if tags:
            _add_tags(tags)
        if activities:
            bulk_insert(Activity.__table__, list(activities.values()))
        if opt_outs:
            self._withdraw(set(opt_outs))

    def _withdraw(self, supporter_ids):
        """Record "unsubscribed from everything" for opted-out people, once (re-imports add nothing)."""
        already = _withdrawn_from_all(supporter_ids)
        wanted = sorted(supporter_ids - already)
        if not wanted:
            return
        # One SELECT loads them all; withdraw_consent then finds each in the session.
        for supporter in db.session.scalars(
            select(Supporter).where(among(Supporter.id, wanted)).order_by(Supporter.id)
        ):
            withdraw_consent(supporter, "all", form="import", recorded_by=self.actor, now=self.now)


def _absorb(first, duplicate):
    """Fold a later row with the same email into the first: its blanks are filled, tags added."""
    for name, value in duplicate.values.items():
        if value and not first.values.get(name):
            first.values[name] = value
    first.source = first.source or duplicate.source
    first.tags += [tag for tag in duplicate.tags if tag not in first.tags]
    first.opt_out = first.opt_out or duplicate.opt_out


def _add_tags(pairs):
    names = {name for _id, name in pairs}
    ids = dict(db.session.execute(select(Tag.name, Tag.id).where(among(Tag.name, names))).all())
    missing = [{"name": name} for name in sorted(names - ids.keys())]
    if missing:
        ids.update(bulk_insert(Tag.__table__, missing, ("name", "id")))
    supporter_ids = {supporter_id for supporter_id, _name in pairs}
    have = set(
        db.session.execute(
            select(supporter_tags.c.supporter_id, supporter_tags.c.tag_id).where(
                among(supporter_tags.c.supporter_id, supporter_ids)
            )
        )
    )
    wanted = {(supporter_id, ids[name]) for supporter_id, name in pairs} - have
    if wanted:
        bulk_insert(supporter_tags, [{"supporter_id": sid, "tag_id": tid} for sid, tid in sorted(wanted)])


def _withdrawn_from_all(supporter_ids):
    """Return the ids whose latest "all" consent record is already a withdrawal."""
    latest = {}
    records = db.session.execute(
        select(ConsentRecord.supporter_id, ConsentRecord.action)
        .where(among(ConsentRecord.supporter_id, supporter_ids), ConsentRecord.purpose == "all")
        .order_by(ConsentRecord.created_at, ConsentRecord.id)
    )
    for supporter_id, action in records:
        latest[supporter_id] = action
    return {supporter_id for supporter_id, action in latest.items() if action == "withdraw"}

"""Importing supporters from CSV: upload, column mapping, preview, dry run and import.

The web screens and `flask supporters import` share these functions. Rows are handled in chunks
(one SELECT per chunk for the people already known, then bulk INSERT/UPDATE) so 100,000 rows take
seconds, not one ORM round trip per row. The rule for known people is intake's: fill blanks only.
A row with any error is rejected whole; an unexpected failure rolls the whole batch back (the
caller rolls back and calls fail_import).
"""

import csv
import io
import secrets
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select, update

from crm.audit import record_audit
from crm.extensions import db
from crm.supporters.models import Activity, ConsentRecord, ImportBatch, Supporter, Suppression, Tag, email_hash
from crm.supporters.models.people import supporter_tags
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import withdraw_consent
from crm.supporters.services.exports import safe_cell
from crm.supporters.services.import_bulk import among, bulk_insert
from crm.supporters.services.import_columns import (
    LIMITS,
    TARGETS,
    ColumnPlan,
    decode,
    guess_targets,
    open_rows,
    sniff_delimiter,
)
from crm.supporters.services.intake import PROFILE_FIELDS, fill_blanks
from crm.utc import utcnow

CHUNK_SIZE = 1000
PREVIEW_ROWS = 20
DEFAULT_SOURCE = "import"
_KNOWN = (Supporter.id, Supporter.email, *(getattr(Supporter, name) for name in PROFILE_FIELDS))


class ImportProblem(SupporterError):
    """The file or the mapping cannot be imported as it is; str() says why."""


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


# --- opening a file ---------------------------------------------------------------------------


def _new_batch(data, filename, stored_path, uploaded_by, source, targets, now):
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    headers, _rows = open_rows(text, delimiter)
    if not any(headers):
        raise ImportProblem(_("The file is empty, or its first line holds no column names."))
    batch = ImportBatch(
        filename=filename.replace("\x00", "")[:255] or "upload.csv",
        stored_path=str(stored_path),
        uploaded_by_id=getattr(uploaded_by, "id", None),
        status="uploaded",
        mapping={},
        created_at=now or utcnow(),
    )
    _set_mapping_json(
        batch,
        headers=headers,
        targets=guess_targets(headers) if targets is None else targets(headers),
        encoding=encoding,
        delimiter=delimiter,
        source=(source or "").replace("\x00", "").strip()[: LIMITS["source"]],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def upload_import(data, filename, media_root, uploaded_by=None, source="", now=None):
    """Keep an uploaded CSV under MEDIA_ROOT/imports and open a batch with the guessed mapping."""
    folder = Path(media_root) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.csv"
    batch = _new_batch(data, filename, path, uploaded_by, source, None, now)
    path.write_bytes(data)
    return batch


def open_file_import(path, source="", mapping=None, now=None):
    """Open a batch for a CSV on disk (the command line); `mapping` is {header: target} or None (guess)."""
    path = Path(path)
    targets = None if mapping is None else (lambda headers: mapping_targets(headers, mapping))
    return _new_batch(path.read_bytes(), path.name, path.resolve(), None, source, targets, now)


def mapping_targets(headers, mapping):
    """Return the targets for `headers` from {header: target}; unnamed headers are guessed."""
    unknown = sorted({target for target in mapping.values() if target and target not in TARGETS})
    if unknown:
        raise ImportProblem(_("Unknown fields in the mapping: %(names)s", names=", ".join(unknown)))
    guessed = guess_targets(headers)
    return [mapping.get(header, guess) or "" for header, guess in zip(headers, guessed, strict=True)]


def _set_mapping_json(batch, **changes):
    # Assign a new dict: the JSON column does not see changes made inside the old one.
    batch.mapping = {**(batch.mapping or {}), **changes}


def set_mapping(batch, targets):
    """Save the staff's choice of target per column; the batch must be checked again."""
    if batch.status == "imported":
        raise ImportProblem(_("This file has already been imported."))
    headers = batch.mapping["headers"]
    if len(targets) != len(headers) or any(target and target not in TARGETS for target in targets):
        raise ImportProblem(_("Choose a field, or ignore, for every column."))
    if "email" not in targets:
        raise ImportProblem(_("Choose the column that holds the email address."))
    _set_mapping_json(batch, targets=list(targets))
    batch.status = "uploaded"
    _store_counts(batch, ImportCounts(), "")
    db.session.flush()
    return batch


def _read_rows(batch):
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


class _Run:
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
        headers, rows = _read_rows(self.batch)
        plan = ColumnPlan(headers, self.batch.mapping["targets"])
        self.report_writer.writerow(["row", "errors", *headers])
        try:
            for chunk in _chunks(islice(rows, limit), CHUNK_SIZE):
                self._chunk(plan, chunk)
        except csv.Error as error:
            raise ImportProblem(_("The file could not be read as CSV: %(reason)s", reason=str(error))) from error
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


# --- the steps --------------------------------------------------------------------------------


def _store_counts(batch, counts, report):
    batch.total_rows = counts.total_rows
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.skipped_count = counts.skipped
    batch.error_count = counts.errors
    batch.error_report = report if counts.errors else ""


def preview_import(batch, limit=PREVIEW_ROWS):
    """Return the first `limit` rows as ParsedRows, as they would be imported (writes nothing)."""
    run = _Run(batch, write=False, actor=None, now=utcnow(), keep_outcomes=True)
    run.run(limit=limit)
    return run.outcomes


def check_import(batch, now=None):
    """Dry run: validate every row and count what would happen, without writing any supporter."""
    if batch.status == "imported":
        raise ImportProblem(_("This file has already been imported."))
    run = _Run(batch, write=False, actor=None, now=now or utcnow())
    counts = run.run()
    _store_counts(batch, counts, run.report.getvalue())
    batch.status = "checked"
    db.session.flush()
    return counts


def run_import(batch, actor=None, ip_address="", now=None):
    """Import the batch: create new people, fill blanks of known ones, reject rows with errors."""
    if batch.status == "imported":
        raise ImportProblem(_("This file has already been imported."))
    now = now or utcnow()
    run = _Run(batch, write=True, actor=actor, now=now)
    counts = run.run()
    _store_counts(batch, counts, run.report.getvalue())
    batch.status = "imported"
    batch.finished_at = now
    summary = {
        "filename": batch.filename,
        "rows": counts.total_rows,
        "created": counts.created,
        "updated": counts.updated,
        "merged": counts.merged,
        "skipped": counts.skipped,
        "errors": counts.errors,
    }
    record_audit(actor, "import", "import_batch", batch.id, summary, ip_address=ip_address, now=now)
    db.session.flush()
    return counts


def fail_import(batch_id, message, now=None):
    """Mark a batch failed after the caller rolled its work back."""
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "failed"
    batch.finished_at = now or utcnow()
    _set_mapping_json(batch, failure=str(message)[:500])
    db.session.flush()
    return batch


def counts_of(batch):
    """Return the stored counts of a batch."""
    return ImportCounts(
        batch.total_rows, batch.created_count, batch.updated_count, batch.skipped_count, batch.error_count
    )


def recent_imports(limit=10):
    """Return the latest batches, newest first."""
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)).all()


def column_samples(batch, count=3, scan=50):
    """Return, per column, up to `count` example values from the first `scan` rows (for the mapping screen)."""
    headers, rows = _read_rows(batch)
    samples = [[] for _header in headers]
    try:
        for _number, cells in islice(rows, scan):
            for index, cell in enumerate(cells[: len(headers)]):
                value = " ".join(cell.replace("\x00", "").split())
                if value and len(samples[index]) < count and value not in samples[index]:
                    samples[index].append(value[:60])
    except csv.Error as error:
        raise ImportProblem(_("The file could not be read as CSV: %(reason)s", reason=str(error))) from error
    return samples

"""Importing supporters from CSV: upload, column mapping, preview, dry run and import.

The web screens and `flask supporters import` share these functions. Rows are handled in chunks
(one SELECT per chunk for the people already known, then bulk INSERT/UPDATE) so 100,000 rows take
seconds, not one ORM round trip per row. The rule for known people is intake's: fill blanks only.
A row with any error is rejected whole; an unexpected failure rolls the whole batch back (the
caller rolls back and calls fail_import).
"""

import secrets
from itertools import islice
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit import record_audit
from crm.extensions import db
from crm.supporters.models import ImportBatch
from crm.supporters.services.import_columns import (
    LIMITS,
    TARGETS,
    decode,
    guess_targets,
    open_rows,
    sniff_delimiter,
)
from crm.supporters.services.import_rows import (
    ImportCounts,
    ImportProblem,
    RowPass,
    read_batch_rows,
)
from crm.utc import utcnow

PREVIEW_ROWS = 20


# --- opening a file ---------------------------------------------------------------------------


def _new_batch(data, filename, stored_path, uploaded_by, source, targets, now):
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    headers, rows = open_rows(text, delimiter)
    for _row in rows:
        pass  # read it all once: a line that cannot be read is refused now, not halfway through the import
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
    run = RowPass(batch, write=False, actor=None, now=utcnow(), keep_outcomes=True)
    run.run(limit=limit)
    return run.outcomes


def check_import(batch, now=None):
    """Dry run: validate every row and count what would happen, without writing any supporter."""
    if batch.status == "imported":
        raise ImportProblem(_("This file has already been imported."))
    run = RowPass(batch, write=False, actor=None, now=now or utcnow())
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
    run = RowPass(batch, write=True, actor=actor, now=now)
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
    headers, rows = read_batch_rows(batch)
    samples = [[] for _header in headers]
    for _number, cells in islice(rows, scan):
        for index, cell in enumerate(cells[: len(headers)]):
            value = " ".join(cell.replace("\x00", "").split())
            if value and len(samples[index]) < count and value not in samples[index]:
                samples[index].append(value[:60])
    return samples

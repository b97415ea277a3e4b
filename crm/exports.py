"""Staff exports: a query's rows, read a batch at a time, written as formula-safe CSV, and audited.

A feature describes its export as its columns and a function that turns one batch of its query's
records into rows of cells; `stream_csv` writes them as they come, so a large list never sits in
memory whole. The same columns and rows are what an XLSX writer would take. `audit_export` records
who exported which filter; `csv_download` (crm.downloads) sends the stream.
"""

import csv
import io

from crm.audit import record_audit
from crm.extensions import db

BATCH_SIZE = 500
BOM = "\ufeff"  # so Excel reads the file as UTF-8 and shows accents
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return the value as text a spreadsheet shows as text: formulas get a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def batches(query, size=None):
    """Yield the records of a select() in lists of at most `size` (BATCH_SIZE), reading as it goes."""
    result = db.session.execute(query.execution_options(yield_per=size or BATCH_SIZE)).scalars()
    yield from result.partitions()


def stream_csv(columns, query, rows_of):
    """Yield CSV text: the BOM and the header, then the rows of each batch of `query` (rows_of(batch))."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield BOM + buffer.getvalue()
    for batch in batches(query):
        buffer.seek(0)
        buffer.truncate()
        for row in rows_of(batch):
            writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def audit_export(actor, entity, criteria, ip_address="", now=None):
    """Record who exported which filter (a QueryFilter) of a staff list of `entity` rows."""
    return record_audit(actor, "export", entity, None, {"filter": criteria.as_args()}, ip_address, now)

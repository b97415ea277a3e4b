"""The reports the command line (and later the pages) can export: build a report, write it out.

No Flask here: the caller passes the settings (currency, year rule) and the moment `now`.
"""

import csv
import io
import json
from dataclasses import dataclass

import pandas as pd

from crm.exports import BOM, safe_cell
from crm.reports import lapsed, retention
from crm.reports.loaders import load_gifts, load_people

# Every report of issue 14, in the order `flask reports list` names them.
REPORT_NAMES = (
    "overview",
    "retention",
    "lybunt",
    "sybunt",
    "cohorts",
    "rfm",
    "campaigns",
    "sources",
    "catalog",
    "funnel",
    "email",
    "inquiries",
)
BUILT = ("retention", "lybunt", "sybunt")
DESCRIPTIONS = {
    "retention": "FEP retention, gain and loss of a year against the year before, and the last five years",
    "lybunt": "Gave last year but not this year (counted gifts only), with appeal consent",
    "sybunt": "Gave some year before last year but not last year nor this year, with appeal consent",
}


@dataclass(frozen=True)
class Built:
    """A built report: the one object or the list of rows JSON gives, and the table CSV gives."""

    name: str
    year: int
    json_value: object
    table: pd.DataFrame


def default_year(name, rule, now):
    """Retention compares whole years: the last one ended; the lapsed lists ask about this year so far."""
    current = rule.year_of(now)
    return current - 1 if name == "retention" else current


def build_report(name, *, year, rule, currency, now, convention="fep"):
    """Build report `name` for fiscal `year` (gifts given before `now` only)."""
    gifts = retention.with_years(load_gifts(currency, until=now), rule)
    if name == "retention":
        totals = retention.donor_years(gifts)
        figures = retention.retention_figures(totals, year)
        return Built(name, year, retention.json_figures(figures), retention.retention_table(totals, year))
    if name == "lybunt":
        summary = lapsed.lybunt(gifts, year)
    elif name == "sybunt":
        summary = lapsed.sybunt(gifts, year, convention)
    else:
        raise KeyError(name)
    people = lapsed.with_people(summary, load_people(summary["supporter_id"], now=now))
    people = people.assign(currency=currency.lower())
    return Built(name, year, people_records(people), people)


def _plain(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars: Python ints, floats and bools for json
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def people_records(table):
    """The rows of a people list as plain dicts (ISO UTC moments, int cents)."""
    columns = list(table.columns)
    return [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in table.itertuples(index=False)]


def to_json(built):
    return json.dumps(built.json_value, ensure_ascii=False, indent=2) + "\n"


def to_csv(table):
    """Formula-safe CSV with a BOM: text cells through safe_cell, numbers (cents) as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.itertuples(index=False):
        cells = []
        for value in row:
            value = _plain(value)
            if isinstance(value, bool) or value is None:
                cells.append("" if value is None else str(value).lower())
            elif isinstance(value, int | float):
                cells.append(value)
            else:
                cells.append(safe_cell(value))
        writer.writerow(cells)
    return BOM + buffer.getvalue()

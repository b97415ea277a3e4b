"""Who holds a person's data, and what a merge, an erasure and a privacy export do to it.

Every feature registers, in its own ``personal.py``, one `PersonalData` per table that holds
a person's data: how to find the rows of a person, and what each of the three operations does
to them (move them to the record kept, anonymise them or keep them as the law requires,
include them in the export). The supporters feature runs the operations through this
registry, so a table added later follows the person as soon as its feature registers it; a
test fails when a table with a supporter key or a contact column is not registered.

The registry sits below every feature: it imports none of them.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import inspect, select, update

from crm.extensions import db

ERASED = "[erased]"

_registry = {}


@dataclass
class Person:
    """One person as the three operations see them: their records and what identifies them.

    `records` is the record kept and every record merged into it; `emails` and `secrets`
    (names, addresses, phone numbers...) are gathered from every registered table before
    anything is erased, so a text elsewhere that quotes them can be scrubbed.
    """

    supporter: object
    records: list
    now: datetime | None = None
    emails: set = field(default_factory=set)
    secrets: set = field(default_factory=set)
    # What outbox messages may be about: "donation:12", "signup:3"... (see crm.mail.services.outbox).
    subjects: set = field(default_factory=set)
    scrub: object = None

    @property
    def ids(self):
        return [record.id for record in self.records]

    def add_emails(self, *emails):
        self.emails.update(e.strip().lower() for e in emails if isinstance(e, str) and e.strip())

    def add_secrets(self, *values):
        self.secrets.update(v.strip() for v in values if isinstance(v, str) and v.strip())


@dataclass(frozen=True)
class PersonalData:
    """What one table does with a person's data.

    - `rows(person)` returns a select of the person's rows (None: `model.supporter_id` in their ids).
    - `merge`: "move" (point supporter_id at the record kept), "follows" (a child of a row that
      moves), "none" (not tied to a record), or a function (survivor, absorbed) -> rows moved.
    - `gather(rows, person)` adds the emails, secrets and subjects the rows hold.
    - `before_erase(rows, person)` runs first and may refuse the erasure (an error; nothing is erased yet).
    - `erase(rows, person)` anonymises the rows; `kept` says what stays and why.
    - `export(rows)` returns JSON-ready data (None: rows as plain dicts); `exported=False` leaves it out.
    - `label` is the privacy page's "Name: %(n)d" line (None: not counted there); `erasing(n)`, the
      erase page's line on what happens to those n rows (an ngettext).
    """

    key: str
    model: type
    rows: object = None
    merge: object = "move"
    gather: object = None
    before_erase: object = None
    erase: object = None
    export: object = None
    exported: bool = True
    kept: str = ""
    label: object = None
    erasing: object = None

    def select(self, person):
        if self.rows is not None:
            return self.rows(person)
        return select(self.model).where(self.model.supporter_id.in_(person.ids)).order_by(self.model.id)

    def find(self, person):
        query = self.select(person)
        return [] if query is None else db.session.scalars(query).all()

    def move(self, survivor, absorbed):
        """Do the merge's part for this table; return how many rows moved (None when nothing to say)."""
        if callable(self.merge):
            return self.merge(survivor, absorbed)
        if self.merge != "move":
            return None
        result = db.session.execute(
            update(self.model).where(self.model.supporter_id == absorbed.id).values(supporter_id=survivor.id)
        )
        return result.rowcount

    def exported_rows(self, rows):
        return self.export(rows) if self.export is not None else [plain_row(row) for row in rows]


def register(entry):
    """Add (or replace, by key) one table's entry; features call it when their module loads."""
    _registry[entry.key] = entry
    return entry


def registered():
    """Return every entry, in the order features registered them."""
    return list(_registry.values())


def registered_models():
    return {entry.model for entry in _registry.values()}


# --- the operations, table by table ------------------------------------------------------------


def merge_person(survivor, absorbed):
    """Run every table's merge; return {table key: rows moved} for the audit trail."""
    moved = {}
    for entry in registered():
        count = entry.move(survivor, absorbed)
        if count is not None:
            moved[entry.key] = count
    db.session.flush()
    return moved


def read_person(person):
    """Return [(entry, rows)] for every table, after gathering what identifies the person.

    Tables found through what the others hold (an address, a gift's number, what a message is
    about) are read once everything is gathered.
    """
    found = []
    for entry in registered():
        rows = entry.find(person)
        if entry.gather is not None:
            entry.gather(rows, person)
        found.append((entry, rows))
    return [(entry, entry.find(person) if entry.rows is not None else rows) for entry, rows in found]


def export_person(person):
    """Return {table key: rows} for every exported table (the supporter's own entries included)."""
    return {entry.key: entry.exported_rows(rows) for entry, rows in read_person(person) if entry.exported}


def count_person(person):
    """Return [(entry, count)] for every table the privacy page counts."""
    return [(entry, len(rows)) for entry, rows in read_person(person) if entry.label is not None]


def erase_person(person):
    """Anonymise the person in every registered table (in the caller's transaction).

    Reads every table first, so each table's scrubber knows every name and address the person
    has anywhere; any table may refuse (before_erase raises) before anything changes.
    """
    found = read_person(person)
    person.scrub = scrubber(person.secrets | person.emails)
    for entry, rows in found:
        if entry.before_erase is not None:
            entry.before_erase(rows, person)
    for entry, rows in found:
        if entry.erase is not None:
            entry.erase(rows, person)
    db.session.flush()


# --- tools the features' entries share ---------------------------------------------------------


def child_rows(child, parent, key):
    """Return rows(person) for a table whose rows belong to a parent row of the person (replies, refunds, cards)."""
    return lambda person: (
        select(child).join(parent, key == parent.id).where(parent.supporter_id.in_(person.ids)).order_by(child.id)
    )


def plain(value):
    """Return a JSON-ready value: aware times in UTC with a Z, dates as ISO text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain_row(obj, skip=()):
    """Return the row's columns as a JSON-ready dict."""
    return {
        attr.key: plain(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs if attr.key not in skip
    }


def scrubber(secrets):
    """Return a function that replaces each of `secrets` (3 characters or more) in a text by [erased]."""
    words = sorted({s.strip() for s in secrets if s and len(s.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return lambda text: pattern.sub(ERASED, text) if isinstance(text, str) else text


def scrub_json(value, scrub, safe_keys=frozenset(), safe=False):
    """Return `value` with every string replaced by [erased], except those under `safe_keys` (only scrubbed)."""
    if isinstance(value, dict):
        return {key: scrub_json(item, scrub, safe_keys, safe or key in safe_keys) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item, scrub, safe_keys, safe) for item in value]
    if isinstance(value, str):
        return scrub(value) if safe else ERASED
    return value


def scrub_strings(value, scrub):
    """Return `value` (JSON) with the person's words scrubbed out of every string, identifiers kept."""
    if isinstance(value, dict):
        return {key: scrub_strings(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_strings(item, scrub) for item in value]
    return scrub(value)


def blank(row, names, scrub=None):
    """Set each named text column to "" (or, given `scrub`, scrub it)."""
    for name in names:
        setattr(row, name, scrub(getattr(row, name)) if scrub is not None else "")

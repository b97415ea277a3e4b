"""Importing gift history from another system (CiviCRM, NPSP, GiveWP, Donorbox, CanadaHelps...).

The file is read as the supporter import reads its files (same decoding, delimiters and header
folding, crm.payments.services.gift_rows) and its donors go through the supporter import's own
RowPass: one person per normalised email, new people created, known ones' blanks filled, erased
ones refused. Gifts are then written CHUNK_SIZE rows at a time (crm.payments.services.gift_writes).

Imported gifts are history: never receipted here (the old receipt number is kept), never thanked,
no sequence or outbox row; a kept gift gives CASL implied consent from its own date. A gift is known
again by its system and id, or, where the file has none, by donor, day, amount and method: a
re-import or an overlapping export adds only what is new, and a status changed in the other system
(pending to completed, completed to refunded) updates the imported gift.

A gift needs a supporter here (Donation.supporter_id is required), so an anonymous row (CanadaHelps
writes ANON, other files leave the email blank) is refused with that reason in the error report.

Nothing commits here. Each chunk runs in its own savepoint and `each_chunk()` is called after it:
the command line commits there, so a file that fails halfway keeps every chunk before the failure.
"""

import csv
import io
from dataclasses import dataclass, field
from itertools import islice
from types import SimpleNamespace

from flask_babel import gettext as _

from crm.audit import record_audit
from crm.exports import safe_cell
from crm.extensions import db
from crm.payments.models import Donation
from crm.payments.services.gift_columns import SYSTEM_NAMES
from crm.payments.services.gift_rows import read_gift_file
from crm.payments.services.gift_writes import (
    donors_of,
    grant_implied_consent,
    insert_gifts,
    known_gifts,
    names_in_use,
    plan_ids,
    update_statuses,
)
from crm.supporters.services.import_columns import LIMITS, ImportProblem
from crm.supporters.services.import_rows import RowPass
from crm.utc import utcnow

CHUNK_SIZE = 2000
DEFAULT_SYSTEM = "import"

__all__ = ["CHUNK_SIZE", "GiftImportResult", "ImportProblem", "import_gifts", "system_name"]


@dataclass
class GiftImportResult:
    """What an import did (or, in a dry run, would do), and the error report as CSV text."""

    system: str = ""
    dry_run: bool = False
    total_rows: int = 0
    new: int = 0
    known: int = 0
    updated: int = 0
    rejected: int = 0
    blank: int = 0
    people_new: int = 0
    people_known: int = 0
    consents: int = 0
    new_campaigns: list = field(default_factory=list)
    new_designations: list = field(default_factory=list)
    report: str = ""

    def as_dict(self):
        names = ("system", "dry_run", "total_rows", "new", "known", "updated", "rejected", "blank")
        return {
            **{name: getattr(self, name) for name in names},
            "people_new": self.people_new,
            "people_known": self.people_known,
            "consents": self.consents,
        }


def system_name(source, detected):
    """Return the system a gift came from: `source` as given (a known system by its key), else the file's."""
    source = " ".join((source or "").replace("\x00", "").split())[:40]
    for key, name in SYSTEM_NAMES.items():
        if source.casefold() in (key, name.casefold()):
            return key
    return source or detected or DEFAULT_SYSTEM


class PeoplePass(RowPass):
    """The supporter import's pass, given the donors of a chunk of gifts (ParsedRows) at a time."""

    def apply_people(self, people):
        """Create or fill the people; return those refused (erased addresses), their reason added."""
        return self._apply(people)


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class GiftPass:
    """One pass over a file of gifts; `write=False` is the dry run."""

    def __init__(self, plan, system, *, write, create_names, actor, filename, now):
        self.plan = plan
        self.system = system
        self.write = write
        self.create_names = create_names
        self.now = now
        self.result = GiftImportResult(system=system, dry_run=not write)
        batch = SimpleNamespace(id=None, filename=filename, mapping={"source": DEFAULT_SYSTEM})
        self.people = PeoplePass(batch, write=write, actor=actor, now=now)
        self.keys_seen = set()  # dedupe keys of the gifts of earlier rows of this file
        self.names = {
            "campaign": names_in_use(Donation.campaign),
            "fund": names_in_use(Donation.designation),
        }
        self.report = io.StringIO()
        self.report_writer = csv.writer(self.report)
        self.report_writer.writerow(["row", "errors", *plan.headers])

    # --- rows that cannot be gifts --------------------------------------------------------------

    def _check(self, row):
        if not row.person.raw_email:
            anonymous = _("An anonymous gift (no donor email) is not imported: every gift here belongs to a supporter.")
            row.errors = [anonymous, *(error for error in row.errors if error != _("No email address."))]
        if row.errors:
            return
        for kind in ("campaign", "fund"):
            self._name(row, kind)

    def _name(self, row, kind):
        """Spell a campaign or designation as in use here (any case); a new one only when asked."""
        name = getattr(row, kind)
        if not name:
            return
        names = self.names[kind]
        spelling = names.get(name.casefold())
        if spelling is None and not self.create_names:
            if kind == "campaign":
                message = _(
                    "The campaign “%(name)s” is not known here: correct it, or ask for new campaigns to be created.",
                    name=name,
                )
            else:
                message = _(
                    "The fund “%(name)s” is not known here: correct it, or ask for new funds to be created.", name=name
                )
            row.errors.append(message)
            return
        if spelling is None:
            spelling = names[name.casefold()] = name
            (self.result.new_campaigns if kind == "campaign" else self.result.new_designations).append(name)
        setattr(row, kind, spelling)

    def _reject(self, rows):
        for row in sorted(rows, key=lambda row: row.number):
            self.result.rejected += 1
            cells = (row.number, " ".join(row.errors), *row.cells)
            self.report_writer.writerow([safe_cell(value) for value in cells])

    # --- chunks -------------------------------------------------------------------------------

    def run(self, rows, each_chunk=None, chunk_size=CHUNK_SIZE):
        for chunk in _chunks(rows, chunk_size):
            if self.write:
                with db.session.begin_nested():
                    self._chunk(chunk)
            else:
                self._chunk(chunk)
            if each_chunk is not None:
                each_chunk(self.result)
        self.result.people_new = self.people.counts.created
        self.result.people_known = self.people.counts.updated
        self.result.report = self.report.getvalue() if self.result.rejected else ""
        return self.result

    def _chunk(self, chunk):
        self.result.total_rows += len(chunk)
        for row in chunk:
            self._check(row)
        bad = [row for row in chunk if row.errors]
        good = [row for row in chunk if not row.errors]
        new, changed = self._sort_known(good)
        erased = self.people.apply_people([row.person for row in new])
        refused = {id(person) for person in erased}
        bad += [row for row in new if id(row.person) in refused]
        new = [row for row in new if id(row.person) not in refused]
        self.result.new += len(new)
        self.result.updated += len(changed)
        self._reject(bad)
        if self.write:
            people = self.people.seen
            plans = plan_ids(self.system, new, people, self.now)
            if new:
                insert_gifts(self.system, new, people, plans, self.now)
                self.result.consents += grant_implied_consent(self.system, new, people, self.now)
            if changed:
                update_statuses(changed)
                # A gift pending there and completed since gives its consent now (from its own date).
                donors = donors_of([gift_id for gift_id, _row in changed])
                people = {row.email: donors[gift_id] for gift_id, row in changed}
                rows = [row for _gift_id, row in changed]
                self.result.consents += grant_implied_consent(self.system, rows, people, self.now)

    def _sort_known(self, rows):
        """Split `rows` into new gifts and [(id, row)] of imported gifts whose status changed."""
        by_dedupe, by_match = known_gifts(rows)
        new, changed = [], []
        for row in rows:
            # Two rows with ids of their own are two gifts, even on the same day for the same amount.
            if row.dedupe_key in self.keys_seen:
                self.result.known += 1
                continue
            self.keys_seen.add(row.dedupe_key)
            known = by_dedupe.get(row.dedupe_key)
            if known is None and row.match_key in by_match:
                candidate = by_match[row.match_key]
                # Known by donor, day, amount and method when either side has no id of its own.
                if not row.original_id or not candidate.original_id:
                    known = candidate
            if known is None:
                new.append(row)
            elif known.imported and known.status != row.status:
                changed.append((known.id, row))
            else:
                self.result.known += 1
        return new, changed


def import_gifts(
    data,
    *,
    filename="gifts.csv",
    source="",
    dry_run=False,
    create_campaigns=False,
    actor=None,
    each_chunk=None,
    chunk_size=CHUNK_SIZE,
    now=None,
    **options,
):
    """Import (or, with dry_run, check) the gifts of a CSV file's bytes; return a GiftImportResult.

    Raises ImportProblem for a file that cannot be read or is not a file of gifts.
    """
    now = now or utcnow()
    plan, rows = read_gift_file(data, now=now, **options)
    system = system_name(source, plan.system)
    if system != plan.system:
        plan, rows = read_gift_file(data, now=now, system=system, **options)
    filename = (filename or "gifts.csv").replace("\x00", "")[: LIMITS["source"]]
    run = GiftPass(
        plan, system, write=not dry_run, create_names=create_campaigns, actor=actor, filename=filename, now=now
    )
    result = run.run(rows, each_chunk=each_chunk, chunk_size=chunk_size)
    result.blank = plan.blank_rows
    if not dry_run:
        record_audit(actor, "import", "gifts", None, {"filename": filename, **result.as_dict()}, now=now)
        db.session.flush()
    return result

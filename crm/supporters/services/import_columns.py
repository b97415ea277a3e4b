"""Reading a CSV upload, recognising its columns (CiviCRM, Salesforce NPSP, Donorbox, plain), parsing a row."""

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.normalize import normalize_email
from crm.supporters.models import Supporter, Tag
from crm.supporters.models.people import FIELD_LABELS, fold
from crm.supporters.services import SupporterError
from crm.supporters.services.import_aliases import ALIASES, GIFT_ALIASES
from crm.supporters.services.intake import PROFILE_FIELDS

# What a column may be imported as, in the order the mapping screen offers them.
TARGETS = {
    "email": FIELD_LABELS["email"],
    "first_name": FIELD_LABELS["first_name"],
    "last_name": FIELD_LABELS["last_name"],
    "full_name": _l("Full name (split into first and last)"),
    **{name: label for name, label in FIELD_LABELS.items() if name not in ("email", "first_name", "last_name")},
    "tags": _l("Tags (separated by ; or ,)"),
    "opt_out": _l("Email opt-out (records a withdrawal of consent)"),
    "preferred_email": _l("Which email column is preferred (Salesforce)"),
    "preferred_phone": _l("Which phone column is preferred (Salesforce)"),
}
IGNORE = ""
LIMITS = {name: Supporter.__table__.c[name].type.length for name in (*PROFILE_FIELDS, "source", "email")}
TAG_LIMIT = Tag.__table__.c.name.type.length

HEADER_TARGETS = {alias: target for target, aliases in ALIASES.items() for alias in aliases}
GIFT_HEADER_TARGETS = {
    **HEADER_TARGETS,
    **{alias: target for target, aliases in GIFT_ALIASES.items() for alias in aliases},
}
TRUE_VALUES = {"1", "yes", "y", "true", "t", "x", "oui", "vrai", "checked"}
COUNTRY_ALIASES = {"usa": "US", "us": "US", "u s a": "US", "u s": "US", "uk": "GB", "england": "GB"}


def header_key(header):
    """Return a header folded for matching: "Donor's First Name" -> "donor s first name"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(header)).split())


def _guess(key, table):
    if key in table:
        return table[key]
    # A Salesforce API name ("npsp__Contact1_Personal_Email__c") is its label with a namespace and a suffix.
    if not key.endswith(" c"):
        return IGNORE
    label = key.removesuffix(" c")
    return table.get(label) or table.get(label.partition(" ")[2], IGNORE)


def guess_targets(headers, table=None):
    """Return the target guessed for each header ("" for ignore), from `table` (default: people's)."""
    table = HEADER_TARGETS if table is None else table
    return [_guess(header_key(header), table) for header in headers]


def decode(data):
    """Return (text, encoding) for the bytes of a CSV: UTF-8 (with or without BOM), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # PostgreSQL refuses NUL in text; nobody means one in a CSV.
        return text.replace("\x00", ""), encoding
    raise AssertionError("latin-1 decodes any bytes")


def sniff_delimiter(text):
    """Return the delimiter of the header line: comma, semicolon or tab (the most frequent)."""
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class ImportProblem(SupporterError):
    """The file or the mapping cannot be imported as it is; str() says why."""


def _csv_problem(error, line):
    if "field larger than field limit" in str(error):
        return ImportProblem(
            _(
                "Line %(line)d of the file holds a value longer than 131,072 characters. Check that every "
                "quotation mark is closed, shorten the value, and upload the file again.",
                line=line,
            )
        )
    return ImportProblem(_("The file could not be read as CSV (line %(line)d): %(reason)s", line=line, reason=error))


def _read(reader):
    try:
        yield from reader
    except csv.Error as error:
        raise _csv_problem(error, reader.line_num) from error


def open_rows(text, delimiter):
    """Return (headers, rows): rows yields (row number, cells), the header being row 1.

    A line Python's csv module cannot read raises ImportProblem with a message for the user.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = _read(reader)
    headers = [cell.strip() for cell in next(lines, [])]
    return headers, enumerate(lines, start=2)


# A plain local part ("ana.silva+news"), a subset of what email_validator accepts. With it, the
# costly domain check runs once per domain, not once per row (100,000 rows share few domains).
SIMPLE_LOCAL_PART = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*\Z")


@lru_cache(maxsize=20_000)
def _domain_problem(domain):
    try:
        validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def email_problem(email):
    """Return why email_validator refuses a normalised address, or None when it is valid."""
    local, at, domain = email.rpartition("@")
    if at and SIMPLE_LOCAL_PART.match(local) and _domain_problem(domain) is None:
        return None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def is_true(value):
    return fold(value) in TRUE_VALUES


@lru_cache(maxsize=1024)
def to_language(value):
    """Return "fr" or "en" for a language written any usual way (fr_CA, French, Français), else None."""
    folded = fold(value)
    if folded.startswith("fr"):
        return "fr"
    if folded.startswith("en") or folded.startswith("ang"):
        return "en"
    return None


@cache
def _country_names():
    names = dict(COUNTRY_ALIASES)
    for language in ("en", "fr"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names[header_key(name)] = code
                names[code.lower()] = code
    return names


@lru_cache(maxsize=1024)
def to_country(value):
    """Return the ISO 3166 two-letter code for "CA", "Canada" or "États-Unis", else None."""
    return _country_names().get(header_key(value))


def split_tags(value):
    """Return the tags in "a; b, c" (stripped, blanks dropped, first spelling kept)."""
    tags = []
    for part in re.split(r"[;,]", value):
        tag = " ".join(part.split())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def split_full_name(value):
    """Return (first, last) from "Marie-Ève Tremblay": the last word is the last name."""
    words = value.split()
    if len(words) < 2:
        return value.strip(), ""
    return " ".join(words[:-1]), words[-1]


@dataclass
class ParsedRow:
    number: int
    cells: list
    email: str = ""
    raw_email: str = ""
    values: dict = field(default_factory=dict)
    source: str = ""
    tags: list = field(default_factory=list)
    opt_out: bool = False
    errors: list = field(default_factory=list)
    status: str = ""  # new, existing, merged, error


# --- one row ----------------------------------------------------------------------------------


class ColumnPlan:
    """Turn the cells of one row into a supporter's values, following the batch's mapping."""

    def __init__(self, headers, targets):
        self.headers = headers
        self.columns = {}
        for index, target in enumerate(targets):
            if target:
                self.columns.setdefault(target, []).append(index)
        self.labels = {target: str(label) for target, label in TARGETS.items()}

    @staticmethod
    def _cell(cells, index):
        # decode() has already removed NUL characters from the whole file.
        return cells[index].strip() if index < len(cells) else ""

    def _first(self, cells, target, preferred_target=None):
        columns = self.columns.get(target)
        if not columns:
            return ""
        if len(columns) == 1:
            return self._cell(cells, columns[0])
        found = [(index, value) for index in columns if (value := self._cell(cells, index))]
        if len(found) > 1 and preferred_target:
            # Salesforce says which of Personal/Work/Alternate email (Home/Mobile/Work phone) to use.
            wanted = header_key(self._first(cells, preferred_target))
            for index, value in found:
                if wanted and wanted in header_key(self.headers[index]).split():
                    return value
        return found[0][1] if found else ""

    def value(self, cells, target):
        """Return the cell mapped to `target` (the first filled one), its spaces collapsed."""
        return " ".join(self._first(cells, target).split())

    def parse(self, number, cells):
        """Return a ParsedRow whose `errors` list every problem of the row."""
        row = ParsedRow(number, cells)
        values = {name: self._first(cells, name) for name in PROFILE_FIELDS if name in self.columns}
        values["phone"] = self._first(cells, "phone", "preferred_phone")
        first, last = split_full_name(self._first(cells, "full_name"))
        if not values.get("first_name") and not values.get("last_name"):
            values["first_name"], values["last_name"] = first, last
        lines = [" ".join(line.split()) for line in values.get("address_line1", "").splitlines() if line.strip()]
        if len(lines) > 1:  # a street on two lines in one cell
            values["address_line1"] = lines[0]
            values["address_line2"] = values.get("address_line2") or ", ".join(lines[1:])
        values = {name: " ".join(value.split()) for name, value in values.items()}
        if values.get("language"):
            language = to_language(values["language"])
            if language is None:
                row.errors.append(_("Unknown language “%(value)s” (use en or fr).", value=values["language"]))
            values["language"] = language or ""
        if values.get("country"):
            country = to_country(values["country"])
            if country is None:
                row.errors.append(_("Unknown country “%(value)s”.", value=values["country"]))
            values["country"] = country or ""
        row.source = " ".join(self._first(cells, "source").split())
        for name, value in (*values.items(), ("source", row.source)):
            if len(value) > LIMITS[name]:
                row.errors.append(
                    _("%(field)s is longer than %(limit)d characters.", field=self.labels[name], limit=LIMITS[name])
                )
        for index in self.columns.get("tags", ()):
            row.tags += [tag for tag in split_tags(self._cell(cells, index)) if tag not in row.tags]
        if any(len(tag) > TAG_LIMIT for tag in row.tags):
            row.errors.append(_("A tag is longer than %(limit)d characters.", limit=TAG_LIMIT))
        row.opt_out = any(is_true(self._cell(cells, index)) for index in self.columns.get("opt_out", ()))
        row.values = {name: value for name, value in values.items() if name in PROFILE_FIELDS}
        self._parse_email(row, self._first(cells, "email", "preferred_email"))
        return row

    @staticmethod
    def _parse_email(row, raw):
        row.raw_email = raw
        if not raw:
            row.errors.insert(0, _("No email address."))
            return
        email = normalize_email(raw)
        problem = email_problem(email)
        if problem:
            row.errors.insert(0, _("Not a valid email address: %(reason)s", reason=problem))
            return
        if len(email) > LIMITS["email"]:
            row.errors.insert(0, _("The email address is too long."))
            return
        row.email = email

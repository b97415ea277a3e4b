"""Each row of a file of gifts as a GiftRow: the gift, its donor, the keys it is known by.

The file is read by the supporter import's reader (encodings, delimiters, header folding) and each
row's donor by its ColumnPlan; this module adds the gift's own columns. Nothing is written here:
the import that saves gifts takes GiftRows, rejecting any row whose `errors` is not empty.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from crm.money import from_cents
from crm.normalize import normalize_email
from crm.payments.services.gift_columns import (
    GIFT_TARGETS,
    TEXT_LIMITS,
    FileHabits,
    check_gift_targets,
    detect_system,
    guess_gift_targets,
)
from crm.payments.services.gift_dates import day_first_evidence, parse_received
from crm.payments.services.gift_values import (
    GiftValueError,
    amount_decimal_mark,
    parse_amount,
    parse_currency,
    parse_method,
    parse_status,
)
from crm.payments.services.receipts import receipt_zone
from crm.supporters.services.import_columns import (
    TARGETS,
    ColumnPlan,
    ImportProblem,
    decode,
    email_problem,
    is_true,
    open_rows,
    sniff_delimiter,
)
from crm.utc import utcnow


@dataclass
class GiftRow:
    number: int
    cells: list
    person: object  # the donor, as the supporter import parses them (ParsedRow)
    amount_cents: int | None = None
    currency: str = ""
    received_at: datetime | None = None
    status: str = ""
    method: str = ""
    method_label: str = ""
    kind: str = "one_time"
    campaign: str = ""
    fund: str = ""
    appeal: str = ""
    source: str = ""
    source_system: str = ""
    original_id: str = ""
    transaction_id: str = ""
    recurring_id: str = ""
    soft_credit_name: str = ""
    soft_credit_email: str = ""
    receipt_number: str = ""
    reference: str = ""
    dedupe_key: str = ""
    match_key: str = ""
    errors: list = field(default_factory=list)

    @property
    def email(self):
        return self.person.email


def _key(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class GiftPlan:
    """Turn the cells of one row into a GiftRow, following the file's mapping and habits."""

    def __init__(self, headers, targets=None, *, system=None, habits=None, currencies=None, zone=None, now=None):
        self.headers = headers
        self.targets = guess_gift_targets(headers) if targets is None else list(targets)
        check_gift_targets(self.targets)
        self.system = detect_system(headers) if system is None else system
        self.people = ColumnPlan(headers, self.targets)
        self.habits = habits or FileHabits()
        self.blank_rows = 0
        config = current_app.config
        self.currencies = {code.lower() for code in currencies or (config["CURRENCY"],)}
        self.default_currency = config["CURRENCY"].lower()
        self.zone = zone or receipt_zone()
        self.now = now or utcnow()
        # CanadaHelps writes ANON in every donor column of an anonymous gift.
        self.anonymous = {"anon"} if self.system == "canadahelps" else set()
        self.person_columns = {i for i, target in enumerate(self.targets) if target in TARGETS}

    def cell(self, cells, target):
        return self.people.value(cells, target)

    def guess_habits(self, rows):
        """Return the FileHabits these rows show: dates that only fit d/m/y or m/d/y, decimals after . or ,."""
        day_first = month_first = 0
        marks = {".": 0, ",": 0}
        for _number, cells in rows:
            order = day_first_evidence(self.cell(cells, "received_on"))
            day_first += order is True
            month_first += order is False
            mark = amount_decimal_mark(self.cell(cells, "amount"))
            if mark:
                marks[mark] += 1
        decimal_mark = max(marks, key=marks.get) if any(marks.values()) else None
        return FileHabits(day_first > month_first, decimal_mark, day_first, month_first)

    def parse(self, number, cells):
        """Return a GiftRow whose `errors` list every problem of the row (the donor's first)."""
        if self.anonymous:
            cells = [("" if i in self.person_columns and cell.strip().lower() in self.anonymous else cell)
                     for i, cell in enumerate(cells)]  # fmt: skip
        person = self.people.parse(number, cells)
        row = GiftRow(number, cells, person, source_system=self.system, errors=list(person.errors))
        self._money(row, cells)
        self._when(row, cells)
        self._read(row, "status", lambda: parse_status(self.cell(cells, "status")))
        row.method_label = self.cell(cells, "method") or self.cell(cells, "processor")
        row.method = parse_method(self.cell(cells, "method"), self.cell(cells, "processor"))
        self._text(row, cells)
        row.kind = "monthly" if row.recurring_id or is_true(self.cell(cells, "recurring")) else "one_time"
        self._soft_credit(row, cells)
        self._keys(row)
        return row

    @staticmethod
    def _read(row, name, parse):
        try:
            setattr(row, name, parse())
        except GiftValueError as error:
            row.errors.append(str(error))

    def _money(self, row, cells):
        errors = len(row.errors)
        amount = written = None
        try:
            amount = parse_amount(self.cell(cells, "amount"), self.habits.decimal_mark)
        except GiftValueError as error:
            row.errors.append(str(error))
        try:
            written = parse_currency(self.cell(cells, "currency"))
        except GiftValueError as error:
            row.errors.append(str(error))
        if len(row.errors) > errors:
            return
        if written and amount.currency and written != amount.currency:
            row.errors.append(
                _(
                    "The amount is in %(amount)s but the currency column says %(column)s.",
                    amount=amount.currency.upper(),
                    column=written.upper(),
                )
            )
            return
        currency = written or amount.currency or self.default_currency
        if currency not in self.currencies:
            row.errors.append(
                _(
                    "Gifts in %(currency)s are not accepted: this charity takes %(accepted)s.",
                    currency=currency.upper(),
                    accepted=", ".join(sorted(code.upper() for code in self.currencies)),
                )
            )
            return
        row.amount_cents, row.currency = amount.cents, currency

    def _when(self, row, cells):
        self._read(
            row,
            "received_at",
            lambda: parse_received(
                self.cell(cells, "received_on"),
                self.cell(cells, "received_time"),
                day_first=self.habits.day_first,
                zone=self.zone,
                now=self.now,
            ),
        )

    def _text(self, row, cells):
        values = {name: self.cell(cells, name) for name in TEXT_LIMITS if name != "method"}
        values["method"] = row.method_label
        for name, value in values.items():
            if len(value) > TEXT_LIMITS[name]:
                row.errors.append(
                    _(
                        "%(field)s is longer than %(limit)d characters.",
                        field=GIFT_TARGETS[name],
                        limit=TEXT_LIMITS[name],
                    )
                )
        row.campaign, row.fund, row.appeal = values["campaign"], values["fund"], values["appeal"]
        row.source, row.transaction_id, row.recurring_id = (
            values["gift_source"], values["transaction_id"], values["recurring_id"],
        )  # fmt: skip
        row.receipt_number, row.reference = values["receipt_number"], values["reference"]
        row.original_id = values["external_id"] or values["transaction_id"]

    def _soft_credit(self, row, cells):
        name, email = self.cell(cells, "soft_credit_name"), self.cell(cells, "soft_credit_email")
        if not email and "@" in name and " " not in name:  # "Soft Credit To" holding an address
            name, email = "", name
        if len(name) > TEXT_LIMITS["soft_credit_name"]:
            row.errors.append(
                _(
                    "%(field)s is longer than %(limit)d characters.",
                    field=GIFT_TARGETS["soft_credit_name"],
                    limit=TEXT_LIMITS["soft_credit_name"],
                )
            )
        row.soft_credit_name = name
        if email:
            normalised = normalize_email(email)
            problem = email_problem(normalised)
            if problem:
                row.errors.append(_("Not a valid soft credit email address: %(reason)s", reason=problem))
            else:
                row.soft_credit_email = normalised

    def _keys(self, row):
        """Set the keys a gift is known by: its system and id, and its donor, day, amount and method."""
        if row.original_id:
            row.dedupe_key = _key("id", row.source_system, row.original_id)
        if row.email and row.received_at and row.amount_cents:
            day = row.received_at.astimezone(self.zone).date().isoformat()
            amount = f"{from_cents(row.amount_cents)} {row.currency}"
            row.match_key = _key("gift", row.email, day, amount, row.method)
        row.dedupe_key = row.dedupe_key or row.match_key


def read_gift_file(data, targets=None, *, system=None, day_first=None, **options):
    """Return (plan, rows) for the bytes of a CSV of gifts; rows yields a GiftRow per non-blank line.

    The file's habits are guessed from all its rows first (`day_first` given overrides the guess), and
    `plan.blank_rows` counts the blank lines left out. A line that cannot be read as CSV, or a file of
    another kind, raises ImportProblem.
    """
    text, _encoding = decode(data)
    headers, lines = open_rows(text, sniff_delimiter(text))
    if not any(headers):
        raise ImportProblem(_("The file is empty, or its first line holds no column names."))
    lines = list(lines)
    plan = GiftPlan(headers, targets, system=system, **options)
    plan.blank_rows = sum(not any(cell.strip() for cell in cells) for _number, cells in lines)
    lines = [(number, cells) for number, cells in lines if any(cell.strip() for cell in cells)]
    habits = plan.guess_habits(lines)
    if day_first is not None:
        habits = FileHabits(day_first, habits.decimal_mark, habits.day_first_dates, habits.month_first_dates)
    plan.habits = habits
    return plan, (plan.parse(number, cells) for number, cells in lines)

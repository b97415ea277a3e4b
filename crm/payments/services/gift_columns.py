"""Recognising a file of gifts from another system: which system wrote it, what each column holds.

Header aliases live beside the people's (crm.supporters.services.import_aliases); gift rows are
parsed by gift_rows.GiftPlan.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.supporters.services.import_columns import (
    GIFT_HEADER_TARGETS,
    TARGETS,
    ImportProblem,
    guess_targets,
    header_key,
)

GIFT_TARGETS = {
    "amount": _l("Gift amount"),
    "currency": _l("Currency"),
    "received_on": _l("Date received"),
    "received_time": _l("Time received"),
    "status": _l("Gift status"),
    "method": _l("Payment method"),
    "processor": _l("Payment processor (when no method is given)"),
    "campaign": _l("Campaign"),
    "fund": _l("Fund or designation"),
    "appeal": _l("Appeal"),
    "gift_source": _l("Gift source"),
    "external_id": _l("Gift id in the other system"),
    "transaction_id": _l("Payment transaction id"),
    "recurring_id": _l("Monthly gift id (groups the gifts of one plan)"),
    "recurring": _l("Monthly gift (yes or no)"),
    "soft_credit_name": _l("Soft credit to (name)"),
    "soft_credit_email": _l("Soft credit to (email)"),
    "receipt_number": _l("Receipt number in the other system"),
    "reference": _l("Cheque or reference number"),
}
# What a gift column may be imported as, donors' fields included, in the mapping screen's order.
IMPORT_TARGETS = {**GIFT_TARGETS, **TARGETS}
# Longest text kept per field (the longest the next step's columns can hold).
TEXT_LIMITS = {
    "campaign": 200, "fund": 100, "appeal": 200, "gift_source": 200, "external_id": 255, "transaction_id": 255,
    "recurring_id": 255, "soft_credit_name": 200, "receipt_number": 100, "reference": 100, "method": 100,
}  # fmt: skip

# The headers that tell which system wrote a file (folded by header_key()), most telling first.
SYSTEMS = (
    ("canadahelps", ("monthly gift id", "donor email address", "transaction number")),
    ("donorbox", ("donated at", "donor s first name", "recurring plan id")),
    ("givewp", ("donation total", "form title", "payment gateway")),
    ("npsp", ("donation stage", "contact1 first name", "contact1 personal email", "npsp donation amount c")),
    ("civicrm", ("total amount", "contribution status", "financial type", "contribution id")),
)
SYSTEM_NAMES = {
    "canadahelps": "CanadaHelps", "donorbox": "Donorbox", "givewp": "GiveWP", "npsp": "Salesforce NPSP",
    "civicrm": "CiviCRM",
}  # fmt: skip


def detect_system(headers):
    """Return the system whose export these headers are ("civicrm", "npsp", ...), or "" when none fits."""
    keys = {header_key(header) for header in headers}
    for system, telling in SYSTEMS:
        if keys.intersection(telling):
            return system
    return ""


def guess_gift_targets(headers):
    """Return the target guessed for each header of a gift file: gift columns first, then the donor's."""
    return guess_targets(headers, GIFT_HEADER_TARGETS)


def check_gift_targets(targets):
    """Refuse a mapping that cannot make gifts (a file of another kind), naming the columns expected."""
    missing = []
    if "amount" not in targets:
        missing.append(_("the amount (such as Total Amount, Donation Amount, Amount)"))
    if "received_on" not in targets:
        missing.append(_("the date received (such as Receive Date, Donation Date, Donated At)"))
    if "email" not in targets:
        missing.append(_("the donor's email (such as Email, Donor Email)"))
    if missing:
        raise ImportProblem(
            _("This is not a file of gifts we can read: it has no column for %(missing)s.", missing="; ".join(missing))
        )


@dataclass(frozen=True)
class FileHabits:
    """How a file writes what its rows do not say alone: 03/11/2024, and 1,250."""

    day_first: bool = False
    decimal_mark: str | None = None
    # How many dates proved each order: a file with both mixes formats, and staff should know.
    day_first_dates: int = 0
    month_first_dates: int = 0

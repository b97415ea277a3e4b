"""One cell of a gift file at a time: amounts, currencies, statuses and methods (dates: gift_dates).

Each parser returns a plain value or raises GiftValueError, whose str() is a message for staff in
their language. Money ends as integer cents through crm.money (Decimal, never float).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from crm.money import MoneyError, to_cents
from crm.supporters.services.import_columns import header_key

# The largest amount a cents column (a 32-bit integer) holds.
MAX_CENTS = 2_147_483_647


class GiftValueError(ValueError):
    """A cell that cannot be read as what its column holds; str() is the row's error."""


# --- amounts ------------------------------------------------------------------------------------

# Symbols and codes written beside an amount, and the currency they name (None: any dollar).
CURRENCY_MARKS = {
    "$": None, "ca$": "cad", "c$": "cad", "$ca": "cad", "cad": "cad", "can$": "cad", "us$": "usd", "$us": "usd",
    "usd": "usd", "€": "eur", "eur": "eur", "£": "gbp", "gbp": "gbp",
}  # fmt: skip
_SIGN = r"([A-Za-z]{0,3}\s?[$€£]\s?[A-Za-z]{0,2}|[A-Za-z]{3})?"  # "$", "CA$", "$ CA", "USD"
_MARK = re.compile(rf"^{_SIGN}\s*(.*?)\s*{_SIGN}$", re.S)
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'")
_NUMBER = re.compile(r"[0-9][0-9.,]*\Z")
_NEGATIVE = re.compile(r"^\s*[-\u2212(]|[-\u2212)]\s*$")


@dataclass(frozen=True)
class Amount:
    cents: int
    currency: str | None  # a code written in the cell ("USD 50", "50 CA$"), else None


def _currency_code(mark):
    """Return the code a mark names ("CA$" -> "cad", "usd"), None for a plain "$"; raise KeyError if none."""
    key = "".join(mark.split()).lower()
    if key in CURRENCY_MARKS:
        return CURRENCY_MARKS[key]
    if re.fullmatch(r"[a-z]{3}", key):
        return key
    raise KeyError(mark)


def _mark_currency(mark, raw):
    try:
        return _currency_code(mark) if mark else None
    except KeyError:
        raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw)) from None


def _decimal_text(number, decimal_mark, raw):
    """Return `number` ("1.250,00", "1,250") with "." as its only separator, the decimal point."""
    marks = [ch for ch in number if ch in ".,"]
    if not marks:
        return number
    if len(set(marks)) == 2:
        decimal = marks[-1]
        group = "," if decimal == "." else "."
        whole, _sep, fraction = number.rpartition(decimal)
        if group not in whole or not re.fullmatch(rf"[0-9]{{1,3}}(\{group}[0-9]{{3}})+", whole):
            raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw))
        return whole.replace(group, "") + "." + fraction
    mark = marks[0]
    whole, _sep, fraction = number.rpartition(mark)
    if len(marks) > 1:  # "1,250,000": the mark groups thousands
        if not re.fullmatch(rf"[0-9]{{1,3}}(\{mark}[0-9]{{3}})+", number):
            raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw))
        return number.replace(mark, "")
    if len(fraction) == 3 and decimal_mark != mark and len(whole) <= 3 and whole != "0":
        return whole + fraction  # "1,250": thousands, unless the file writes its decimals with this mark
    return whole + "." + fraction


def parse_amount(text, decimal_mark=None):
    """Return the Amount in a cell: "1,250.00", "1.250,00", "$50", "50 $", "1 250,00 $", "USD 50".

    `decimal_mark` ("." or ",") is the file's, when its amounts show it; it settles "1,250".
    """
    raw = " ".join((text or "").split())
    if not raw:
        raise GiftValueError(_("No amount."))
    if _NEGATIVE.search(raw):
        raise GiftValueError(_("The amount “%(value)s” is negative: only gifts received are imported.", value=raw))
    match = _MARK.match(raw)
    lead, number, trail = match.groups()
    if lead and trail:
        raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw))
    currency = _mark_currency(lead or trail, raw)
    number = number.translate(_GROUPING)
    if not _NUMBER.match(number) or number[-1] in ".,":
        raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw))
    plain = _decimal_text(number, decimal_mark, raw)
    if len(plain.partition(".")[0].lstrip("0")) > 12:
        raise GiftValueError(_("The amount “%(value)s” is too large.", value=raw))
    value = Decimal(plain)
    if value != value.quantize(Decimal("0.01")):
        raise GiftValueError(_("The amount “%(value)s” has fractions of a cent.", value=raw))
    try:
        cents = to_cents(value)
    except MoneyError as error:
        raise GiftValueError(_("Not an amount: “%(value)s”.", value=raw)) from error
    if cents <= 0:
        raise GiftValueError(_("The amount is zero."))
    if cents > MAX_CENTS:
        raise GiftValueError(_("The amount “%(value)s” is too large.", value=raw))
    return Amount(cents, currency)


def amount_decimal_mark(text):
    """Return the decimal mark an amount cell shows beyond doubt ("50.00", "1.250,00"), else None."""
    number = (text or "").translate(_GROUPING)
    found = re.search(r"[0-9]([.,])[0-9]{1,2}\s*[^0-9.,]*$", number)
    return found.group(1) if found else None


# --- currencies ---------------------------------------------------------------------------------

CURRENCY_NAMES = {
    "canadian dollar": "cad", "canadian dollars": "cad", "dollar canadien": "cad", "dollars canadiens": "cad",
    "us dollar": "usd", "us dollars": "usd", "dollar americain": "usd", "euro": "eur", "euros": "eur",
}  # fmt: skip


def parse_currency(text):
    """Return the lower-case ISO 4217 code of a currency cell ("CAD", "cad", "CA$", "Canadian Dollar"), or None."""
    raw = " ".join((text or "").split())
    if not raw:
        return None
    key = header_key(raw)
    if key in CURRENCY_NAMES:
        return CURRENCY_NAMES[key]
    try:
        return _currency_code(raw)
    except KeyError:
        raise GiftValueError(_("Unknown currency “%(value)s” (use a code such as CAD).", value=raw)) from None


# --- statuses and methods -----------------------------------------------------------------------

# Every status a gift of another system may have, folded by header_key(), and what it is here.
STATUSES = {
    "succeeded": [
        "completed", "complete", "closed won", "succeeded", "success", "successful", "paid", "publish", "renewal",
        "received", "approved", "captured", "settled", "posted", "termine", "terminee", "complete e", "paye",
        "payee", "recu", "reussi", "confirmed",
    ],
    # A refund asked for and not yet paid back is money the charity no longer keeps: never counted.
    "refunded": [
        "refunded", "refund", "revoked", "chargeback", "charged back", "reversed", "rembourse", "remboursee",
        "pending refund", "refund pending", "refund requested", "remboursement en attente",
    ],
    # The donor's bank is contesting the payment: kept as disputed (not counted until it is won here).
    "disputed": ["disputed", "dispute", "in dispute", "under dispute", "conteste", "contestee", "en litige", "litige"],
    "failed": ["failed", "failure", "declined", "closed lost", "error", "echoue", "echec", "refuse", "refusee"],
    "pending": [
        "pending", "in progress", "processing", "pledged", "overdue", "partially paid", "preapproval",
        "prospecting", "qualification", "cultivation", "solicitation", "verbal commitment", "en attente",
        "en cours", "promis",
    ],
    "cancelled": [
        "cancelled", "canceled", "cancel", "withdrawn", "abandoned", "void", "voided", "annule", "annulee",
        "abandonne",
    ],
}  # fmt: skip
STATUS_OF = {alias: status for status, aliases in STATUSES.items() for alias in aliases}
# Gifts whose money the charity has (counted); the rest are history kept and never counted.
COUNTED_STATUSES = ("succeeded",)

METHODS = {
    "card": [
        "credit card", "card", "debit card", "visa", "mastercard", "master card", "amex", "american express",
        "discover", "stripe", "online", "online credit card", "credit", "carte", "carte de credit",
        "carte de debit", "apple pay", "applepay", "google pay", "googlepay", "square", "moneris", "cc",
    ],
    "cheque": ["check", "cheque", "personal check", "paper check"],
    "cash": ["cash", "comptant", "especes", "argent comptant"],
    "bank": [
        "eft", "electronic funds transfer", "ach", "bank transfer", "wire", "wire transfer", "direct debit", "pad",
        "pre authorized debit", "preauthorized debit", "virement", "virement bancaire", "interac", "e transfer",
        "etransfer", "interac e transfer", "bank", "debit", "prelevement",
    ],
    "paypal": ["paypal", "pay pal"],
}  # fmt: skip
METHOD_OF = {alias: method for method, aliases in METHODS.items() for alias in aliases}


def parse_status(text):
    """Return succeeded, refunded, disputed, failed, pending or cancelled for a status cell; blank is succeeded."""
    raw = " ".join((text or "").split())
    if not raw:
        return "succeeded"  # CiviCRM's import takes a gift without a status as completed
    status = STATUS_OF.get(header_key(raw))
    if status is None:
        raise GiftValueError(
            _(
                "Unknown status “%(value)s” (expected Completed, Refunded, Failed, Pending or Cancelled).",
                value=raw,
            )
        )
    return status


def parse_method(text, processor=""):
    """Return card, cheque, cash, bank, paypal or other for a method cell; the processor's when it is blank."""
    key = header_key(" ".join((text or "").split()))
    if key:
        return METHOD_OF.get(key, "other")
    return METHOD_OF.get(header_key(processor or ""), "")

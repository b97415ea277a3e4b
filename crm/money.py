"""Money as integer cents plus a currency; Decimal only at the edges, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def to_cents(value):
    """Return the integer cents of a Decimal, int or numeric string (never a float)."""
    if isinstance(value, float):
        raise MoneyError("floats are not accepted for money")
    if isinstance(value, bool):
        raise MoneyError("not an amount")
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    try:
        return int(amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100)
    except InvalidOperation as exc:  # too many digits to hold in cents, e.g. "1E+1000"
        raise MoneyError(f"not an amount: {value!r}") from exc


def from_cents(cents):
    """Return a Decimal for integer cents."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise MoneyError("cents must be an int")
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(cents, currency="cad", locale="en"):
    """Format cents for people, in the locale's way: $1,234.50 or 1 234,50 $."""
    return format_currency(from_cents(cents), currency.upper(), locale=str(locale))

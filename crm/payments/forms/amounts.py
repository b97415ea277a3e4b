"""Amounts as people type them on our forms: 40, 40.50, $40, and the French 40,50."""

import re

from crm.money import MoneyError, to_cents

# Plain digits with a decimal point or comma: no exponents, no thousands separators.
AMOUNT_RE = re.compile(r"^[0-9]{1,9}([.,][0-9]{1,2})?$")
SPACES_AND_SIGN = str.maketrans("", "", "$ \u00a0\u202f")


def parse_amount(text):
    """Return the cents of a typed amount, or None when it is not one."""
    raw = (text or "").translate(SPACES_AND_SIGN)
    if not AMOUNT_RE.match(raw):
        return None
    try:
        # The comma is the French decimal mark here; to_cents would take it for a thousands separator.
        return to_cents(raw.replace(",", "."))
    except MoneyError:
        return None

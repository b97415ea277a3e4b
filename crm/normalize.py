"""Normalising what people type, so one person is one record."""

import unicodedata


def normalize_email(value):
    """Return the email trimmed, Unicode NFC and case-folded ('' for anything else)."""
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFC", value.strip()).casefold()

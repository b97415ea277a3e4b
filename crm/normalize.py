"""Normalising what people type, so one person is one record."""

import re
import unicodedata


def normalize_email(value):
    """Return the email trimmed, Unicode NFC and case-folded ('' for anything else)."""
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFC", value.strip()).casefold()


def plausible_slug(value):
    """True for what could be a slug in an address; what no slug can be is not looked up at all.

    (PostgreSQL refuses a NUL in a query parameter: an address with one would be a 500, not a 404.)
    """
    return isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable()


def slugify(text, fallback="", length=80):
    """Lower-case ASCII words joined by hyphens, cut at a word to `length`: "Léa's Polar Dip!" -> "lea-s-polar-dip"
    (`fallback` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > length:
        slug = slug[:length].rsplit("-", 1)[0] if "-" in slug[:length] else slug[:length]
    return slug.strip("-") or fallback

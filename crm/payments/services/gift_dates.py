"""Dates and times as other systems write them, read into aware UTC moments.

ISO (2024-11-03, 2024-11-03 14:05:00, 2024-11-03T14:05:00Z), slashes and dashes in either day order
(settled per file by `day_first`), dots (day first), and month names in English and French
("November 3, 2024", "3 novembre 2024"), with an optional time and zone. No zone: the charity's.
"""

import re
from datetime import UTC, date, datetime, timedelta, timezone

from flask_babel import gettext as _

from crm.payments.services.gift_values import GiftValueError
from crm.supporters.models.people import fold

EARLIEST_YEAR = 1900

MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1, "february": 2, "feb": 2, "fevrier": 2, "fevr": 2, "fev": 2,
    "march": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4, "avr": 4, "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6, "july": 7, "jul": 7, "juillet": 7, "juil": 7, "august": 8, "aug": 8,
    "aout": 8, "september": 9, "sep": 9, "sept": 9, "septembre": 9, "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11, "december": 12, "dec": 12, "decembre": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thurs", "friday", "fri",
    "saturday", "sat", "sunday", "sun", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "le",
}  # fmt: skip
# 14:05, 14:05:00.123, 2:05 PM, 14 h 05
_TIME = (
    r"(?P<hour>[0-9]{1,2})(?::|\s?h\s?)(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]{1,6})?)?"
    r"\s*(?P<half>[ap]\.?\s?m\.?)?"
)
_ZONE = r"(?P<zone>z|utc|gmt|[+-][0-9]{2}:?[0-9]{2})"
_REST = rf"(?:(?:[t\s,]+|\s+(?:at|a)\s+){_TIME})?\s*{_ZONE}?"
_ISO = re.compile(rf"(?P<year>[0-9]{{4}})[-/.](?P<month>[0-9]{{1,2}})[-/.](?P<day>[0-9]{{1,2}}){_REST}\Z")
# CiviCRM's import also takes yyyymmdd, and yyyymmddhhmmss.
_COMPACT = re.compile(
    r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})(?:(?P<hour>[0-9]{2})(?P<minute>[0-9]{2})(?P<second>[0-9]{2}))?\Z"
)
_NUMERIC = re.compile(
    rf"(?P<p1>[0-9]{{1,2}})(?P<sep>[-/.])(?P<p2>[0-9]{{1,2}})(?P=sep)(?P<year>[0-9]{{4}}|[0-9]{{2}}){_REST}\Z"
)
_MONTH_FIRST = re.compile(
    rf"(?P<month>[a-z]+)\.?\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>[0-9]{{4}}){_REST}\Z"
)
_DAY_FIRST = re.compile(
    rf"(?P<day>[0-9]{{1,2}})(?:er|st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>[0-9]{{4}}){_REST}\Z"
)
_TIME_ONLY = re.compile(rf"{_TIME}\s*{_ZONE}?\Z")
_AMBIGUOUS = re.compile(r"\s*([0-9]{1,2})[-/]([0-9]{1,2})[-/][0-9]{2,4}\b")


def _fold_date(text):
    """Return a date cell lower-cased, unaccented, its leading weekday ("Sunday,", "le") dropped."""
    words = fold(" ".join(text.split())).split(" ")
    while words and words[0].rstrip(",.") in WEEKDAYS:
        words.pop(0)
    return " ".join(words)


def day_first_evidence(text):
    """Return True for a d/m/y date ("13/11/2024"), False for m/d/y ("11/13/2024"), None when either fits."""
    match = _AMBIGUOUS.match(text or "")
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return True
    if second > 12 >= first:
        return False
    return None


def _year(text, now):
    year = int(text)
    if len(text) == 2:  # "11/03/24": this century unless that is after this year
        year += 2000 if year <= now.year % 100 else 1900
    return year


def _clock(parts, raw):
    if parts.get("hour") is None:
        return 0, 0, 0
    hour, minute, second = int(parts["hour"]), int(parts["minute"]), int(parts.get("second") or 0)
    half = (parts.get("half") or "").replace(".", "").replace(" ", "")
    if half:
        if not 1 <= hour <= 12:
            raise GiftValueError(_("Not a time we can read: “%(value)s”.", value=raw))
        hour = hour % 12 + (12 if half == "pm" else 0)
    return hour, minute, second


def _zone_of(text, default):
    if not text or text in ("z", "utc", "gmt"):
        return UTC if text else default
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _date_parts(folded, day_first, now):
    """Return (year, month, day, the match's groups) or None when no pattern fits."""
    if match := _ISO.match(folded) or _COMPACT.match(folded):
        parts = match.groupdict()
        return int(parts["year"]), int(parts["month"]), int(parts["day"]), parts
    if match := _NUMERIC.match(folded):
        parts = match.groupdict()
        first, second = int(parts["p1"]), int(parts["p2"])
        # Dotted dates (3.11.2024) are day first everywhere they are written.
        day, month = (first, second) if day_first or parts["sep"] == "." else (second, first)
        return _year(parts["year"], now), month, day, parts
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        if (match := pattern.match(folded)) and match.group("month") in MONTHS:
            parts = match.groupdict()
            return int(parts["year"]), MONTHS[parts["month"]], int(parts["day"]), parts
    return None


def _example():
    return _("for example 2024-11-03 or November 3, 2024")


def parse_received(date_text, time_text, *, day_first, zone, now):
    """Return the aware UTC moment a gift was received, from a date cell and an optional time cell.

    A date or time with no zone is in `zone` (the charity's). `day_first` settles 03/11/2024.
    """
    raw = " ".join((date_text or "").split())
    if not raw:
        raise GiftValueError(_("No date."))
    found = _date_parts(_fold_date(raw), day_first, now)
    if found is None:
        raise GiftValueError(_("Not a date we can read: “%(value)s” (%(example)s).", value=raw, example=_example()))
    year, month, day, parts = found
    raw_time = " ".join((time_text or "").split())
    if raw_time:
        match = _TIME_ONLY.match(raw_time.lower())
        if not match:
            raise GiftValueError(_("Not a time we can read: “%(value)s”.", value=raw_time))
        parts = match.groupdict()
    try:
        date(year, month, day)
    except ValueError as error:
        raise GiftValueError(
            _("Not a date we can read: “%(value)s” (%(example)s).", value=raw, example=_example())
        ) from error
    hour, minute, second = _clock(parts, raw_time or raw)
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=_zone_of(parts.get("zone"), zone))
    except ValueError as error:
        raise GiftValueError(_("Not a time we can read: “%(value)s”.", value=raw_time or raw)) from error
    if year < EARLIEST_YEAR:
        raise GiftValueError(_("The date “%(value)s” is before %(year)d.", value=raw, year=EARLIEST_YEAR))
    received = local.astimezone(UTC)
    if received > now:
        raise GiftValueError(_("The date “%(value)s” is in the future.", value=raw))
    return received

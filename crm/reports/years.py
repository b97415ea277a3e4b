"""Which year a gift belongs to: the charity's fiscal year (FISCAL_YEAR_START) in its own time zone.

A fiscal year is named by the calendar year it ends in: with FISCAL_YEAR_START=04-01, fiscal year
2025 runs from 2024-04-01 to 2025-03-31 (local time). With 01-01 it is the calendar year.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

CALENDAR = "01-01"


class YearError(ValueError):
    """A fiscal year start that is not a day of the year (MM-DD)."""


@dataclass(frozen=True)
class YearRule:
    """How moments become years: the first day (month, day) of a year and the time zone."""

    month: int = 1
    day: int = 1
    zone: str = "America/Toronto"

    @classmethod
    def parse(cls, start, zone):
        """Read FISCAL_YEAR_START (MM-DD) and the charity's time zone."""
        try:
            month, day = (int(part) for part in (start or CALENDAR).split("-"))
            date(2001, month, day)  # not a leap year: 02-29 would start some years only
        except ValueError as error:
            raise YearError(f"FISCAL_YEAR_START must be MM-DD, such as 04-01, not {start!r}") from error
        ZoneInfo(zone)
        return cls(month, day, zone)

    @property
    def is_calendar(self):
        return (self.month, self.day) == (1, 1)

    def first_day(self, year):
        """The local date the fiscal year `year` starts on."""
        return date(year - (0 if self.is_calendar else 1), self.month, self.day)

    def bounds(self, year):
        """The year's [start, end) as aware UTC datetimes."""
        zone = ZoneInfo(self.zone)
        start = datetime.combine(self.first_day(year), time(), zone)
        end = datetime.combine(self.first_day(year + 1), time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def year_of(self, moment):
        """The fiscal year of one aware datetime."""
        local = moment.astimezone(ZoneInfo(self.zone))
        starts_this_calendar_year = (local.month, local.day) >= (self.month, self.day)
        started_in = local.year if starts_this_calendar_year else local.year - 1
        return started_in + (0 if self.is_calendar else 1)

    def years_of(self, moments):
        """The fiscal years (int64) of a Series of aware UTC datetimes."""
        local = moments.dt.tz_convert(self.zone)
        month, day = local.dt.month.astype("int64"), local.dt.day.astype("int64")
        on_or_after = (month > self.month) | ((month == self.month) & (day >= self.day))
        started_in = local.dt.year.astype("int64") - (~on_or_after).astype("int64")
        return (started_in + (0 if self.is_calendar else 1)).astype("int64")


def rule_from_config(config, calendar=False):
    """The YearRule of an app's config (FISCAL_YEAR_START, RECEIPT_TIMEZONE); calendar years if asked."""
    start = CALENDAR if calendar else config.get("FISCAL_YEAR_START", CALENDAR)
    return YearRule.parse(start, config.get("RECEIPT_TIMEZONE", "America/Toronto"))


def utc_series(values):
    """Aware datetimes, or UTC wall times as SQLite stores them, as datetime64[us, UTC].

    pandas 3 infers the unit from the data otherwise (seconds for whole-second text).
    """
    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601").astype("datetime64[us, UTC]")

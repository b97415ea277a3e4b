"""Fundraising services: plain functions that add and flush, never commit."""

from crm.errors import UserError


class FundraisingError(UserError):
    """An expected problem (a taken address, a closed campaign...); `str(error)` is safe to show."""

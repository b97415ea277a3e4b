"""Payments services: plain functions that add and flush, never commit."""

from crm.supporters.services import SupporterError


class DonationError(SupporterError):
    """An expected problem with a gift; `str(error)` is safe to show to the donor."""


class DonationDeclined(DonationError):
    """The card was declined: the Donation is kept, marked failed (the caller commits it)."""

    def __init__(self, message, donation):
        super().__init__(message)
        self.donation = donation

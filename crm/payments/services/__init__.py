"""Payments services: plain functions that add and flush, never commit."""

from dataclasses import dataclass, field

from crm.errors import UserError


class DonationError(UserError):
    """An expected problem with a gift; `str(error)` is safe to show to the donor."""


class DonationDeclined(DonationError):
    """The card was declined: the Donation is kept, marked failed (the caller commits it)."""

    def __init__(self, message, donation):
        super().__init__(message)
        self.donation = donation


@dataclass
class GiftRequest:
    """What the donation form gave: amounts in cents (checked again here), the donor, the card token."""

    email: str
    gift_cents: int
    cover_fee: bool
    card_token: str
    kind: str = "one_time"  # or "monthly": a Subscription instead of a PaymentIntent
    donor: dict = field(default_factory=dict)
    gift: dict = field(default_factory=dict)
    attribution: dict = field(default_factory=dict)
    # A one-time payment that is not (only) a gift, such as a catalog order: what the giver receives
    # (the receipt's advantage), the part that buys something and is never receipted, the lowest
    # amount allowed (None: DONATION_MIN_CENTS), and what to note on the PaymentIntent.
    advantage_cents: int = 0
    advantage_description: str = ""
    non_receiptable_cents: int = 0
    minimum_cents: int | None = None
    metadata: dict = field(default_factory=dict)
    # Who emails the giver once it is paid (see THANKED_BY): "catalog" for an order's confirmation.
    thanked_by: str = "payments"


@dataclass
class GiftStarted:
    donation: object  # the Donation (of the first invoice, for a monthly gift)
    status: str  # the PaymentIntent's: "succeeded", "requires_action", "processing", ...
    client_secret: str = ""

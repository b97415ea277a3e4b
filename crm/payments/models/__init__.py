"""The payments feature's tables."""

from crm.payments.models.donations import (
    DONATION_KINDS,
    DONATION_METHODS,
    DONATION_STATUSES,
    PLAN_STATUSES,
    Donation,
    RecurringGift,
    Refund,
    StripeEvent,
)
from crm.payments.models.receipts import Receipt, ReceiptCounter, receipt_donations

__all__ = [
    "DONATION_KINDS",
    "DONATION_METHODS",
    "DONATION_STATUSES",
    "PLAN_STATUSES",
    "Donation",
    "Receipt",
    "ReceiptCounter",
    "RecurringGift",
    "Refund",
    "StripeEvent",
    "receipt_donations",
]

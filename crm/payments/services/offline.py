"""Gifts received by cheque or cash, entered by staff, then completed like any other gift."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l

from crm.audit import record_audit
from crm.extensions import db
from crm.payments.models import Donation
from crm.payments.services import DonationError
from crm.payments.services.gifts import complete_gift
from crm.payments.services.receipts import local_date
from crm.supporters.services.intake import find_or_create_supporter
from crm.utc import utcnow

OFFLINE_METHODS = ("cheque", "cash")
# Below 2**31 cents (the column is a 32-bit integer), with room to spare.
OFFLINE_MAX_CENTS = 1_000_000_000


@dataclass
class OfflineGift:
    """A cheque or cash gift as staff typed it; amounts in cents."""

    email: str
    amount_cents: int
    received_on: date
    method: str = "cheque"
    reference: str = ""
    designation: str = ""
    # first_name, last_name, address_line1, city, region, postal_code, country, language
    donor: dict = field(default_factory=dict)
    # False: the donor asked for no tax receipt (cash in a fundraiser's jar), so none is issued.
    receipt: bool = True


def record_offline_gift(gift, actor, currency, ip_address="", now=None):
    """Store a received cheque or cash gift as a succeeded Donation and complete it (receipt, thanks).

    Raise DonationError for an amount, date or method that cannot be right (nothing stored).
    """
    now = now or utcnow()
    if gift.method not in OFFLINE_METHODS:
        raise DonationError(_l("Choose cheque or cash."))
    if not isinstance(gift.amount_cents, int) or not 0 < gift.amount_cents <= OFFLINE_MAX_CENTS:
        raise DonationError(_l("Enter an amount between 0.01 and 10,000,000."))
    if gift.received_on > local_date(now) or gift.received_on < date(2000, 1, 1):
        raise DonationError(_l("Enter the date the gift was received: not in the future."))
    donor = dict(gift.donor or {})
    supporter, _created, _conflicts = find_or_create_supporter(gift.email, source="offline", now=now, **donor)
    # Noon UTC keeps the calendar day in every Canadian time zone; never later than now.
    received_at = min(datetime.combine(gift.received_on, time(12), UTC), now)
    donation = Donation(
        supporter_id=supporter.id,
        amount_cents=gift.amount_cents,
        fee_cents=0,
        non_receiptable_cents=0 if gift.receipt else gift.amount_cents,
        currency=currency,
        status="succeeded",
        kind="one_time",
        method=gift.method,
        designation=gift.designation,
        email=supporter.email or gift.email,
        entered_by_id=getattr(actor, "id", None),
        offline_reference=gift.reference,
        source="offline",
        created_at=received_at,
        succeeded_at=received_at,
        **donor,
    )
    db.session.add(donation)
    db.session.flush()
    record_audit(
        actor,
        "offline_gift",
        "donation",
        donation.id,
        {"amount_cents": donation.amount_cents, "method": donation.method, "reference": donation.offline_reference},
        ip_address,
        now,
    )
    # Completed now: the receipt's date of issue is today; its date received comes from succeeded_at.
    complete_gift(donation, now)
    db.session.flush()
    return donation

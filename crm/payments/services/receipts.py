"""Official donation receipts: serials without gaps, frozen PDFs, cancel-and-replace."""

import hashlib
import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, update

from crm.extensions import db
from crm.i18n import money_in
from crm.payments.models import Donation, Receipt, ReceiptCounter, receipt_donations
from crm.payments.receipt_pdf import build_receipt_pdf
from crm.payments.services.receipt_notices import queue_receipt_notice
from crm.utc import utcnow

# Gifts that hold money the charity keeps (a fully refunded, failed or pending gift does not).
RECEIPTABLE_STATUSES = ("succeeded", "partially_refunded")
# What every receipt must name: the charity, its address and number, where it was issued, who signed.
RECEIPT_SETTINGS = (
    "CHARITY_NAME",
    "CHARITY_ADDRESS",
    "CHARITY_REGISTRATION_NUMBER",
    "RECEIPT_LOCATION",
    "RECEIPT_SIGNATORY",
)


class ReceiptError(Exception):
    """A receipt cannot be issued or changed; `str(error)` is safe to show to staff."""


def receipt_zone():
    """Return the time zone in which gift and issue dates are counted (the charity's)."""
    return ZoneInfo(current_app.config["RECEIPT_TIMEZONE"])


def local_date(moment):
    """Return the charity's calendar date of an aware UTC time."""
    return moment.astimezone(receipt_zone()).date()


def received_date(donation):
    """Return the day the money of this gift came in, in the charity's calendar."""
    return local_date(donation.succeeded_at or donation.created_at)


def waits_for_annual(donation):
    """Return True when this monthly gift is receipted once a year instead of on its own."""
    return donation.kind == "monthly" and current_app.config["RECEIPT_ANNUAL_FOR_MONTHLY"]


def lock_counter(year):
    """Create the year's counter if it is missing and lock it until the caller's transaction ends."""
    counters = ReceiptCounter.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(counters).values(year=year, last_number=0).on_conflict_do_nothing(index_elements=["year"])
    )
    # SQLite has no FOR UPDATE: the insert above already took its one write lock.
    db.session.execute(db.select(counters.c.last_number).where(counters.c.year == year).with_for_update())


def allocate_serial(year):
    """Return the next number of the year from its counter, in the caller's transaction.

    The counter row stays locked until the caller commits, so concurrent issuers wait in turn
    and a rollback gives the number back: no duplicates and no gaps.
    """
    lock_counter(year)
    counters = ReceiptCounter.__table__
    return db.session.execute(
        update(counters)
        .where(counters.c.year == year)
        .values(last_number=counters.c.last_number + 1)
        .returning(counters.c.last_number)
    ).scalar_one()


def format_serial(year, number):
    return f"{year}-{number:06d}"


def _charity():
    config = current_app.config
    return {
        "name": config["CHARITY_NAME"],
        "address": config["CHARITY_ADDRESS"],
        "registration": config["CHARITY_REGISTRATION_NUMBER"],
        "location": config["RECEIPT_LOCATION"],
        "signatory": config["RECEIPT_SIGNATORY"],
    }


def _check_settings():
    """Refuse to issue a receipt that would lack an element CRA requires (no serial is spent)."""
    missing = [name for name in RECEIPT_SETTINGS if not str(current_app.config.get(name) or "").strip()]
    if missing:
        raise ReceiptError(
            _("Receipts cannot be issued until these settings are filled in: %(names)s.", names=", ".join(missing))
        )


def _one_line(value):
    # Control characters (tabs, NUL, line breaks typed into a field) print as nothing useful.
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value or "").split())


def _donor_address(donor):
    region_line = " ".join(_one_line(part) for part in (donor.city, donor.region, donor.postal_code) if part)
    lines = [_one_line(donor.address_line1), _one_line(getattr(donor, "address_line2", "")), region_line]
    if donor.country and donor.country != "CA" and any(lines):
        lines.append(donor.country)
    return "\n".join(line for line in lines if line)


def _donor(donation):
    """Return (name, address) of the person who paid, as on the gift, else as on their record."""
    name, address = donation.donor_name, _donor_address(donation)
    supporter = donation.supporter
    if supporter is not None:
        name = name or " ".join(part for part in (supporter.first_name, supporter.last_name) if part)
        address = address or _donor_address(supporter)
    return _one_line(name)[:250], address


def _covering(donation_ids):
    """Return the issued receipts that cover any of these gifts."""
    covered = db.select(receipt_donations.c.receipt_id).where(receipt_donations.c.donation_id.in_(donation_ids))
    return db.session.scalars(
        db.select(Receipt).where(Receipt.id.in_(covered), Receipt.status == "issued").order_by(Receipt.id)
    ).all()


def issue_receipt(donations, now=None, replaces=None, kind="single"):
    """Issue one receipt for these succeeded gifts (one donor) and return it, or None where none is due.

    None when the gifts are not receiptable: advantage over 80%, nothing eligible left, or (by
    configuration) a monthly gift that waits for the annual receipt. Allocates the next serial of
    the year in the caller's transaction, renders and stores the frozen PDF. Flushes, never commits.
    """
    now = now or utcnow()
    donations = sorted({d.id: d for d in donations}.values(), key=lambda d: d.id)
    if len({d.supporter_id for d in donations}) > 1:
        raise ReceiptError(_("A receipt covers the gifts of one donor only."))
    if len({d.currency for d in donations}) > 1:
        raise ReceiptError(_("A receipt covers gifts in one currency only."))
    donations = [d for d in donations if d.status in RECEIPTABLE_STATUSES and d.receiptable_cents > 0]
    if not donations:
        return None
    if kind == "single" and replaces is None and any(waits_for_annual(d) for d in donations):
        return None
    amount = sum(d.receiptable_cents for d in donations)
    advantage = sum(d.advantage_cents for d in donations)
    # CRA: no receipt when the advantage is more than 80% of the gift.
    if amount <= 0 or advantage * 5 > amount * 4 or amount - advantage <= 0:
        return None

    _check_settings()
    issued_on = local_date(now)
    # Lock the counter before looking for an existing receipt, so two issuers of the same gifts
    # (say, two runs of the annual command) take turns and the second sees the first's receipt.
    lock_counter(issued_on.year)
    covering = [r for r in _covering([d.id for d in donations]) if r is not replaces]
    if covering:
        if (
            replaces is None
            and len(covering) == 1
            and {d.id for d in covering[0].donations} >= {d.id for d in donations}
        ):
            return covering[0]  # already receipted: asking again is harmless
        raise ReceiptError(_("These gifts already have a receipt: cancel or replace it instead."))

    dates = [received_date(d) for d in donations]
    last = donations[-1]
    donor_name, donor_address = _donor(last)
    number = allocate_serial(issued_on.year)
    receipt = Receipt(
        serial=format_serial(issued_on.year, number),
        year=issued_on.year,
        number=number,
        kind=kind,
        status="issued",
        supporter_id=last.supporter_id,
        replaces=replaces,
        amount_cents=amount,
        advantage_cents=advantage,
        advantage_description="; ".join(d.advantage_description for d in donations if d.advantage_description)[:300],
        eligible_cents=amount - advantage,
        currency=last.currency,
        received_on=min(dates),
        received_until=max(dates) if kind == "annual" else None,
        donor_name=donor_name,
        donor_address=donor_address,
        language="fr" if last.language == "fr" else "en",
        issued_at=now,
        donations=donations,
    )
    receipt.pdf = build_receipt_pdf(receipt, _charity(), current_app.config["MONEY_TERRITORY"], receipt_zone())
    receipt.pdf_sha256 = hashlib.sha256(receipt.pdf).hexdigest()
    db.session.add(receipt)
    db.session.flush()
    return receipt


def current_receipt(donation):
    """Return the issued (not cancelled) receipt that covers this gift, or None."""
    if donation.id is None:
        return None
    return next(iter(_covering([donation.id])), None)


def cancel_receipt(receipt, reason, now=None):
    """Mark the receipt cancelled (kept, never deleted); return it."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ReceiptError(_("Give the reason for cancelling the receipt."))
    if receipt.status != "issued":
        raise ReceiptError(_("Receipt %(serial)s is already cancelled.", serial=receipt.serial))
    # Conditional, so two staff members cancelling at once cancel it once.
    changed = db.session.execute(
        update(Receipt)
        .where(Receipt.id == receipt.id, Receipt.status == "issued")
        .values(status="cancelled", cancelled_at=now or utcnow(), cancel_reason=reason[:500])
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(receipt)
    if changed != 1:
        raise ReceiptError(_("Receipt %(serial)s is already cancelled.", serial=receipt.serial))
    return receipt


def replace_receipt(receipt, reason, now=None):
    """Cancel the receipt and issue a new one for its gifts as they are now, citing the old serial.

    Return the new Receipt, or None when nothing is left to receipt (a full refund).
    """
    now = now or utcnow()
    cancel_receipt(receipt, reason, now=now)
    return issue_receipt(list(receipt.donations), now=now, replaces=receipt, kind=receipt.kind)


def reissue_receipt(receipt, reason, now=None):
    """Replace the receipt (staff's "cancel and reissue") and email the donor the new one; return it."""
    new = replace_receipt(receipt, reason, now=now)
    queue_receipt_notice(receipt, new)
    return new


def adjust_after_refund(donation, now=None):
    """After a refund of this gift: cancel its receipt, replace it for what is left, and tell the donor.

    The donor gets one email: the replacement (or, after a full refund, that the receipt is cancelled).
    """
    receipt = current_receipt(donation)
    if receipt is None:
        return None
    refunded = money_in(donation.refunded_cents, donation.currency, receipt.language)
    reason = _("Refund of %(amount)s on gift %(id)s", amount=refunded, id=donation.id)
    # replace_receipt leaves out what was refunded and issues nothing when nothing is left.
    new = replace_receipt(receipt, reason, now=now)
    queue_receipt_notice(receipt, new, refunded=donation)
    return new


def issue_annual_receipts(year, now=None, each=None):
    """Issue one consolidated receipt per monthly donor for the year's unreceipted gifts; return them.

    `each(receipt)` runs after every receipt: the command commits there, so that the serial
    counter is not held for the whole run while gifts on the site wait for their receipts.
    """
    zone = receipt_zone()
    start, end = (datetime.combine(date(y, 1, 1), time(), tzinfo=zone).astimezone(UTC) for y in (year, year + 1))
    covered = exists().where(
        receipt_donations.c.donation_id == Donation.id,
        receipt_donations.c.receipt_id == Receipt.id,
        Receipt.status == "issued",
    )
    received = db.func.coalesce(Donation.succeeded_at, Donation.created_at)
    gifts = db.session.scalars(
        db.select(Donation)
        .where(
            Donation.kind == "monthly",
            Donation.status.in_(RECEIPTABLE_STATUSES),
            received >= start,
            received < end,
            ~covered,
        )
        .order_by(Donation.supporter_id, Donation.currency, Donation.id)
    ).all()
    by_donor = {}
    for gift in gifts:
        by_donor.setdefault((gift.supporter_id, gift.currency), []).append(gift)
    receipts = []
    for donor_gifts in by_donor.values():
        receipt = issue_receipt(donor_gifts, now=now, kind="annual")
        if receipt is not None:
            receipts.append(receipt)
            if each is not None:
                each(receipt)
    return receipts

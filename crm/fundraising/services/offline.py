"""Cash and cheques a fundraiser collected: reported on their page, counted only once staff verify.

Verifying makes the gift through payments (record_offline_gift: the donor's gift, receipted like
any other when they asked for a receipt) and credits it to the page; rejecting tells the fundraiser why.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.audit import record_audit
from crm.extensions import db
from crm.fundraising.models import OfflineGiftReport
from crm.fundraising.models.offline import OFFLINE_METHODS
from crm.fundraising.services import FundraisingError
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.signals import page_decided
from crm.i18n import money_in
from crm.payments.services.offline import OFFLINE_MAX_CENTS, OfflineGift, record_offline_gift
from crm.payments.services.receipts import local_date
from crm.utc import utcnow

MAX_REASON = 500
RECEIPT_FIELDS = ("first_name", "last_name", "address_line1", "city", "region", "postal_code")


class OfflineError(FundraisingError):
    """A report that cannot be right, or a decision already taken; `field` names the form field."""

    def __init__(self, message, field=None, status=400):
        super().__init__(message)
        self.field, self.status = field, status


@dataclass
class ReportFields:
    """A gift as the fundraiser typed it; amounts in cents."""

    amount_cents: int
    received_on: date
    method: str = "cash"
    reference: str = ""
    wants_receipt: bool = False
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    address_line1: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""


def report_offline_gift(page, fields, user, now=None):
    """Add the fundraiser's report of a cash or cheque gift to their page (it counts once verified)."""
    now = now or utcnow()
    if not page.owned_by(user):
        raise OfflineError(_l("This is not your page."), status=404)
    if page.status not in ("live", "closed"):
        raise OfflineError(_l("Report gifts once your page is live."), status=409)
    if fields.method not in OFFLINE_METHODS:
        raise OfflineError(_l("Choose cash or cheque."), "method")
    if not 0 < fields.amount_cents <= OFFLINE_MAX_CENTS:
        raise OfflineError(_l("Enter an amount between 0.01 and 10,000,000."), "amount")
    if not date(2000, 1, 1) <= fields.received_on <= local_date(now):
        raise OfflineError(_l("Enter the date the gift was received: not in the future."), "received_on")
    if fields.wants_receipt:
        for name in RECEIPT_FIELDS:
            if not getattr(fields, name).strip():
                raise OfflineError(_l("A tax receipt needs the donor's name and full address."), name)
    report = OfflineGiftReport(
        page_id=page.id,
        reported_by_id=user.id,
        currency=page.currency,
        created_at=now,
        language=page.language,
        **vars(fields),
    )
    db.session.add(report)
    db.session.flush()
    return report


def reports_of(page):
    """The page's reports, newest first (for its fundraiser)."""
    query = select(OfflineGiftReport).filter_by(page_id=page.id).order_by(OfflineGiftReport.id.desc())
    return db.session.scalars(query).all()


def offline_queue():
    """Reports waiting for staff, oldest first."""
    query = select(OfflineGiftReport).filter_by(status="reported").order_by(OfflineGiftReport.id)
    return db.session.scalars(query).all()


def _waiting(report_id):
    report = db.session.get(OfflineGiftReport, report_id, with_for_update=True)
    if report is None:
        raise OfflineError(_l("There is no such report."), status=404)
    if report.status != "reported":
        raise OfflineError(_l("This report was already decided."), status=409)
    return report


def verify_report(report_id, actor, ip_address="", now=None):
    """Staff saw the money: make the donor's gift through payments, credit it to the page; return the gift."""
    now = now or utcnow()
    report = _waiting(report_id)
    donor = {name: getattr(report, name) for name in (*RECEIPT_FIELDS, "language")}
    gift = OfflineGift(
        email=report.email,
        amount_cents=report.amount_cents,
        received_on=report.received_on,
        method=report.method,
        reference=report.reference,
        donor=donor,
        receipt=report.wants_receipt,
    )
    donation = record_offline_gift(gift, actor, report.currency, ip_address, now)
    credit_gift(donation, report.page.campaign, report.page, now=now)
    report.verify(donation, actor, now)
    record_audit(actor, "offline_report_verified", "fundraising_offline_gift", report.id, {}, ip_address, now)
    return donation


def reject_report(report_id, reason, actor, ip_address="", now=None):
    """Staff did not receive the money (or it is not a gift): the fundraiser is told why."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not reason:
        raise OfflineError(_l("Say why: the fundraiser is told."), "reason")
    if len(reason) > MAX_REASON:
        raise OfflineError(_l("Use at most %(max)d characters.", max=MAX_REASON), "reason")
    report = _waiting(report_id)
    report.reject(reason, actor, now)
    changes = {"reason": reason}
    record_audit(actor, "offline_report_rejected", "fundraising_offline_gift", report.id, changes, ip_address, now)
    page = report.page
    amount = money_in(report.amount_cents, report.currency, page.language)
    page_decided.send(page=page, decision="offline_rejected", reason=reason, amount=amount, now=now)
    return report

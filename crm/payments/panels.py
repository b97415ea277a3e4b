"""The payments panel of a supporter's staff profile: gifts, monthly plans, receipts."""

from dataclasses import dataclass

from sqlalchemy import func, select

from crm.extensions import db
from crm.payments.models import Donation, Receipt, RecurringGift
from crm.payments.services.receipt_links import receipt_download_url
from crm.supporters.panels import register_profile_panel


@dataclass
class GiftsPanel:
    """The payments panel of a supporter's profile."""

    donations: list
    total_count: int
    plans: list
    receipts: list  # [(Receipt, download URL)]


def supporter_gifts(supporter, limit=20):
    """Return the GiftsPanel of a supporter: recent gifts, monthly plans, receipts."""
    donations = db.session.scalars(
        select(Donation)
        .where(Donation.supporter_id == supporter.id)
        .order_by(Donation.created_at.desc(), Donation.id.desc())
        .limit(limit)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(Donation).where(Donation.supporter_id == supporter.id))
    plans = db.session.scalars(
        select(RecurringGift).where(RecurringGift.supporter_id == supporter.id).order_by(RecurringGift.id.desc())
    ).all()
    receipts = db.session.scalars(
        select(Receipt).where(Receipt.supporter_id == supporter.id).order_by(Receipt.id.desc())
    ).all()
    links = [(receipt, receipt_download_url(receipt, external=False)) for receipt in receipts]
    return GiftsPanel(donations, total, plans, links)


def gifts_panel(supporter):
    """Return the template and context of the gifts panel."""
    return "payments/staff/_profile_panel.html", supporter_gifts(supporter)


def connect():
    """Show the gifts panel on supporter profiles."""
    register_profile_panel(gifts_panel)

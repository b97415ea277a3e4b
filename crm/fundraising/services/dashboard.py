"""A fundraiser's dashboard: their pages with what each raised, and each page's donors (as a list and a CSV).

Donors are shown by the donor wall's rules: a name only as the donor chose to show it, an email
address only where the donor let the fundraiser contact them.
"""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from crm.audit import record_audit
from crm.exports import BOM, safe_cell
from crm.extensions import db
from crm.fundraising.models import FundraiserPage
from crm.fundraising.services.public import wall
from crm.fundraising.services.totals import page_totals, progress
from crm.money import from_cents
from crm.payments.services.receipts import local_date


@dataclass
class PageRow:
    page: FundraiserPage
    raised_cents: int
    percent: int


def my_pages(user):
    """The user's pages, newest first, each with what it raised and its progress."""
    pages = db.session.scalars(
        select(FundraiserPage)
        .where(FundraiserPage.user_id == user.id)
        .order_by(FundraiserPage.created_at.desc(), FundraiserPage.id.desc())
    ).all()
    raised = page_totals([page.id for page in pages])
    return [PageRow(page, raised.get(page.id, 0), progress(raised.get(page.id, 0), page.goal_cents)) for page in pages]


def donors(page, number=1):
    """One page of the page's donors as each chose to show themselves (the donor wall's rules); (entries, more).

    For the fundraiser: with the email address of each donor who let them make contact.
    """
    return wall(page, number, emails=True)


def every_donor(page):
    """Yield every donor entry of the page, newest first, by the wall's rules (a name, an email only where chosen)."""
    number, more = 1, True
    while more:
        entries, more = wall(page, number, emails=True)
        yield from entries
        number += 1


DONOR_COLUMNS = ("name", "amount", "currency", "date", "message", "email")


def donors_csv(page, anonymous, hidden):
    """Yield the CSV of the page's donors: the wall's names ("Anonymous" as `anonymous`), amounts, dates, messages.

    An email address only where the donor let the fundraiser contact them (else empty); never a
    real name the donor did not choose to show.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DONOR_COLUMNS)
    yield BOM + buffer.getvalue()
    for entry in every_donor(page):
        buffer.seek(0)
        buffer.truncate()
        amount = hidden if entry.amount_cents is None else from_cents(entry.amount_cents)
        given = local_date(entry.given_at).isoformat() if entry.given_at else ""
        row = (entry.name or anonymous, amount, entry.currency.upper(), given, entry.message or "", entry.email)
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def record_donor_export(page, actor, ip_address="", now=None):
    """Audit a download of a page's donors (by its fundraiser or by staff)."""
    return record_audit(actor, "export", "fundraiser_page_donors", page.id, {}, ip_address, now)

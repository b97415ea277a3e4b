"""The fundraising panel of a supporter's staff profile: their pages (with totals, teams) and soft credits."""

from dataclasses import dataclass

from sqlalchemy import select

from crm.extensions import db
from crm.fundraising.models import FundraiserPage
from crm.fundraising.services.totals import page_totals
from crm.supporters.panels import register_profile_panel


@dataclass
class PagesPanel:
    pages: list  # [(FundraiserPage, cents raised)]
    soft_credit_cents: int  # what their pages raised from other people's gifts (never their own giving)
    currency: str


def supporter_pages(supporter):
    pages = db.session.scalars(
        select(FundraiserPage).where(FundraiserPage.supporter_id == supporter.id).order_by(FundraiserPage.id.desc())
    ).all()
    raised = page_totals([page.id for page in pages])
    rows = [(page, raised.get(page.id, 0)) for page in pages]
    currency = pages[0].currency if pages else "cad"
    return PagesPanel(rows, sum(cents for _, cents in rows), currency)


def pages_panel(supporter):
    """The template and context of the panel; nothing at all for someone who never had a page."""
    panel = supporter_pages(supporter)
    return ("fundraising/staff/_profile_panel.html", panel) if panel.pages else None


def connect():
    register_profile_panel(pages_panel)

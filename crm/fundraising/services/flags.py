"""Visitors' reports of a page ("report this page"): staff look at each in their queue."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.extensions import db
from crm.fundraising.models import PageFlag
from crm.fundraising.services import FundraisingError
from crm.utc import utcnow

FLAG_REASONS = {
    "misleading": _l("It is misleading or not for this charity"),
    "inappropriate": _l("It is offensive or inappropriate"),
    "privacy": _l("It shows a child or private information"),
    "scam": _l("It looks like a scam"),
    "other": _l("Something else"),
}
MAX_DETAILS = 2000
OPEN_PER_PAGE = 50  # a page drowned in reports already has staff's attention


def flag_page(page, reason, details="", now=None):
    """Add a visitor's report of a public page for staff; return it."""
    if reason not in FLAG_REASONS:
        raise FundraisingError(_l("Choose what is wrong."))
    waiting = select(func.count(PageFlag.id)).where(PageFlag.page_id == page.id, PageFlag.status == "open")
    if db.session.scalar(waiting) >= OPEN_PER_PAGE:
        return None
    flag = PageFlag(page_id=page.id, reason=reason, details=(details or "")[:MAX_DETAILS], created_at=now or utcnow())
    db.session.add(flag)
    db.session.flush()
    return flag

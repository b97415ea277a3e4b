"""Figures for the staff dashboard."""

from sqlalchemy import func

from crm.accounts.models import ROLE_LABELS, ROLES, User
from crm.extensions import db
from crm.supporters.models import Supporter


def dashboard_figures(recent=10):
    """Return counts of supporters and accounts, and the newest supporters."""
    accounts = dict(db.session.execute(db.select(User.role, func.count()).group_by(User.role)).all())
    return {
        "supporter_count": db.session.scalar(db.select(func.count()).select_from(Supporter)),
        "accounts_by_role": [(ROLE_LABELS[role], accounts.get(role, 0)) for role in ROLES],
        "recent_supporters": db.session.scalars(
            db.select(Supporter).order_by(Supporter.created_at.desc(), Supporter.id.desc()).limit(recent)
        ).all(),
    }

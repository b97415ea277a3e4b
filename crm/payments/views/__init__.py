"""The payments blueprint: its views live in the modules imported below, one per screen family."""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from crm.payments.views import donate, manage, receipts, staff, webhook  # noqa: E402,F401  (they add their routes to bp)

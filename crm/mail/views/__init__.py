"""The mail blueprint: one-click unsubscribe for everyone, and the staff screens under /staff."""

from flask import Blueprint

bp = Blueprint("mail", __name__)

from crm.mail.views import public, staff  # noqa: E402,F401  (they add their routes to bp)

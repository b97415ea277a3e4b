"""The catalog blueprint: its views live in the modules imported below, one per screen family."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from crm.catalog.views import checkout, orders, public, staff  # noqa: E402,F401  (they add their routes to bp)

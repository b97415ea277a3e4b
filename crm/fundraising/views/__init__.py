"""The fundraising blueprint: its views live in the modules imported below, one per screen family."""

from flask import Blueprint

bp = Blueprint("fundraising", __name__)

from crm.fundraising.views import fundraiser, give, offline, public, report, staff, teams, tools  # noqa: E402,F401  (they add their routes to bp)

"""Staff import and export of supporters (CSV)."""

from flask import Blueprint

bp = Blueprint("transfer", __name__, url_prefix="/staff/supporters")

"""Staff screens for supporter records: list, profile, edits, tags, notes."""

from flask import Blueprint

bp = Blueprint("supporters", __name__, url_prefix="/staff/supporters")

"""Staff duplicate detection and merge, privacy export and erasure."""

from flask import Blueprint

bp = Blueprint("records", __name__, url_prefix="/staff/supporters")

"""The staff inquiry queue."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__, url_prefix="/staff/inquiries")

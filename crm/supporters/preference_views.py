"""The preference centre: a signed link, no login."""

from flask import Blueprint

bp = Blueprint("preferences", __name__, url_prefix="/preferences")

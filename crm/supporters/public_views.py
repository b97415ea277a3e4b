"""Public supporter forms: newsletter, fundraiser interest, media and events inquiries, the guide."""

from flask import Blueprint

bp = Blueprint("public", __name__)

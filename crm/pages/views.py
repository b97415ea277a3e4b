"""Public pages."""

from flask import Blueprint, render_template

from crm.accounts.access import public

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def home():
    return render_template("pages/home.html")

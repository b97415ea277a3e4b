"""The staff back office."""

from flask import Blueprint, render_template

from crm.accounts.access import staff_required
from crm.admin.services import dashboard_figures

bp = Blueprint("admin", __name__, url_prefix="/staff")


@bp.get("/")
@staff_required
def dashboard():
    return render_template("admin/dashboard.html", **dashboard_figures())

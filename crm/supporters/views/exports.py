"""Staff export of the supporter list (CSV), with the list's filters."""

from flask import request
from flask_login import current_user

from crm.accounts.access import staff_required
from crm.downloads import csv_export
from crm.exports import audit_export
from crm.extensions import db
from crm.supporters.services.exports import export_supporters_csv
from crm.supporters.services.search import SupporterFilter
from crm.supporters.views import bp


@bp.get("/staff/supporters/export.csv")
@staff_required
def export():
    # PostgreSQL refuses NUL in text; a NUL in the query string cannot match anything anyway.
    criteria = SupporterFilter.from_args({key: value.replace("\x00", "") for key, value in request.args.items()})
    audit_export(current_user, "supporter", criteria, request.remote_addr)
    db.session.commit()
    return csv_export(export_supporters_csv(criteria), "supporters")

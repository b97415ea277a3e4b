"""Staff export of the supporter list (CSV), with the list's filters."""

from flask import request, stream_with_context
from flask_login import current_user

from crm.accounts.access import staff_required
from crm.downloads import csv_response
from crm.extensions import db
from crm.supporters.services.exports import audit_export, export_supporters_csv
from crm.supporters.services.search import SupporterFilter
from crm.supporters.views import bp
from crm.utc import utcnow


@bp.get("/staff/supporters/export.csv")
@staff_required
def export():
    # PostgreSQL refuses NUL in text; a NUL in the query string cannot match anything anyway.
    criteria = SupporterFilter.from_args({key: value.replace("\x00", "") for key, value in request.args.items()})
    audit_export(current_user, criteria, request.remote_addr)
    db.session.commit()
    chunks = stream_with_context(export_supporters_csv(criteria))
    return csv_response(chunks, f"supporters-{utcnow():%Y%m%d-%H%M}.csv")

"""Staff duplicate detection and merge, privacy export and erasure."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from crm.accounts.access import editor_required, staff_required
from crm.errors import render_error
from crm.extensions import db
from crm.supporters.merge_forms import FIELD_LABELS, EraseForm, MergeForm
from crm.supporters.models import Supporter
from crm.supporters.services import SupporterError
from crm.supporters.services.merging import (
    MERGE_FIELDS,
    check_mergeable,
    default_choices,
    find_duplicates,
    merge_supporters,
)
from crm.supporters.services.privacy import erase_supporter, export_personal_data, privacy_summary

bp = Blueprint("records", __name__, url_prefix="/staff/supporters")


def profile_url(supporter_id):
    """Return the link to a supporter's profile (the staff list's blueprint owns it)."""
    try:
        return url_for("supporters.show", supporter_id=supporter_id)
    except BuildError:
        return f"{request.script_root}/staff/supporters/{supporter_id}"


def _actor():
    return current_user._get_current_object()


@bp.get("/duplicates")
@staff_required
def duplicates():
    pairs, more = find_duplicates()
    return render_template("records/duplicates.html", pairs=pairs, more=more)


@bp.get("/merge/<int:a>/<int:b>")
@staff_required
def merge(a, b):
    return _merge(a, b)


# Marketing reads the comparison; admin and staff merge.
@bp.post("/merge/<int:a>/<int:b>")
@editor_required
def merge_post(a, b):
    return _merge(a, b)


def _merge(a, b):
    first, second = db.get_or_404(Supporter, a), db.get_or_404(Supporter, b)
    try:
        check_mergeable(first, second)
    except SupporterError as error:
        return render_error(409, _("These records cannot be merged"), str(error))
    defaults = {name: "a" if record is first else "b" for name, record in default_choices(first, second).items()}
    form = MergeForm(data={"survivor": defaults["email"], **defaults})
    form.label_choices(first, second, blank=_("(blank)"))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        survivor, absorbed, choices = form.choices_for(first, second)
        try:
            merge_supporters(survivor, absorbed, choices, _actor(), ip_address=request.remote_addr)
        except SupporterError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            status = 409
        else:
            db.session.commit()
            flash(_("Record #%(old)d was merged into this record.", old=absorbed.id), "success")
            return redirect(profile_url(survivor.id))
    context = {"first": first, "second": second, "fields": MERGE_FIELDS, "labels": FIELD_LABELS}
    return render_template("records/merge.html", form=form, **context), status


@bp.get("/<int:supporter_id>/privacy")
@editor_required
def privacy(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    context = {"counts": privacy_summary(supporter), "profile_url": profile_url(supporter.id)}
    return render_template("records/privacy.html", supporter=supporter, **context)


@bp.get("/<int:supporter_id>/privacy-export.json")
@editor_required
def privacy_export(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    data = export_personal_data(supporter, _actor(), ip_address=request.remote_addr)
    db.session.commit()
    filename = f"supporter-{supporter.id}-privacy-export.json"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers=headers)


@bp.route("/<int:supporter_id>/erase", methods=["GET", "POST"])
@editor_required
def erase(supporter_id):
    supporter = db.get_or_404(Supporter, supporter_id)
    form = EraseForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            erase_supporter(supporter, _actor(), ip_address=request.remote_addr)
        except SupporterError as error:
            form.form_errors.append(str(error))
            status = 409
        else:
            db.session.commit()
            flash(_("The person's data was erased. Their address stays on the suppression list."), "success")
            return redirect(url_for("records.privacy", supporter_id=supporter.id))
    context = {"counts": privacy_summary(supporter), "profile_url": profile_url(supporter.id)}
    return render_template("records/erase.html", supporter=supporter, form=form, **context), status

"""Staff import and export of supporters (CSV)."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.audit import record_audit
from crm.downloads import csv_response
from crm.exports import BOM
from crm.extensions import db
from crm.forms import form_status
from crm.supporters.forms.imports import ImportStepForm, UploadForm, mapping_form
from crm.supporters.models import ImportBatch
from crm.supporters.services import SupporterError
from crm.supporters.services.import_columns import TARGETS
from crm.supporters.services.imports import (
    check_import,
    column_samples,
    counts_of,
    fail_import,
    preview_import,
    recent_imports,
    run_import,
    set_mapping,
    upload_import,
)
from crm.supporters.views import bp


@bp.route("/staff/supporters/import", methods=["GET", "POST"])
@editor_required
def import_upload():
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data
        try:
            batch = upload_import(
                data.read(), data.filename or "", current_app.config["MEDIA_ROOT"], current_user, form.source.data
            )
        except SupporterError as error:
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".import_columns", batch_id=batch.id))
    status = form_status(form)
    return render_template("supporters/staff/import.html", form=form, batches=recent_imports()), status


@bp.route("/staff/supporters/import/<int:batch_id>/columns", methods=["GET", "POST"])
@editor_required
def import_columns(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    form = mapping_form(batch.mapping["headers"], batch.mapping["targets"])
    if form.validate_on_submit():
        try:
            set_mapping(batch, form.targets())
        except SupporterError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".import_batch", batch_id=batch.id))
    status = form_status(form)
    try:
        samples = column_samples(batch)
    except SupporterError as error:
        samples, status = [[] for _header in batch.mapping["headers"]], 400
        form.form_errors.append(str(error))
    return render_template("supporters/staff/import_columns.html", form=form, batch=batch, samples=samples), status


@bp.get("/staff/supporters/import/<int:batch_id>")
@staff_required
def import_batch(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    try:
        rows = preview_import(batch)
    except SupporterError as error:
        rows = []
        flash(str(error), "error")
    form = ImportStepForm()
    return render_template(
        "supporters/staff/import_batch.html", batch=batch, rows=rows, counts=counts_of(batch), form=form, labels=TARGETS
    )


def _guarded(batch, step):
    """Run one import step and commit; on an unexpected failure roll it all back and mark the batch failed."""
    batch_id = batch.id
    try:
        step()
        db.session.commit()
        return True
    except SupporterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    except Exception:
        current_app.logger.exception("supporter import %s failed", batch_id)
        db.session.rollback()
    message = _("The import failed and was undone: nothing was imported. Please try again.")
    fail_import(batch_id, message)
    db.session.commit()
    flash(message, "error")
    return False


@bp.post("/staff/supporters/import/<int:batch_id>/check")
@editor_required
def import_check(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    if _guarded(batch, lambda: check_import(batch)):
        flash(_("Dry run finished: nothing was written. Read the counts, then import."), "success")
    return redirect(url_for(".import_batch", batch_id=batch_id))


@bp.post("/staff/supporters/import/<int:batch_id>/run")
@editor_required
def import_run(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    if batch.status != "checked":
        flash(_("Run the dry run first, then import."), "error")
    elif _guarded(batch, lambda: run_import(batch, current_user, request.remote_addr)):
        flash(_("Import finished."), "success")
    return redirect(url_for(".import_batch", batch_id=batch_id))


@bp.get("/staff/supporters/import/<int:batch_id>/errors.csv")
@staff_required
def import_errors(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    if not batch.error_report:
        abort(404)
    record_audit(current_user, "export", "import_batch", batch.id, {"report": "errors"}, request.remote_addr)
    db.session.commit()
    return csv_response(BOM + batch.error_report, f"import-{batch_id}-errors.csv")

"""Cash and cheques: the fundraiser reports them on their page, staff verify or reject them in a queue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, signed_in_required, staff_required
from crm.extensions import db
from crm.forms import form_status
from crm.fundraising.forms.offline import OfflineReportForm
from crm.fundraising.forms.staff import ConfirmForm, ReasonForm
from crm.fundraising.services.offline import (
    OfflineError,
    offline_queue,
    reject_report,
    report_offline_gift,
    reports_of,
    verify_report,
)
from crm.fundraising.views import bp
from crm.fundraising.views.owned import my_page
from crm.payments.services.receipts import local_date
from crm.utc import utcnow


@bp.route("/fundraise/pages/<int:page_id>/offline", methods=["GET", "POST"])
@signed_in_required
def page_offline(page_id):
    page = my_page(page_id)
    form = OfflineReportForm()
    if not form.is_submitted():
        form.received_on.data = local_date(utcnow())
    if form.validate_on_submit():
        try:
            report_offline_gift(page, form.report_fields(), current_user)
        except OfflineError as error:
            db.session.rollback()
            page = my_page(page_id)
            (form[error.field].errors if error.field in form else form.form_errors).append(str(error))
            status = error.status
        else:
            db.session.commit()
            flash(_("Thank you: the gift counts on your page once our team has received it."), "success")
            return redirect(url_for(".page_offline", page_id=page.id))
    else:
        status = form_status(form)
    return render_template(
        "fundraising/fundraiser/offline.html", page=page, form=form, reports=reports_of(page)
    ), status


@bp.get("/staff/fundraising/offline")
@staff_required
def staff_offline():
    return render_template(
        "fundraising/staff/offline.html", reports=offline_queue(), confirm=ConfirmForm(), reason_form=ReasonForm()
    )


@bp.post("/staff/fundraising/offline/<int:report_id>/verify")
@editor_required
def staff_offline_verify(report_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    verify_report(report_id, current_user, request.remote_addr)  # an OfflineError becomes its 4xx page
    db.session.commit()
    flash(_("The gift was recorded and credited to the page."), "success")
    return redirect(url_for(".staff_offline"))


@bp.post("/staff/fundraising/offline/<int:report_id>/reject")
@editor_required
def staff_offline_reject(report_id):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    reject_report(report_id, form.reason.data, current_user, request.remote_addr)
    db.session.commit()
    flash(_("The report was rejected; the fundraiser is told why."), "success")
    return redirect(url_for(".staff_offline"))

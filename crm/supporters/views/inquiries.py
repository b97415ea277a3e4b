"""The staff inquiry queue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.extensions import db
from crm.supporters.forms.inquiries import AssignInquiryForm, InquiryReplyForm
from crm.supporters.forms.staff import ConfirmForm
from crm.supporters.models import Inquiry
from crm.supporters.services.inquiries import (
    InquiryError,
    assign_inquiry,
    assignable_users,
    close_inquiry,
    inquiry_queue,
    mark_inquiry_answered,
    reply_to_inquiry,
)
from crm.supporters.views import bp


@bp.get("/staff/inquiries/")
@staff_required
def inquiries():
    queue = inquiry_queue(request.args.get("kind", ""), request.args.get("status", "new"))
    return render_template("supporters/staff/inquiries.html", queue=queue)


def _render_inquiry(inquiry, status=200, assign_form=None, reply_form=None):
    assign_form = assign_form or AssignInquiryForm(formdata=None, assignee=inquiry.assigned_to_id)
    assign_form.set_assignees(assignable_users())
    reply_form = reply_form or InquiryReplyForm(formdata=None)
    forms = {"assign_form": assign_form, "reply_form": reply_form, "confirm_form": ConfirmForm()}
    return render_template("supporters/staff/inquiry.html", inquiry=inquiry, **forms), status


@bp.get("/staff/inquiries/<int:inquiry_id>")
@staff_required
def inquiry(inquiry_id):
    return _render_inquiry(db.get_or_404(Inquiry, inquiry_id))


def _done(inquiry, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("supporters.inquiry", inquiry_id=inquiry.id))


@bp.post("/staff/inquiries/<int:inquiry_id>/assign")
@editor_required
def inquiry_assign(inquiry_id):
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    form = AssignInquiryForm()
    form.set_assignees(assignable_users())
    if form.validate_on_submit():
        try:
            assign_inquiry(inquiry, form.assignee.data, current_user, ip_address=request.remote_addr)
        except InquiryError as error:
            form.assignee.errors.append(str(error))
        else:
            return _done(inquiry, _("Inquiry assigned to %(email)s.", email=inquiry.assigned_to.email))
    return _render_inquiry(inquiry, 400, assign_form=form)


@bp.post("/staff/inquiries/<int:inquiry_id>/reply")
@editor_required
def inquiry_reply(inquiry_id):
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    form = InquiryReplyForm()
    if form.validate_on_submit():
        try:
            reply_to_inquiry(inquiry, form.body.data, current_user, ip_address=request.remote_addr)
        except InquiryError as error:
            form.body.errors.append(str(error))
        else:
            return _done(inquiry, _("Reply recorded."))
    return _render_inquiry(inquiry, 400, reply_form=form)


def _status_action(inquiry_id, action, message):
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(inquiry, current_user, ip_address=request.remote_addr)
    except InquiryError as error:
        flash(str(error), "error")
        return redirect(url_for("supporters.inquiry", inquiry_id=inquiry.id))
    return _done(inquiry, message)


@bp.post("/staff/inquiries/<int:inquiry_id>/answered")
@editor_required
def inquiry_answered(inquiry_id):
    return _status_action(inquiry_id, mark_inquiry_answered, _("Inquiry marked answered."))


@bp.post("/staff/inquiries/<int:inquiry_id>/close")
@editor_required
def inquiry_close(inquiry_id):
    return _status_action(inquiry_id, close_inquiry, _("Inquiry closed."))

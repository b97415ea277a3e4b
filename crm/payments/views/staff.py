"""Staff screens for gifts: the list and export, a gift's page, refunds, receipts, offline gifts."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.downloads import csv_export
from crm.errors import UserError
from crm.exports import audit_export
from crm.extensions import db
from crm.forms import filter_status, form_status
from crm.lists import page_number
from crm.payments.forms.staff import (
    KIND_LABELS,
    METHOD_LABELS,
    STATUS_LABELS,
    DonationSearchForm,
    OfflineGiftForm,
    ReceiptActionForm,
    RefundForm,
)
from crm.payments.models import Donation
from crm.payments.services import DonationError
from crm.payments.services.backoffice import (
    DonationFilter,
    designations,
    donation_detail,
    donation_totals,
    export_donations_csv,
    find_refund,
    list_donations,
    receipt_of,
)
from crm.payments.services.offline import record_offline_gift
from crm.payments.services.receipts import ReceiptError, cancel_receipt, reissue_receipt
from crm.payments.services.refunds import check_refund, refund_donation
from crm.payments.views import bp

LABELS = {"statuses": STATUS_LABELS, "kinds": KIND_LABELS, "methods": METHOD_LABELS}


@bp.get("/staff/donations/")
@staff_required
def staff_donations():
    form = DonationSearchForm(formdata=request.args)
    form.offer("designation", designations())
    status = filter_status(form, request.args)
    criteria = DonationFilter.from_args(request.args)
    page = list_donations(criteria, page_number(request.args))
    totals = donation_totals(criteria)
    return render_template(
        "payments/staff/index.html", form=form, page=page, criteria=criteria, totals=totals, **LABELS
    ), status


@bp.get("/staff/donations/export.csv")
@staff_required
def staff_donations_export():
    criteria = DonationFilter.from_args(request.args)
    audit_export(current_user, "donation", criteria, request.remote_addr)
    db.session.commit()
    return csv_export(export_donations_csv(criteria), "donations")


def _render_donation(donation_id, status=200, refund_form=None, receipt_form=None):
    detail = donation_detail(donation_id)
    if detail is None:
        abort(404)
    refund_form = refund_form or RefundForm(detail.donation, formdata=None)
    receipt_form = receipt_form or ReceiptActionForm(formdata=None)
    return render_template(
        "payments/staff/show.html", detail=detail, refund_form=refund_form, receipt_form=receipt_form, **LABELS
    ), status


@bp.get("/staff/donations/<int:donation_id>")
@staff_required
def staff_donation(donation_id):
    return _render_donation(donation_id)


@bp.post("/staff/donations/<int:donation_id>/refund")
@editor_required
def staff_refund(donation_id):
    donation = db.get_or_404(Donation, donation_id)
    return refund_flow(
        RefundForm(donation),
        lambda form: refund_donation(donation, *form.refund_args(), actor=current_user),
        lambda status, form: _render_donation(donation.id, status, refund_form=form),
        url_for(".staff_donation", donation_id=donation.id, _anchor="refunds"),
        _("The refund was made."),
        confirm=lambda form: render_template(
            "payments/staff/confirm_refund.html",
            donation=donation,
            form=form,
            receipt=check_refund(donation, form.cents),
        ),
    )


def refund_flow(form, refund, render, done_url, done_message, confirm=None):
    """A staff refund of a gift or of the order it paid: once per key, else the form again with why.

    `refund(form)` makes it; `render(status, form)` shows the page with the form; both views use this.
    `confirm(form)`, if given, is the page saying what will happen, shown for a valid form until its
    button (the `confirmed` field) is pressed.
    """
    if find_refund(form.donation, request.form.get("idempotency_key", "")):
        flash(_("This refund was already made."), "info")  # a retried or doubled click
        return redirect(done_url)
    if not form.validate_on_submit():
        form.form_errors.extend(form.idempotency_key.errors)  # a hidden field: say it above the form
        return render(400, form)
    try:
        if confirm is not None and not form.is_confirmed:
            return confirm(form)
        refund(form)
    except UserError as error:  # nothing to refund, a refused amount, or Stripe unavailable (503)
        db.session.rollback()
        form.form_errors.append(str(error))
        return render(error.status, form)
    db.session.commit()
    flash(done_message, "success")
    return redirect(done_url)


@bp.post("/staff/donations/<int:donation_id>/receipts/<int:receipt_id>/<any(cancel, reissue):action>")
@editor_required
def staff_receipt_action(donation_id, receipt_id, action):
    donation = db.get_or_404(Donation, donation_id)
    receipt = receipt_of(donation, receipt_id) or abort(404)
    form = ReceiptActionForm()
    if not form.validate_on_submit():
        return _render_donation(donation.id, 400, receipt_form=form)
    if not form.is_confirmed:
        return render_template(
            "payments/staff/confirm_receipt.html", donation=donation, receipt=receipt, form=form, action=action
        )
    try:
        new = (cancel_receipt if action == "cancel" else reissue_receipt)(receipt, form.reason.data)
    except (ReceiptError, DonationError) as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render_donation(donation.id, 400, receipt_form=form)
    db.session.commit()
    if action == "cancel":
        flash(_("Receipt %(serial)s was cancelled.", serial=receipt.serial), "success")
    elif new is None:
        flash(_("Receipt %(serial)s was cancelled; nothing is left to receipt.", serial=receipt.serial), "success")
    else:
        flash(_("Receipt %(old)s was replaced by %(new)s.", old=receipt.serial, new=new.serial), "success")
    return redirect(url_for(".staff_donation", donation_id=donation.id, _anchor="receipts"))


@bp.route("/staff/donations/offline", methods=["GET", "POST"])
@editor_required
def staff_offline_gift():
    form = OfflineGiftForm()
    if form.validate_on_submit():
        try:
            donation = record_offline_gift(
                form.offline_gift(), current_user, current_app.config["CURRENCY"], request.remote_addr
            )
        except DonationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The gift was recorded."), "success")
            return redirect(url_for(".staff_donation", donation_id=donation.id))
    status = form_status(form)
    return render_template("payments/staff/offline.html", form=form), status

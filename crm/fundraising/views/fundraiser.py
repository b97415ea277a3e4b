"""The fundraiser's screens: start a page, edit it, publish, close or reopen it, and their dashboard."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.accounts.access import signed_in_required
from crm.downloads import csv_export
from crm.extensions import db
from crm.forms import current_language, form_status
from crm.fundraising.forms.fundraiser import EditPageForm, PageActionForm, StartPageForm
from crm.fundraising.personal import PHOTO_FOLDER
from crm.fundraising.services.dashboard import donors, donors_csv, my_pages, record_donor_export
from crm.fundraising.services.pages import (
    PageError,
    active_occasions,
    close_page,
    edit_page,
    find_occasion,
    reopen_page,
    start_page,
    startable_campaigns,
    submit_page,
)
from crm.fundraising.services.public import qr_svg
from crm.fundraising.services.totals import page_total, progress
from crm.fundraising.views import bp
from crm.fundraising.views.owned import my_page
from crm.fundraising.views.public import share_links
from crm.images import ImageError, discard_image
from crm.payments.services.receipts import local_date
from crm.supporters.attribution import current_visit
from crm.utc import utcnow

SUBMITTED = {
    "live": _l("Your page is live: share it!"),
    "pending": _l("Thank you! Staff look at every new page of this campaign; we will email you once it is live."),
}


@bp.get("/fundraise/")
@signed_in_required
def fundraiser_dashboard():
    return render_template("fundraising/fundraiser/dashboard.html", rows=my_pages(current_user))


@bp.route("/fundraise/start", methods=["GET", "POST"])
@signed_in_required
def start():
    wanted = request.args.get("campaign")
    campaigns = startable_campaigns(local_date(utcnow()), wanted)
    if wanted is not None and not campaigns:
        flash(_("That campaign does not take new pages now. Choose another one."), "info")
        campaigns = startable_campaigns(local_date(utcnow()))
    form = StartPageForm().offer(campaigns, active_occasions)
    if form.validate_on_submit():
        try:
            occasion = find_occasion(form.occasion.data)
            page = start_page(current_user, occasion, current_language(), form.shown_wording(), current_visit())
        except PageError as error:
            db.session.rollback()
            form.occasion.errors.append(str(error))
            return _render_start(form, campaigns, error.status)
        db.session.commit()
        flash(_("Your page is ready as a draft. Make it yours, then publish it."), "success")
        return redirect(url_for(".page_edit", page_id=page.id))
    return _render_start(form, campaigns, form_status(form))


def _render_start(form, campaigns, status):
    return render_template(
        "fundraising/fundraiser/start.html", form=form, campaigns=campaigns, occasions_of=active_occasions
    ), status


def _render_manage(page, status=200):
    raised, donor_count = page_total(page)
    number = max(1, request.args.get("donors", 1, type=int) or 1)
    entries, more = donors(page, number)
    url = url_for(".page", slug=page.slug, _external=True)
    return render_template(
        "fundraising/fundraiser/manage.html",
        page=page,
        raised=raised,
        donor_count=donor_count,
        percent=progress(raised, page.goal_cents),
        donors=entries,
        donors_number=number,
        donors_more=more,
        page_url=url,
        share=share_links(url, page.title),
        qr=qr_svg(url),
        action_form=PageActionForm(formdata=None),
    ), status


@bp.get("/fundraise/pages/<int:page_id>")
@signed_in_required
def page_dashboard(page_id):
    return _render_manage(my_page(page_id, staff_too=True))


def _show_error(form, error):
    # Next to the field it is about (an image's error is the photo's), or above the form.
    name = "photo" if isinstance(error, ImageError) else getattr(error, "field", None)
    (form[name].errors if name and name in form else form.form_errors).append(str(error))


@bp.route("/fundraise/pages/<int:page_id>/edit", methods=["GET", "POST"])
@signed_in_required
def page_edit(page_id):
    page = my_page(page_id)
    form = EditPageForm()
    if not form.is_submitted():
        form.fill(page)
    if form.validate_on_submit():
        media = current_app.config["MEDIA_ROOT"]
        try:
            outcome = edit_page(page, form.page_edit(), form.photo_data(), media)
        except (PageError, ImageError) as error:
            db.session.rollback()
            _show_error(form, error)
            return render_template("fundraising/fundraiser/edit.html", form=form, page=my_page(page_id)), error.status
        db.session.commit()
        for name in outcome.discard:
            discard_image(name, media, PHOTO_FOLDER)  # only once nothing committed points at it
        if outcome.waiting:
            flash(
                _("Your changes are saved and wait for approval: your page shows the approved text until then."), "info"
            )
        else:
            flash(_("Your page is saved."), "success")
        return redirect(url_for(".page_dashboard", page_id=page.id))
    return render_template("fundraising/fundraiser/edit.html", form=form, page=page), form_status(form)


def _refused(page_id, error):
    # The page's state refused the action: said once, above the page, with the 409.
    db.session.rollback()
    flash(str(error), "error")
    return _render_manage(my_page(page_id), error.status)


def _change_state(page_id, change, message):
    """Submit, close or reopen the user's page; `message(result)` is what they are told."""
    page = my_page(page_id)
    try:
        result = change(page)
    except PageError as error:
        return _refused(page_id, error)
    db.session.commit()
    flash(str(message(result)), "success")
    return redirect(url_for(".page_dashboard", page_id=page.id))


@bp.post("/fundraise/pages/<int:page_id>/submit")
@signed_in_required
def page_submit(page_id):
    return _change_state(page_id, submit_page, SUBMITTED.get)


@bp.post("/fundraise/pages/<int:page_id>/close")
@signed_in_required
def page_close(page_id):
    closed = _("Your page is closed: it stays up with its total and donors, and takes no more gifts.")
    return _change_state(page_id, close_page, lambda _result: closed)


@bp.post("/fundraise/pages/<int:page_id>/reopen")
@signed_in_required
def page_reopen(page_id):
    return _change_state(page_id, reopen_page, lambda _result: _("Your page is open again and takes gifts."))


@bp.get("/fundraise/pages/<int:page_id>/donors.csv")
@signed_in_required
def page_donors_csv(page_id):
    page = my_page(page_id, staff_too=True)
    record_donor_export(page, current_user, request.remote_addr)
    db.session.commit()
    return csv_export(donors_csv(page, _("Anonymous"), _("Hidden")), f"page-{page.id}-donors")

"""Staff screens of fundraising: campaigns and their occasions, moderation of pages, reports, pages and teams."""

from flask import abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.downloads import csv_export
from crm.exports import audit_export
from crm.extensions import db
from crm.forms import filter_status, form_status
from crm.fundraising.forms.staff import (
    CampaignForm,
    ConfirmForm,
    OccasionForm,
    PageSearchForm,
    ReasonForm,
    TeamSearchForm,
)
from crm.fundraising.models import Campaign, FundraiserPage, Occasion, PageFlag
from crm.fundraising.models.pages import PAGE_STATUS_LABELS
from crm.fundraising.services.staff import (
    IMAGE_FOLDER,
    StaffError,
    close_campaign,
    create_campaign,
    decide_flag,
    decide_page,
    list_campaigns,
    moderation_queue,
    open_flags,
    update_campaign,
    update_occasion,
)
from crm.fundraising.services.staff_lists import PageFilter, TeamFilter, export_pages_csv, list_pages, list_teams
from crm.fundraising.views import bp
from crm.images import IMAGE_NAME, ImageError, discard_image, image_folder
from crm.lists import page_number

DECIDED = {
    "approved": _l("The page was approved."),
    "declined": _l("The page was sent back to its fundraiser."),
    "hidden": _l("The page was hidden."),
    "unhidden": _l("The page is back."),
    "edits_approved": _l("The changes were approved."),
    "edits_declined": _l("The changes were declined."),
}


def _show_error(form, error):
    # Put the message next to the field it is about, or above the form.
    db.session.rollback()
    field = getattr(error, "field", None)
    (form[field].errors if field and field in form else form.form_errors).append(str(error))


@bp.get("/staff/fundraising/")
@staff_required
def staff_campaigns():
    return render_template("fundraising/staff/campaigns.html", campaigns=list_campaigns(), close_form=ConfirmForm())


@bp.get("/staff/fundraising/images/<name>")
@staff_required
def staff_campaign_image(name):
    if not IMAGE_NAME.match(name):
        abort(404)
    return send_from_directory(image_folder(current_app.config["MEDIA_ROOT"], IMAGE_FOLDER), name)


@bp.route("/staff/fundraising/campaigns/new", methods=["GET", "POST"])
@editor_required
def staff_campaign_new():
    form = CampaignForm()
    if form.validate_on_submit():
        media = current_app.config["MEDIA_ROOT"]
        try:
            campaign = create_campaign(
                form.campaign_fields(),
                current_user,
                form.image_data(),
                media,
                form.add_occasions.data,
                request.remote_addr,
            )
        except (StaffError, ImageError) as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The campaign was added."), "success")
            return redirect(url_for(".staff_campaign", campaign_id=campaign.id))
    return render_template("fundraising/staff/campaign_form.html", form=form, campaign=None), form_status(form)


@bp.route("/staff/fundraising/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@editor_required
def staff_campaign(campaign_id):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm()
    if not form.is_submitted():
        form.fill(campaign)
    if form.validate_on_submit():
        media, old_image = current_app.config["MEDIA_ROOT"], campaign.image_name
        try:
            update_campaign(
                campaign, form.campaign_fields(), current_user, form.image_data(), media, request.remote_addr
            )
        except (StaffError, ImageError) as error:
            _show_error(form, error)
            campaign = db.get_or_404(Campaign, campaign_id)
        else:
            db.session.commit()
            if old_image != campaign.image_name:
                discard_image(old_image, media, IMAGE_FOLDER)  # only once the new name is committed
            flash(_("The campaign was saved."), "success")
            return redirect(url_for(".staff_campaign", campaign_id=campaign.id))
    return render_template("fundraising/staff/campaign_form.html", form=form, campaign=campaign), form_status(form)


@bp.post("/staff/fundraising/campaigns/<int:campaign_id>/close")
@editor_required
def staff_campaign_close(campaign_id):
    campaign = db.get_or_404(Campaign, campaign_id)
    if ConfirmForm().validate_on_submit():
        close_campaign(campaign, current_user, request.remote_addr)  # a StaffError becomes its 409 page
        db.session.commit()
        flash(_("The campaign was closed."), "success")
    return redirect(url_for(".staff_campaigns"))


@bp.route("/staff/fundraising/campaigns/<int:campaign_id>/occasions/<int:occasion_id>", methods=["GET", "POST"])
@editor_required
def staff_occasion(campaign_id, occasion_id):
    occasion = db.get_or_404(Occasion, occasion_id)
    if occasion.campaign_id != campaign_id:
        return redirect(url_for(".staff_campaign", campaign_id=occasion.campaign_id))
    form = OccasionForm()
    if not form.is_submitted():
        form.fill(occasion)
    if form.validate_on_submit():
        try:
            update_occasion(occasion, form.occasion_fields(), current_user, request.remote_addr)
        except StaffError as error:
            _show_error(form, error)
            occasion = db.get_or_404(Occasion, occasion_id)
        else:
            db.session.commit()
            flash(_("The occasion was saved."), "success")
            return redirect(url_for(".staff_campaign", campaign_id=campaign_id, _anchor="occasions"))
    return render_template("fundraising/staff/occasion_form.html", form=form, occasion=occasion), form_status(form)


# --- moderation -----------------------------------------------------------------------------------


@bp.get("/staff/fundraising/moderation")
@staff_required
def staff_moderation():
    return render_template("fundraising/staff/moderation.html", pages=moderation_queue())


def _render_page(page, status=200, reason_form=None):
    return render_template(
        "fundraising/staff/page.html",
        page=page,
        confirm_form=ConfirmForm(formdata=None),
        reason_form=reason_form or ReasonForm(formdata=None),
    ), status


@bp.get("/staff/fundraising/pages/<int:page_id>")
@staff_required
def staff_page(page_id):
    return _render_page(db.get_or_404(FundraiserPage, page_id))


@bp.post("/staff/fundraising/pages/<int:page_id>/<any(approve, decline, hide, unhide):action>")
@editor_required
def staff_page_decide(page_id, action):
    page = db.get_or_404(FundraiserPage, page_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render_page(page, 400, form)
    try:
        decision = decide_page(page, action, form.reason.data, current_user, request.remote_addr)
    except StaffError as error:
        db.session.rollback()
        if error.field:
            form[error.field].errors.append(str(error))  # a missing reason: next to its box
        else:
            flash(str(error), "error")  # the page's state refused: said once, above the page
        return _render_page(db.get_or_404(FundraiserPage, page_id), error.status, form)
    db.session.commit()
    flash(str(DECIDED[decision]), "success")
    return redirect(url_for(".staff_moderation"))


# --- reports --------------------------------------------------------------------------------------


@bp.get("/staff/fundraising/flags")
@staff_required
def staff_flags():
    return render_template("fundraising/staff/flags.html", flags=open_flags(), reason_form=ReasonForm(formdata=None))


@bp.post("/staff/fundraising/flags/<int:flag_id>/<any(dismiss, act):action>")
@editor_required
def staff_flag_decide(flag_id, action):
    flag = db.get_or_404(PageFlag, flag_id)
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise StaffError(_("Check the form and try again."))
        decide_flag(flag, action, form.reason.data, current_user, request.remote_addr)
    except StaffError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_template("fundraising/staff/flags.html", flags=open_flags(), reason_form=form), error.status
    db.session.commit()
    flash(_("The report was handled."), "success")
    return redirect(url_for(".staff_flags"))


# --- lists ----------------------------------------------------------------------------------------


@bp.get("/staff/fundraising/pages/")
@staff_required
def staff_pages():
    form = PageSearchForm(formdata=request.args)
    form.offer_campaigns(list_campaigns())
    status = filter_status(form, request.args)
    criteria = PageFilter.from_args(request.args)
    page = list_pages(criteria, page_number(request.args))
    return render_template(
        "fundraising/staff/pages.html", form=form, page=page, criteria=criteria, statuses=PAGE_STATUS_LABELS
    ), status


@bp.get("/staff/fundraising/pages/export.csv")
@staff_required
def staff_pages_export():
    criteria = PageFilter.from_args(request.args)
    audit_export(current_user, "fundraiser_page", criteria, request.remote_addr)
    db.session.commit()
    return csv_export(export_pages_csv(criteria), "fundraiser-pages")


@bp.get("/staff/fundraising/teams/")
@staff_required
def staff_teams():
    form = TeamSearchForm(formdata=request.args)
    form.offer_campaigns(list_campaigns())
    status = filter_status(form, request.args)
    criteria = TeamFilter.from_args(request.args)
    page = list_teams(criteria, page_number(request.args))
    return render_template("fundraising/staff/teams.html", form=form, page=page, criteria=criteria), status

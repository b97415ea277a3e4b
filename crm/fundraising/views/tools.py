"""A fundraiser's tools beyond the page: the printable poster, thanking their donors, copying last year's page."""

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from crm.accounts.access import signed_in_required
from crm.extensions import db
from crm.forms import current_language, form_status
from crm.fundraising.forms.copies import CopyPageForm
from crm.fundraising.forms.thanks import ThanksForm
from crm.fundraising.models import Campaign
from crm.fundraising.services import FundraisingError
from crm.fundraising.services.copies import copy_page, suggested_goal
from crm.fundraising.services.pages import PageError, startable_campaigns
from crm.fundraising.services.poster import build_poster_pdf
from crm.fundraising.services.thanks import thank_donors, thanks_plan
from crm.fundraising.views import bp
from crm.fundraising.views.owned import my_page
from crm.payments.services.receipts import local_date
from crm.utc import utcnow


@bp.get("/fundraise/pages/<int:page_id>/poster.pdf")
@signed_in_required
def poster(page_id):
    page = my_page(page_id, staff_too=True)
    url = url_for(".page", slug=page.slug, _external=True)
    filename = "affiche.pdf" if page.language == "fr" else "poster.pdf"
    return Response(
        build_poster_pdf(page, url),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@bp.route("/fundraise/pages/<int:page_id>/thanks", methods=["GET", "POST"])
@signed_in_required
def thanks(page_id):
    page = my_page(page_id)
    form = ThanksForm()
    if form.validate_on_submit():
        try:
            count = thank_donors(page, form.message.data, current_user)
        except FundraisingError as error:
            db.session.rollback()
            form.message.errors.append(str(error))
            page = my_page(page_id)
        else:
            db.session.commit()
            words = ngettext("Your thanks go to %(num)d donor.", "Your thanks go to %(num)d donors.", count)
            flash(words, "success")
            return redirect(url_for(".thanks", page_id=page.id))
    plan = thanks_plan(page)
    return render_template("fundraising/fundraiser/thanks.html", page=page, form=form, plan=plan), form_status(form)


@bp.route("/fundraise/pages/<int:page_id>/copy", methods=["GET", "POST"])
@signed_in_required
def copy(page_id):
    page = my_page(page_id)
    # Any campaign taking pages, this page's own too (a general campaign runs year after year).
    campaigns = startable_campaigns(local_date(utcnow()))
    form = CopyPageForm().offer(campaigns, current_language())
    if form.validate_on_submit():
        try:
            made = copy_page(
                page, db.session.get(Campaign, form.campaign.data), current_user, current_app.config["MEDIA_ROOT"]
            )
        except PageError as error:
            db.session.rollback()
            form.campaign.errors.append(str(error))
            page = my_page(page_id)
        else:
            db.session.commit()
            flash(_("Your page is copied as a draft. Check it, then publish it."), "success")
            return redirect(url_for(".page_edit", page_id=made.id))
    goal = suggested_goal(page)
    return render_template("fundraising/fundraiser/copy.html", page=page, form=form, goal=goal), form_status(form)

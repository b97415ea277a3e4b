"""'Report this page': any visitor can tell staff about a public page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from crm.accounts.access import public
from crm.extensions import db
from crm.forms import form_status
from crm.fundraising.forms.report import ReportPageForm
from crm.fundraising.services.flags import flag_page
from crm.fundraising.services.public import find_page
from crm.fundraising.views import bp
from crm.supporters.spam import looks_like_spam, public_form_limit


@bp.route("/fundraisers/<slug>/report", methods=["GET", "POST"])
@public_form_limit
@public
def report_page(slug):
    page = find_page(slug)
    if page is None or not page.is_public:
        abort(404)
    form = ReportPageForm()
    if form.is_submitted() and looks_like_spam(form):
        return redirect(url_for(".page", slug=page.slug))  # a bot: answered as a person, nothing stored
    if form.validate_on_submit():
        flag_page(page, form.reason.data, form.details.data)
        db.session.commit()
        flash(_("Thank you: our team will look at this page."), "success")
        return redirect(url_for(".page", slug=page.slug))
    return render_template("fundraising/report.html", page=page, form=form), form_status(form)

"""The preference centre: a signed link, no login."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.accounts.access import public
from crm.errors import render_error
from crm.extensions import db
from crm.forms import form_status
from crm.i18n import speak_to
from crm.supporters.forms.preferences import UnsubscribeAllForm, preference_form
from crm.supporters.models import PURPOSES
from crm.supporters.services.newsletter import confirm_newsletter, read_confirmation_token
from crm.supporters.services.preferences import (
    PreferenceLinkError,
    current_subscriptions,
    read_preference_token,
    unsubscribe_everything,
    update_preferences,
)
from crm.supporters.views import bp

LINK_ERRORS = {
    "invalid": (
        404,
        _l("This link is not valid"),
        _l("The link may have been cut or changed. Please use the whole link from one of our emails."),
    ),
    "expired": (
        410,
        _l("This link has expired"),
        _l("Preference links work for 90 days. Please use the link in a more recent email from us, or contact us."),
    ),
}


def _visitor():
    return {"ip_address": request.remote_addr or "", "user_agent": request.user_agent.string or ""}


@bp.errorhandler(PreferenceLinkError)
def link_error(error):
    return render_error(*LINK_ERRORS[error.reason])


@bp.route("/preferences/<token>", methods=["GET", "POST"])
@public
def preferences(token):
    supporter = read_preference_token(token)
    speak_to(supporter.language)
    if supporter.erased_at:
        return render_template("supporters/preferences/erased.html")
    language = str(get_locale())
    form = preference_form(language, current_subscriptions(supporter), supporter.language)
    if form.validate_on_submit():
        wanted = {purpose: form[purpose].data for purpose in PURPOSES}
        update_preferences(supporter, wanted, form.language.data, shown=form.shown_wording(), **_visitor())
        db.session.commit()
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("supporters.preferences", token=token))
    status = form_status(form)
    page = render_template(
        "supporters/preferences/manage.html", supporter=supporter, form=form, unsubscribe=UnsubscribeAllForm()
    )
    return page, status


@bp.post("/preferences/<token>/unsubscribe")
@public
def unsubscribe_all(token):
    supporter = read_preference_token(token)
    speak_to(supporter.language)
    if not supporter.erased_at and UnsubscribeAllForm().validate_on_submit():
        unsubscribe_everything(supporter, **_visitor())
        db.session.commit()
    return render_template("supporters/preferences/unsubscribed.html", token=token)


@bp.route("/preferences/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_newsletter_view(token):
    # Link scanners fetch GETs: the page asks, the button (a POST) confirms.
    signup = read_confirmation_token(token)
    speak_to(signup.supporter.language if signup.supporter else "", signup.language)
    form = UnsubscribeAllForm()  # an empty form: the button and its CSRF token
    if signup.confirmed_at is None and form.validate_on_submit():
        confirm_newsletter(signup, **_visitor())
        db.session.commit()
    return render_template("supporters/preferences/confirm.html", signup=signup, form=form)

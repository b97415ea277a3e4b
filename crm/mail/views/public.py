"""One-click unsubscribe (RFC 8058): POST unsubscribes, GET only asks."""

from flask import render_template

from crm.accounts.access import public
from crm.extensions import csrf, db
from crm.mail.views import bp
from crm.supporters.services.preferences import (
    PreferenceLinkError,
    read_preference_token,
    unsubscribe_everything,
)
from crm.supporters.views.preferences import link_error

bp.register_error_handler(PreferenceLinkError, link_error)


@bp.get("/mail/unsubscribe/<token>")
@public
def confirm_unsubscribe(token):
    # Link scanners fetch GETs: this page only asks, the button POSTs.
    supporter = read_preference_token(token)
    return render_template("mail/unsubscribe.html", supporter=supporter, token=token)


@bp.post("/mail/unsubscribe/<token>")
@csrf.exempt  # mail clients send the one-click POST without our form token (RFC 8058)
@public
def one_click(token):
    supporter = read_preference_token(token)
    if not supporter.erased_at:
        unsubscribe_everything(supporter, form="one_click")
        db.session.commit()
    return render_template("supporters/preferences/unsubscribed.html", token=token)

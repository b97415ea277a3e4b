"""The donation form and the thank-you page."""

from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, url_for

from crm.extensions import db
from crm.payments import gateway
from crm.payments.forms.donate import DonationForm, clean_designation, stripe_settings
from crm.payments.services import DonationDeclined, DonationError
from crm.payments.services.donations import check_donation, start_donation
from crm.payments.views import bp
from crm.supporters.attribution import current_attribution


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _allow_stripe():
    """Let this page load Stripe.js and talk to the Stripe API (and nothing else from outside)."""
    origins = [
        o for o in {_origin(current_app.config["STRIPE_JS_URL"]), _origin(current_app.config["STRIPE_API_BASE"])} if o
    ]
    origins = sorted(origins) or ["https://js.stripe.com"]
    api = _origin(current_app.config["STRIPE_API_BASE"]) or "https://api.stripe.com"
    g.csp_extra = {"script-src": origins, "frame-src": origins, "connect-src": sorted({*origins, api})}


def _show_form(form, status):
    return render_template("payments/donate.html", form=form, stripe=stripe_settings()), status


@bp.route("/donate", methods=["GET", "POST"])
def donate():
    _allow_stripe()
    form = DonationForm()
    if request.method == "GET":
        form.designation.data = clean_designation(request.args.get("designation", ""))
    if not form.validate_on_submit():
        form.form_errors.extend(form.card_token.errors)
        return _show_form(form, 400 if form.is_submitted() else 200)
    try:
        started = start_donation(form.gift_request(current_attribution()))
    except DonationDeclined as declined:
        db.session.commit()  # keep the failed attempt, with its reason, for staff
        form.form_errors.append(str(declined))
        return _show_form(form, 400)
    except DonationError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _show_form(form, 400)
    db.session.commit()
    thanks = url_for(".thanks", token=started.donation.token)
    if started.status == "requires_action":
        return render_template(
            "payments/confirm.html", client_secret=started.client_secret, thanks=thanks, stripe=stripe_settings()
        )
    return redirect(thanks)


@bp.route("/donate/thanks/<token>")
def thanks(token):
    try:
        donation = check_donation(token[:64])
    except DonationError:
        abort(404)
    except gateway.GatewayError:
        db.session.rollback()
        abort(503)
    db.session.commit()
    return render_template("payments/thanks.html", donation=donation)

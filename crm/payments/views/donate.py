"""The donation form and the thank-you page."""

from flask import abort, render_template, request, url_for

from crm.accounts.access import public
from crm.extensions import db
from crm.forms import form_status
from crm.payments.forms.donate import DonationForm, clean_designation
from crm.payments.services import DonationDeclined, DonationError
from crm.payments.services.donations import check_donation, declined_message
from crm.payments.services.giving import give
from crm.payments.views import bp
from crm.payments.views.stripe import continue_payment, render_stripe_page
from crm.supporters.attribution import current_attribution, current_visit
from crm.supporters.spam import public_form_limit


def _show_form(form, status):
    return render_stripe_page("payments/donate.html", status, form=form)


@bp.route("/donate", methods=["GET", "POST"])
@public_form_limit
@public
def donate():
    form = DonationForm()
    if request.method == "GET":
        form.designation.data = clean_designation(request.args.get("designation", ""))
    if form.is_submitted() and form.website.data:
        form.form_errors.append(declined_message())  # a bot: answered like a refused card, nothing stored
        return _show_form(form, 400)
    if not form.validate_on_submit():
        form.form_errors.extend(form.card_token.errors)
        return _show_form(form, form_status(form))
    started = _start(form)
    return _next_step(started) if started else _show_form(form, 400)


def _start(form):
    """Start the gift and commit; return the GiftStarted, or None with the reason added to the form."""
    try:
        started = give(form.gift_request(current_attribution()), current_visit(), form.shown_wording())
    except DonationDeclined as declined:
        db.session.commit()  # keep the failed attempt, with its reason, for staff
        form.form_errors.append(str(declined))
        return None
    except DonationError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return None
    db.session.commit()
    return started


def _next_step(started):
    return continue_payment(started.status, started.client_secret, url_for(".thanks", token=started.donation.token))


@bp.route("/donate/thanks/<token>")
@public
def thanks(token):
    try:
        donation = check_donation(token[:64])
    except DonationError:
        abort(404)  # PaymentsUnavailable is not one: it becomes the 503 page with its message
    db.session.commit()
    return render_template("payments/thanks.html", donation=donation)

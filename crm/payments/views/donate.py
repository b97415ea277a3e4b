"""The donation form and the thank-you page, and the flow every gift form shares (a fundraiser's page too)."""

from flask import abort, render_template, request, url_for

from crm.accounts.access import public
from crm.extensions import db
from crm.forms import form_status
from crm.payments.forms.donate import DonationForm, clean_designation
from crm.payments.services import DonationDeclined, DonationError
from crm.payments.services.donations import check_donation, declined_message, resume_gift
from crm.payments.services.giving import give
from crm.payments.views import bp
from crm.payments.views.stripe import continue_payment, render_stripe_page, start_once
from crm.supporters.attribution import current_attribution, current_visit
from crm.supporters.spam import public_form_limit


@bp.route("/donate", methods=["GET", "POST"])
@public_form_limit
@public
def donate():
    form = DonationForm()
    if request.method == "GET":
        form.designation.data = clean_designation(request.args.get("designation", ""))
    return take_gift(form, "payments/donate.html")


def take_gift(form, template, on_started=None, thanks=None, **context):
    """Show a gift form, or start its gift and send the donor on (3-D Secure, then the thank-you page).

    The one flow of every gift form: `on_started(donation, now)` runs in the gift's transaction
    (see giving.give); `thanks(donation)` is the address to go to once it is started (default:
    payments' thank-you page); `context` goes to the template.
    """
    if form.is_submitted() and form.website.data:
        form.form_errors.append(declined_message())  # a bot: answered like a refused card, nothing stored
        return _show_again(form, template, 400, context)
    if not form.validate_on_submit():
        form.form_errors.extend([*form.submission_key.errors, *form.card_token.errors])
        return _show_again(form, template, form_status(form), context)
    started = _start(form, on_started)
    if started is None:
        return _show_again(form, template, 400, context)
    done = (thanks or _thanks_url)(started.donation)
    return continue_payment(started.status, started.client_secret, done)


def _show_again(form, template, status, context):
    if form.is_submitted():
        form.renew_submission_key()  # sending it again is a new attempt, not a repeat of this post
    return render_stripe_page(template, status, form=form, **context)


def _thanks_url(donation):
    return url_for("payments.thanks", token=donation.token)


def _start(form, on_started):
    """Start the gift and commit; return the GiftStarted, or None with the reason added to the form."""
    try:
        started = start_once(
            form.posted_submission_key,
            resume_gift,
            lambda: give(
                form.gift_request(current_attribution()), current_visit(), form.shown_wording(), on_started=on_started
            ),
            DonationError,
            DonationDeclined,
        )
    except DonationDeclined as declined:
        db.session.commit()  # keep the failed attempt, with its reason, for staff
        form.form_errors.append(str(declined))
        return None
    except DonationError as error:
        db.session.rollback()
        if getattr(error, "holds_key", False):
            form.hold_submission_key()  # that payment may have been taken: never a second one
        form.form_errors.append(str(error))
        return None
    db.session.commit()
    return started


@bp.route("/donate/thanks/<token>")
@public
def thanks(token):
    return show_thanks(token)


def show_thanks(token, context_for=None):
    """The thank-you page of the gift with this token; `context_for(donation)` adds to what it shows."""
    try:
        donation = check_donation(token[:64])
    except DonationError:
        abort(404)  # PaymentsUnavailable is not one: it becomes the 503 page with its message
    db.session.commit()
    context = context_for(donation) if context_for else {}
    return render_template("payments/thanks.html", donation=donation, **context)

"""The donor's monthly gift, through the signed link in their emails (no account): amount, card, cancel."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from crm.accounts.access import public
from crm.extensions import db
from crm.forms import form_status
from crm.i18n import money_filter, speak_to
from crm.payments.forms.manage import AmountForm, CancelForm, CardForm
from crm.payments.services import DonationError
from crm.payments.services.monthly_manage import card_on_file, change_monthly_amount
from crm.payments.services.plan_links import ManageLinkError, read_manage_token
from crm.payments.services.plans import cancel_gift, replace_card
from crm.payments.views import bp
from crm.payments.views.stripe import render_stripe_page


def _gift(token):
    try:
        gift = read_manage_token(token)
    except ManageLinkError:
        abort(404)
    speak_to(gift.supporter.language, gift.language)  # the donor's language, not their browser's
    return gift


def _page(template, gift, form, status=200, **extra):
    return render_template(f"payments/{template}.html", gift=gift, form=form, **extra), status


def _manage_page(gift, form, token, status=200):
    return _page("manage", gift, form, status, token=token, card=card_on_file(gift))


@bp.route("/donate/monthly/<token>")
@public
def manage(token):
    return _manage_page(_gift(token), AmountForm(), token)


@bp.route("/donate/monthly/<token>/amount", methods=["POST"])
@public
def manage_amount(token):
    gift, form = _gift(token), AmountForm()
    if form.validate_on_submit():
        try:
            change_monthly_amount(gift, form.gift_cents, bool(form.cover_fee.data))
        except DonationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Your monthly gift is now %(amount)s. We have emailed you a confirmation.",
                    amount=money_filter(gift.amount_cents, gift.currency),
                )
            )
            return redirect(url_for(".manage", token=token))
    return _manage_page(gift, form, token, 400)


@bp.route("/donate/monthly/<token>/card", methods=["GET", "POST"])
@public
def manage_card(token):
    gift, form = _gift(token), CardForm()
    if form.validate_on_submit():
        try:
            collected = replace_card(gift, form.card_token.data)
        except DonationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your new card will be used for your monthly gift."))
            if collected:
                flash(_("The overdue payment went through: thank you!"))
            return redirect(url_for(".manage", token=token))
    form.form_errors.extend(form.card_token.errors)
    status = form_status(form)
    return render_stripe_page("payments/manage_card.html", status, gift=gift, form=form, token=token)


@bp.route("/donate/monthly/<token>/cancel", methods=["GET", "POST"])
@public
def manage_cancel(token):
    gift, form = _gift(token), CancelForm()
    if form.validate_on_submit():
        try:
            cancel_gift(gift)
        except DonationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your monthly gift is cancelled. Thank you for your support."))
            return redirect(url_for(".manage", token=token))
    return _page("manage_cancel", gift, form, form_status(form), token=token)

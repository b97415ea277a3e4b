"""The donor's monthly gift page: change the amount, replace the card, cancel."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import ValidationError

from crm.forms import amount_field, clean_line
from crm.payments.forms.amounts import parse_amount
from crm.payments.forms.donate import TOKEN_RE
from crm.payments.services import DonationError
from crm.payments.services.amounts import amount_rules


class AmountForm(FlaskForm):
    amount = amount_field(_l("New monthly amount"), _l("Enter the amount of your gift."))
    cover_fee = BooleanField(_l("Add the processing fee so the charity receives my whole gift"))
    submit = SubmitField(_l("Change the amount"))

    def validate_amount(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(_l("Enter an amount like 40 or 40.50."))
        try:
            self.gift_cents = amount_rules().check(cents)
        except DonationError as exc:
            raise ValidationError(str(exc)) from exc


class CardForm(FlaskForm):
    card_token = HiddenField(filters=[clean_line])
    submit = SubmitField(_l("Use this card"))

    def validate_card_token(self, field):
        if not TOKEN_RE.match(field.data or ""):
            raise ValidationError(_l("Enter your card details."))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Yes, cancel my monthly gift"))

"""The fundraiser's report of a cash or cheque gift collected for their page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from crm.forms import AMOUNT_MESSAGE, amount_field, email_field, line_field
from crm.fundraising.services.offline import ReportFields
from crm.payments.forms.amounts import parse_amount
from crm.payments.services.offline import OFFLINE_MAX_CENTS


class OfflineReportForm(FlaskForm):
    method = RadioField(
        _l("Received as"),
        choices=[SelectChoice("cash", _l("Cash")), SelectChoice("cheque", _l("Cheque"))],
        default="cash",
        validators=[DataRequired(_l("Choose cash or cheque."))],
    )
    amount = amount_field(_l("Amount"), _l("Enter the amount of the gift."), _l("Like 40, 40.50 or 40,50."))
    received_on = DateField(
        _l("Date received"), validators=[DataRequired(_l("Enter the date the gift was received (YYYY-MM-DD)."))]
    )
    reference = line_field(_l("Cheque number (optional)"), autocomplete="off")
    first_name = line_field(_l("Donor's first name (optional)"), autocomplete="off")
    last_name = line_field(_l("Donor's last name (optional)"), autocomplete="off")
    email = email_field(_l("Donor's email (optional)"), required=False, autocomplete="off")
    wants_receipt = BooleanField(_l("The donor wants a tax receipt (then give their name and full address)"))
    address_line1 = line_field(_l("Address"), max_length=200, autocomplete="off")
    city = line_field(_l("City"), autocomplete="off")
    region = line_field(_l("Province"), autocomplete="off")
    postal_code = line_field(_l("Postal code"), max_length=20, autocomplete="off")
    submit = SubmitField(_l("Report the gift"))

    def validate_amount(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        if not 0 < cents <= OFFLINE_MAX_CENTS:
            raise ValidationError(_l("Enter an amount between 0.01 and 10,000,000."))

    def report_fields(self):
        texts = ("reference", "first_name", "last_name", "email", "address_line1", "city", "region", "postal_code")
        return ReportFields(
            amount_cents=parse_amount(self.amount.data),
            received_on=self.received_on.data,
            method=self.method.data,
            wants_receipt=bool(self.wants_receipt.data),
            **{name: self[name].data or "" for name in texts},
        )

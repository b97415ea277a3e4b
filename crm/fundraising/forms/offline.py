"""The fundraiser's report of a cash or cheque gift collected for their page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from crm.forms import email_field, line_field
from crm.fundraising.services.offline import ReportFields
from crm.payments.forms.amounts import parse_amount
from crm.payments.forms.staff import ReceivedMoneyFields


class OfflineReportForm(ReceivedMoneyFields, FlaskForm):
    method = RadioField(
        _l("Received as"),
        choices=[SelectChoice("cash", _l("Cash")), SelectChoice("cheque", _l("Cheque"))],
        default="cash",
        validators=[DataRequired(_l("Choose cash or cheque."))],
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

    def report_fields(self):
        texts = ("reference", "first_name", "last_name", "email", "address_line1", "city", "region", "postal_code")
        return ReportFields(
            amount_cents=parse_amount(self.amount.data),
            received_on=self.received_on.data,
            method=self.method.data,
            wants_receipt=bool(self.wants_receipt.data),
            **{name: self[name].data or "" for name in texts},
        )

"""Forms of the staff donation screens: list filters, refund, receipt actions, offline gift."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from crm.forms import (
    AMOUNT_MESSAGE,
    FilterForm,
    Length,
    amount_field,
    clean_line,
    date_field,
    email_field,
    language_choices,
    line_field,
    search_field,
    select_filter,
)
from crm.i18n import money_filter
from crm.lists import ListWords
from crm.payments.forms.amounts import parse_amount
from crm.payments.forms.donate import DESIGNATION_RE
from crm.payments.services.backoffice import KEY_RE
from crm.payments.services.offline import OFFLINE_MAX_CENTS, OfflineGift

STATUS_LABELS = {
    "pending": _l("Pending"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partly refunded"),
    "disputed": _l("Disputed"),
    "cancelled": _l("Cancelled"),  # imported history only
}
KIND_LABELS = {"one_time": _l("One-time"), "monthly": _l("Monthly")}
# bank, paypal and other: imported history only.
METHOD_LABELS = {
    "card": _l("Card"), "cheque": _l("Cheque"), "cash": _l("Cash"), "bank": _l("Bank transfer"),
    "paypal": _l("PayPal"), "other": _l("Other"),
}  # fmt: skip


def _choices(labels, empty=None):
    pairs = [SelectChoice(value, label) for value, label in labels.items()]
    return [SelectChoice("", empty), *pairs] if empty else pairs


class DonationSearchForm(FilterForm):
    """The donation list's search and filters."""

    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s donations"),
        _l("Showing %(first)s to %(last)s of more than %(total)s donations"),
        _l("No donations match."),
    )
    q = search_field(description=_l("A name, an email, a Stripe id (pi_, in_, cus_, ch_) or a receipt number."))
    status = select_filter(_l("Status"), STATUS_LABELS)
    kind = select_filter(_l("One-time or monthly"), KIND_LABELS)
    designation = select_filter(_l("Designation"))
    source = StringField(_l("Source"), validators=[Optional(), Length(max=200)], filters=[clean_line])
    date_from = date_field(_l("From"))
    date_to = date_field(_l("Until"))


class RefundForm(FlaskForm):
    amount = amount_field(_l("Amount to refund"), _l("Enter the amount to refund."))
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the gift is refunded.")),
            Length(max=500, message=_l("Use at most %(max)d characters.")),
        ],
        filters=[clean_line],
    )
    idempotency_key = HiddenField(filters=[clean_line])
    # Set by the confirmation page's button: without it, a valid form only shows what will happen.
    confirmed = HiddenField(filters=[clean_line])
    submit = SubmitField(_l("Refund"))

    def __init__(self, donation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.donation = donation
        self.cents = None
        # Never prefilled with everything that is left: staff type the amount, told the most it can be.
        self.amount.description = _l(
            "At most %(amount)s, what is left of this gift. Like 40 or 40,50.",
            amount=money_filter(donation.net_cents, donation.currency),
        )
        if kwargs.get("formdata", True) is None or not self.is_submitted():
            # A fresh key each time the form is shown: a retried or doubled post carries the same one.
            self.idempotency_key.data = str(uuid.uuid4())

    @property
    def is_confirmed(self):
        return self.confirmed.data == "yes"

    def validate_amount(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        if cents <= 0:
            raise ValidationError(_l("Enter an amount above zero."))
        if cents > self.donation.net_cents:
            raise ValidationError(_l("That is more than what is left of this gift."))
        self.cents = cents

    def validate_idempotency_key(self, field):
        if not KEY_RE.match(field.data or ""):
            raise ValidationError(_l("This form has expired. Open the gift again and retry."))

    def refund_args(self):
        """(amount in cents, reason, idempotency key) of a validated form, as refund_donation takes them."""
        return self.cents, self.reason.data, self.idempotency_key.data


class ReceiptActionForm(FlaskForm):
    """Cancel a receipt, or cancel it and issue a corrected one (after a confirmation page)."""

    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the receipt changes.")),
            Length(max=500, message=_l("Use at most %(max)d characters.")),
        ],
        filters=[clean_line],
    )
    confirmed = HiddenField(filters=[clean_line])

    @property
    def is_confirmed(self):
        return self.confirmed.data == "yes"


class ReceivedMoneyFields:
    """The amount and the day of a cheque or cash gift, as staff or a fundraiser type them."""

    amount = amount_field(_l("Amount"), _l("Enter the amount of the gift."), _l("Like 40, 40.50 or 40,50."))
    received_on = DateField(
        _l("Date received"), validators=[DataRequired(_l("Enter the date the gift was received (YYYY-MM-DD)."))]
    )

    def validate_amount(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        if not 0 < cents <= OFFLINE_MAX_CENTS:
            raise ValidationError(_l("Enter an amount between 0.01 and 10,000,000."))


class OfflineGiftForm(ReceivedMoneyFields, FlaskForm):
    email = email_field()
    first_name = line_field(_l("First name"), _l("Enter the donor's first name."), autocomplete="off")
    last_name = line_field(_l("Last name"), _l("Enter the donor's last name."), autocomplete="off")
    address_line1 = line_field(_l("Address"), _l("Enter the donor's address."), max_length=200, autocomplete="off")
    city = line_field(_l("City"), _l("Enter the city."), autocomplete="off")
    region = line_field(_l("Province or state"), _l("Enter the province or state."), autocomplete="off")
    postal_code = line_field(_l("Postal code"), _l("Enter the postal code."), max_length=20, autocomplete="off")
    country = StringField(
        _l("Country"),
        default="CA",
        validators=[
            DataRequired(_l("Enter a two-letter country code.")),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Enter a two-letter country code, such as CA.")),
        ],
        filters=[clean_line],
        description=_l("Two letters, such as CA."),
    )
    language = SelectField(_l("Language of the receipt"), choices=language_choices, default="en")
    method = RadioField(
        _l("Received as"),
        choices=[SelectChoice("cheque", _l("Cheque")), SelectChoice("cash", _l("Cash"))],
        default="cheque",
        validators=[DataRequired(_l("Choose cheque or cash."))],
    )
    reference = line_field(_l("Cheque number or reference (optional)"), autocomplete="off")
    designation = StringField(
        _l("Designation (optional)"),
        validators=[
            Optional(),
            Regexp(DESIGNATION_RE, message=_l("Use lower-case letters, digits and dashes, such as spring-appeal.")),
        ],
        filters=[clean_line],
        description=_l("Leave empty for the general fund."),
    )
    submit = SubmitField(_l("Record the gift"))

    def offline_gift(self):
        donor = {name: self[name].data or "" for name in ("first_name", "last_name", "address_line1", "city")}
        donor.update({name: self[name].data or "" for name in ("region", "postal_code", "language")})
        donor["country"] = self.country.data.upper()
        return OfflineGift(
            email=self.email.data,
            amount_cents=parse_amount(self.amount.data),
            received_on=self.received_on.data,
            method=self.method.data,
            reference=self.reference.data or "",
            designation=self.designation.data or "",
            donor=donor,
        )

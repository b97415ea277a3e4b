"""The donation form: amounts are checked here and again, from configuration, by the service."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from crm.forms import (
    Length,
    amount_field,
    clean_line,
    current_language,
    email_field,
    language_choices,
    line_field,
    message_field,
)
from crm.i18n import money_filter
from crm.payments.forms.amounts import parse_amount
from crm.payments.forms.submission import SubmissionKeyMixin
from crm.payments.services import DonationError, GiftRequest
from crm.payments.services.amounts import amount_rules
from crm.supporters.forms.consent import ConsentBoxMixin
from crm.supporters.spam import honeypot_field

OTHER = "other"
DESIGNATION_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
TOKEN_RE = re.compile(r"^tok_[A-Za-z0-9_]{1,250}$")
FREQUENCY_CHOICES = [SelectChoice("one_time", _l("Once")), SelectChoice("monthly", _l("Monthly"))]
TRIBUTE_CHOICES = [
    SelectChoice("", _l("No tribute")),
    SelectChoice("honour", _l("In honour of someone")),
    SelectChoice("memory", _l("In memory of someone")),
]


def clean_designation(value):
    value = clean_line(value or "").lower()
    return value if DESIGNATION_RE.match(value) else ""


class DonationForm(ConsentBoxMixin, SubmissionKeyMixin, FlaskForm):
    WALL_FIELDS = (
        "tribute_kind",
        "tribute_name",
        "tribute_notify_email",
        "tribute_note",
        "show_on_wall",
        "wall_name",
        "message",
    )
    frequency = RadioField(_l("How often"), choices=FREQUENCY_CHOICES, default="one_time")
    amount = RadioField(_l("Gift amount"), validators=[DataRequired(_l("Choose an amount."))])
    custom_amount = amount_field(_l("Your amount"))
    cover_fee = BooleanField(_l("Add the processing fee so the charity receives my whole gift"))
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    last_name = line_field(_l("Last name"), _l("Enter your last name."), autocomplete="family-name")
    email = email_field()
    address_line1 = line_field(_l("Address"), _l("Enter your address."), max_length=200, autocomplete="address-line1")
    city = line_field(_l("City"), _l("Enter your city."), autocomplete="address-level2")
    region = line_field(_l("Province or state"), _l("Enter your province or state."), autocomplete="address-level1")
    postal_code = line_field(
        _l("Postal code"), _l("Enter your postal code."), max_length=20, autocomplete="postal-code"
    )
    country = SelectField(
        _l("Country"),
        choices=[SelectChoice("CA", _l("Canada")), SelectChoice("US", _l("United States"))],
        default="CA",
        render_kw={"autocomplete": "country"},
    )
    language = SelectField(_l("Language for your receipt"), choices=language_choices, default=current_language)
    tribute_kind = SelectField(_l("Make this gift a tribute (optional)"), choices=TRIBUTE_CHOICES, default="")
    tribute_name = line_field(_l("Name of the person honoured or remembered"), max_length=200)
    tribute_notify_email = EmailField(
        _l("Email of someone to tell about this tribute (optional)"),
        validators=[Optional(), Length(max=254), Email(_l("Enter a valid email address."))],
        filters=[clean_line],
    )
    tribute_note = message_field(_l("Note to that person (optional)"))
    show_on_wall = BooleanField(_l("Show my gift on the public donor wall"))
    wall_name = line_field(_l("Name to show on the wall (optional)"))
    message = message_field(_l("Message (optional)"))
    consent = BooleanField()
    wording_version = HiddenField()
    designation = HiddenField(filters=[clean_designation])
    card_token = HiddenField(filters=[clean_line])
    website = honeypot_field()
    submit = SubmitField(_l("Give now"))

    def __init__(self, *args, presets=None, **kwargs):
        """`presets`: the amount buttons in cents (a campaign's suggested amounts), else the configured ones."""
        super().__init__(*args, **kwargs)
        self.rules = amount_rules()
        self.presets = self._allowed(presets) or self.rules.presets
        self.amount.choices = [SelectChoice(str(cents), money_filter(cents)) for cents in self.presets] + [
            SelectChoice(OTHER, _l("Other amount"))
        ]
        self.gift_cents = None
        if not self.is_submitted() and self.amount.data is None and self.presets:
            # The first suggested amount is chosen to start with, so the total is never blank.
            self.amount.data = str(self.presets[0])
        self._label_consent_box()

    def _allowed(self, presets):
        """The given amounts the rules accept, each once, in order (a campaign may have set anything)."""
        allowed = []
        for cents in presets or ():
            try:
                cents = self.rules.check(cents)
            except DonationError:
                continue
            if cents not in allowed:
                allowed.append(cents)
        return tuple(allowed)

    def validate_custom_amount(self, field):
        if self.amount.data != OTHER:
            return
        if not field.data:
            raise ValidationError(_l("Enter the amount of your gift."))
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(_l("Enter an amount like 40 or 40.50."))
        try:
            self.gift_cents = self.rules.check(cents)
        except DonationError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_amount(self, field):
        presets = {str(cents): cents for cents in self.presets}
        if field.data in presets:
            self.gift_cents = presets[field.data]  # anything else posted is refused by the RadioField

    def validate_tribute_name(self, field):
        if self.tribute_kind.data and not field.data:
            raise ValidationError(_l("Enter the name of the person this gift honours or remembers."))

    def validate_card_token(self, field):
        if not TOKEN_RE.match(field.data or ""):
            raise ValidationError(_l("Enter your card details."))

    def total_preview(self):
        """Return the total in cents to show before any script runs, or None when no preset is chosen."""
        cents = {str(cents): cents for cents in self.presets}.get(self.amount.data)
        if cents is None:
            return None
        return cents + (self.rules.fee_for(cents) if self.cover_fee.data else 0)

    def fee_table(self):
        """Return [(preset cents, extra cents)] for the processing fee note."""
        return [(cents, self.rules.fee_for(cents)) for cents in self.presets]

    def wall_fields(self):
        """The fields of the form's "tribute, donor wall and message" part, in order."""
        return [self[name] for name in self.WALL_FIELDS]

    def gift_request(self, attribution):
        donor = {name: getattr(self, name).data or "" for name in ("first_name", "last_name", "address_line1")}
        donor.update({name: getattr(self, name).data or "" for name in ("city", "region", "postal_code")})
        donor.update(country=self.country.data, language=self.language.data)
        gift = {
            "designation": self.designation.data or "",
            "show_on_wall": bool(self.show_on_wall.data),
            "wall_name": self.wall_name.data or "" if self.show_on_wall.data else "",
            "message": self.message.data or "",
            "tribute_kind": self.tribute_kind.data or "",
            "tribute_name": self.tribute_name.data or "" if self.tribute_kind.data else "",
            "tribute_notify_email": self.tribute_notify_email.data or "" if self.tribute_kind.data else "",
            "tribute_note": self.tribute_note.data or "" if self.tribute_kind.data else "",
        }
        return GiftRequest(
            email=self.email.data,
            gift_cents=self.gift_cents,
            cover_fee=bool(self.cover_fee.data),
            card_token=self.card_token.data,
            kind=self.frequency.data,
            donor=donor,
            gift=gift,
            attribution=attribution,
            submission_key=self.posted_submission_key,
        )

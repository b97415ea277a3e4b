"""Shared form tools every feature's forms use: filters, validators, common fields, language choices.

`Length` stops the field's validation when the value is too long, so no costly check (an email
validator, a regular expression) ever runs on a value already refused; WTForms' own Length lets
the chain go on. `clean_line` and `clean_text` are the filters for what people type: PostgreSQL
refuses NUL, and no other control character is ever meant in a name, a topic or a message.
"""

import re

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SearchField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional, StopValidation, ValidationError
from wtforms.validators import Length as _Length

from crm.i18n import LANGUAGE_NAMES
from crm.normalize import normalize_email

AMOUNT_MESSAGE = _l("Enter an amount like 40, 40.50 or 40,50.")

_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_MESSAGE = 5000


class Length(_Length):
    """WTForms' Length, but a failure ends the field's validation at once."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as error:
            field.errors[:] = []
            raise StopValidation(str(error)) from error


def clean_line(value):
    """Filter: drop control characters and surrounding spaces from a one-line answer."""
    if not isinstance(value, str):
        return value
    return _CONTROL_LINE.sub("", value).strip()


def clean_text(value):
    """Filter: like clean_line, but keep line breaks (as \\n) and tabs in a message."""
    if not isinstance(value, str):
        return value
    return _CONTROL_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def current_language():
    """The language of this request (a field default: the form opens in the visitor's language)."""
    return str(get_locale())


def language_choices():
    """The languages of SUPPORTED_LOCALES, each named in itself and marked so for screen readers."""
    codes = current_app.config["SUPPORTED_LOCALES"]
    return [SelectChoice(code, LANGUAGE_NAMES.get(code, code), render_kw={"lang": code}) for code in codes]


def _fits_email_column(form, field):
    # Case folding can lengthen an address (ß -> ss); the stored form must fit the column.
    if field.data and len(normalize_email(field.data)) > 254:
        raise ValidationError(_l("Enter a valid email address."))


def email_field(label=None, required=True, autocomplete="email", **kwargs):
    """An email address: required by default, checked, and fitting the column once normalised."""
    first = DataRequired(_l("Enter your email address.")) if required else Optional()
    return EmailField(
        label or _l("Email"),
        validators=[first, Length(max=254), Email(_l("Enter a valid email address.")), _fits_email_column],
        filters=[clean_line],
        render_kw={"autocomplete": autocomplete},
        **kwargs,
    )


def line_field(label, required_message=None, max_length=100, autocomplete=None):
    """One line of text, optional unless `required_message` says what to enter."""
    required = DataRequired(required_message) if required_message else Optional()
    return StringField(
        label,
        validators=[required, Length(max=max_length, message=_l("Use at most %(max)d characters."))],
        filters=[clean_line],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


def amount_field(label, required_message=None, description=None, **kwargs):
    """An amount of money as typed (40, 40.50 or 40,50), optional unless `required_message` says what
    to enter; the form turns it into cents with crm.payments.forms.amounts.parse_amount."""
    required = DataRequired(required_message) if required_message else Optional()
    return StringField(
        label,
        validators=[required, Length(max=20, message=AMOUNT_MESSAGE)],
        filters=[clean_line],
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        **kwargs,
    )


def message_field(label, required_message=None, max_length=MAX_MESSAGE):
    """A message of several lines, optional unless `required_message` says what to enter."""
    required = DataRequired(required_message) if required_message else Optional()
    return TextAreaField(
        label,
        validators=[required, Length(max=max_length, message=_l("Use at most %(max)d characters."))],
        filters=[clean_text],
        render_kw={"rows": 6},
    )


def phone_field():
    return TelField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40, message=_l("Use at most %(max)d characters."))],
        filters=[clean_line],
        render_kw={"autocomplete": "tel"},
    )


# --- staff lists ---------------------------------------------------------------------------------


class FilterForm(FlaskForm):
    """A staff list's search and filters: a GET form (no CSRF token), so they stay in the URL.

    The `list_filters` macro (templates/_macros.html) shows its search boxes first, then every other
    field in the order declared. `words` are the list's counting sentences (crm.lists.ListWords).
    """

    words = None

    class Meta:
        csrf = False

    def offer(self, name, values):
        """Let the select `name` offer these values (tags, sources, designations in use), after "Any"."""
        self[name].choices = any_choices((value, value) for value in values)


def select_filter(label, labels=None):
    """A list filter's select: "Any", then `labels` ({value: label}); without labels, values come from offer()."""
    if labels is None:
        return SelectField(label, choices=[], default="", validate_choice=False)
    return SelectField(label, choices=any_choices(labels), default="")


def search_field(label=None, description=None):
    """The search box of a staff list ("Search" unless labelled): one line, at most 200 characters."""
    return SearchField(
        label or _l("Search"), validators=[Optional(), Length(max=200)], filters=[clean_line], description=description
    )


def date_field(label):
    """One end of a list's date range (YYYY-MM-DD, as a browser's date picker sends it)."""
    return DateField(label, validators=[Optional()])


def any_choices(pairs):
    """A filter select's choices: "Any" (the empty value) first, then SelectChoices, pairs or a dict's items."""
    pairs = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice("", _l("Any")), *(p if isinstance(p, SelectChoice) else SelectChoice(*p) for p in pairs)]


def form_status(form):
    """The status of a page that shows `form`: 200 when it is first shown, 400 when it comes back sent.

    A view that redirects after a valid form only shows it again when something was wrong with it.
    """
    return 400 if form.is_submitted() else 200


def filter_status(form, args):
    """The status of a staff list whose filter form reads the query string: 400 when the filter is wrong."""
    return 400 if args and not form.validate() else 200

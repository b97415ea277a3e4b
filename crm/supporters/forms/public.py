"""One form per public screen: newsletter, fundraiser interest, media and events inquiries."""

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from crm.forms import Length
from crm.i18n import LANGUAGE_NAMES
from crm.normalize import normalize_email
from crm.supporters.services.signups import ShownWording
from crm.supporters.spam import honeypot_field, started_field
from crm.supporters.wording import CURRENT, WORDING, consent_wording

# PostgreSQL refuses NUL; other control characters are never meant in a name or a topic.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_MESSAGE = 5000


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


def _current_language():
    return str(get_locale())


def _fits_email_column(form, field):
    # Case folding can lengthen an address (ß -> ss); the stored form must fit the column.
    if field.data and len(normalize_email(field.data)) > 254:
        raise ValidationError(_l("Enter a valid email address."))


def email_field():
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254),
            Email(_l("Enter a valid email address.")),
            _fits_email_column,
        ],
        filters=[clean_line],
        render_kw={"autocomplete": "email"},
    )


def line_field(label, required_message=None, max_length=100, autocomplete=None):
    required = DataRequired(required_message) if required_message else Optional()
    return StringField(
        label,
        validators=[required, Length(max=max_length, message=_l("Use at most %(max)d characters."))],
        filters=[clean_line],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


def message_field(label, required_message=None):
    required = DataRequired(required_message) if required_message else Optional()
    return TextAreaField(
        label,
        validators=[required, Length(max=MAX_MESSAGE, message=_l("Use at most %(max)d characters."))],
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


class ConsentBoxMixin:
    """A consent box labelled with the exact, versioned words of `consent_purpose`.

    The version shown travels in a hidden field, so what is recorded is what the person read,
    even if the wording changed between showing the form and sending it.
    """

    consent_purpose = "newsletter"

    def _label_consent_box(self):
        self.consent_language = _current_language()
        posted = self.wording_version.data
        self._version_known = (self.consent_purpose, posted) in WORDING
        version = posted if self._version_known else CURRENT[self.consent_purpose]
        text, version = consent_wording(self.consent_purpose, self.consent_language, version)
        self.consent.label.text = text
        self.wording_version.data = version

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.consent.data and not self._version_known:
            self.consent.data = False
            self.consent.errors.append(_l("The wording of this box has changed. Please read it and tick it again."))
            return False
        return valid

    def shown_wording(self):
        """Return the words of the ticked box, or None when it is not ticked."""
        if not self.consent.data:
            return None
        return ShownWording(self.consent.label.text, self.wording_version.data)


# Each language named in itself, and marked as such for screen readers.
LANGUAGE_CHOICES = [SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in ("en", "fr")]
EVENT_KIND_CHOICES = [
    SelectChoice("", _l("Choose one")),
    SelectChoice("birthday", _l("Birthday")),
    SelectChoice("polar_dip", _l("Polar dip")),
    SelectChoice("run_walk", _l("Run or walk")),
    SelectChoice("in_memory", _l("In memory of someone")),
    SelectChoice("other", _l("Other")),
]
# Stored as the English phrase, so the staff queue reads the same whatever the visitor's language.
EVENT_TOPIC_CHOICES = [
    SelectChoice("", _l("Choose one")),
    SelectChoice("help with my event", _l("Help with my event")),
    SelectChoice("general question", _l("General question")),
    SelectChoice("partnership or sponsorship", _l("Partnership or sponsorship")),
    SelectChoice("other", _l("Other")),
]


class NewsletterForm(ConsentBoxMixin, FlaskForm):
    email = email_field()
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    language = SelectField(_l("Preferred language for our emails"), choices=LANGUAGE_CHOICES, default=_current_language)
    consent = BooleanField(validators=[DataRequired(_l("Tick the box to confirm you want our emails."))])
    wording_version = HiddenField()
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Sign up"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()


class FundraiserInterestForm(ConsentBoxMixin, FlaskForm):
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    last_name = line_field(_l("Last name"), _l("Enter your last name."), autocomplete="family-name")
    email = email_field()
    phone = phone_field()
    event_kind = SelectField(
        _l("What kind of event are you thinking of?"),
        choices=EVENT_KIND_CHOICES,
        validators=[DataRequired(_l("Choose the kind of event."))],
    )
    planned_on = DateField(
        _l("Planned date (optional)"),
        validators=[Optional()],
        description=_l("An idea is enough; you can change it later."),
    )
    message = message_field(_l("Anything you would like to tell us? (optional)"))
    consent = BooleanField()
    wording_version = HiddenField()
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()


class MediaInquiryForm(FlaskForm):
    name = line_field(_l("Your name"), _l("Enter your name."), max_length=200, autocomplete="name")
    outlet = line_field(_l("Media outlet"), _l("Enter your media outlet."), max_length=200, autocomplete="organization")
    email = email_field()
    phone = phone_field()
    deadline = DateField(_l("Your deadline (optional)"), validators=[Optional()])
    topic = line_field(_l("Topic"), _l("Tell us the topic of your story."), max_length=200)
    message = message_field(_l("Your questions or request"), _l("Enter your message."))
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))


class EventsInquiryForm(FlaskForm):
    name = line_field(_l("Your name"), _l("Enter your name."), max_length=200, autocomplete="name")
    email = email_field()
    topic = SelectField(
        _l("What is it about?"),
        choices=EVENT_TOPIC_CHOICES,
        validators=[DataRequired(_l("Choose what your message is about."))],
    )
    message = message_field(_l("Your message"), _l("Enter your message."))
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))

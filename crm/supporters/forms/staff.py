"""Forms of the staff supporter screens and the inquiry queue (one per screen or action)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp

from crm.forms import (
    FilterForm,
    Length,
    any_choices,
    clean_line,
    clean_text,
    date_field,
    email_field,
    language_choices,
    search_field,
    select_filter,
)
from crm.lists import ListWords
from crm.supporters.models import PURPOSES
from crm.supporters.services.records import NOTE_MAX_LENGTH, TAG_MAX_LENGTH


def options(pairs):
    """Return SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


SORT_CHOICES = [
    ("-created", _l("Newest first")),
    ("created", _l("Oldest first")),
    ("name", _l("Name (A to Z)")),
    ("-name", _l("Name (Z to A)")),
    ("email", _l("Email (A to Z)")),
    ("-email", _l("Email (Z to A)")),
]
PURPOSE_LABELS = {
    "newsletter": _l("Newsletter"),
    "fundraising_news": _l("Fundraising news"),
    "fundraiser_tips": _l("Fundraiser tips"),
    "all": _l("All purposes"),
}
CONSENT_CHOICES = [
    ("", _l("Any")),
    *(
        (f"subscribed:{purpose}", _l("May be emailed: %(purpose)s", purpose=PURPOSE_LABELS[purpose]))
        for purpose in PURPOSES
    ),
    ("withdrawn", _l("Has withdrawn consent")),
    ("none", _l("No consent recorded")),
]


class SupporterSearchForm(FilterForm):
    """The supporter list's search, filters and order."""

    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s supporters"),
        _l("Showing %(first)s to %(last)s of more than %(total)s supporters"),
        _l("No supporters match."),
    )
    q = search_field(_l("Search by name or email"))
    tag = select_filter(_l("Tag"))
    consent = SelectField(_l("Consent"), choices=options(CONSENT_CHOICES), default="")
    language = SelectField(_l("Language"), choices=lambda: any_choices(language_choices()), default="")
    source = StringField(_l("Source"), validators=[Optional(), Length(max=200)], filters=[clean_line])
    signed_up_from = date_field(_l("Signed up from"))
    signed_up_to = date_field(_l("Signed up until"))
    sort = SelectField(_l("Sort by"), choices=options(SORT_CHOICES), default="-created")


def _text(label, max_length, **kwargs):
    return StringField(label, validators=[Optional(), Length(max=max_length)], filters=[clean_line], **kwargs)


class SupporterEditForm(FlaskForm):
    email = email_field(
        required=False, autocomplete="off", description=_l("Leave empty if the person has no email address.")
    )
    first_name = _text(_l("First name"), 100)
    last_name = _text(_l("Last name"), 100)
    phone = _text(_l("Phone"), 40, render_kw={"type": "tel", "autocomplete": "off"})
    organization = _text(_l("Organization"), 200)
    address_line1 = _text(_l("Address"), 200)
    address_line2 = _text(_l("Address (line 2)"), 200)
    city = _text(_l("City"), 100)
    region = _text(_l("Province or state"), 100)
    postal_code = _text(_l("Postal code"), 20)
    country = StringField(
        _l("Country"),
        validators=[
            DataRequired(_l("Enter a two-letter country code.")),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Enter a two-letter country code, such as CA.")),
        ],
        filters=[clean_line],
        description=_l("Two letters, such as CA."),
    )
    language = SelectField(_l("Language"), choices=language_choices)
    submit = SubmitField(_l("Save changes"))


class TagForm(FlaskForm):
    name = StringField(
        _l("New tag"),
        validators=[
            DataRequired(_l("Enter a tag name.")),
            Length(max=TAG_MAX_LENGTH, message=_l("A tag name has 1 to %(max)d characters.")),
        ],
        filters=[clean_line],
    )
    submit = SubmitField(_l("Add tag"))


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(_l("Write the note first.")),
            Length(max=NOTE_MAX_LENGTH, message=_l("A note has at most %(max)d characters.")),
        ],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Add note"))


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: remove a tag, mark answered, close."""

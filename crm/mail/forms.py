"""Forms of the staff mail screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from crm.forms import FilterForm, Length, language_choices, search_field, select_filter
from crm.lists import ListWords

EMAIL_STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
    "skipped": _l("Skipped"),
}


class OutboxSearchForm(FilterForm):
    """The outbox list's search and filters."""

    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s messages"),
        _l("Showing %(first)s to %(last)s of more than %(total)s messages"),
        _l("No messages match."),
    )
    recipient = search_field(_l("Recipient"), description=_l("All or part of an email address."))
    status = select_filter(_l("Status"), EMAIL_STATUS_LABELS)
    template = select_filter(_l("Message"))


class EmailCopyForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=300)])
    body = TextAreaField(
        _l("Body"),
        validators=[DataRequired(_l("Write the message.")), Length(max=20000)],
        description=_l("Plain text; a blank line starts a new paragraph. Variables: {{ first_name }}, {{ name }}."),
        render_kw={"rows": 14},
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))


class StepForm(FlaskForm):
    delay_hours = IntegerField(
        _l("Hours after the start"), validators=[InputRequired(), NumberRange(min=0, max=24 * 365)]
    )
    submit = SubmitField(_l("Save"))


class EventStepForm(FlaskForm):
    """The timing of a step anchored on an event: so many hours before or after it."""

    hours = IntegerField(_l("Hours"), validators=[InputRequired(), NumberRange(min=0, max=24 * 365)])
    side = SelectField(
        _l("When"),
        choices=[SelectChoice("before", _l("Before the event")), SelectChoice("after", _l("After the event"))],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save"))

    @classmethod
    def for_step(cls, step, **kwargs):
        side = "before" if step.delay_hours < 0 else "after"
        return cls(hours=abs(step.delay_hours), side=side, **kwargs)

    @property
    def delay_hours(self):
        """The signed delay the step keeps (negative: before the event)."""
        return -self.hours.data if self.side.data == "before" else self.hours.data


class SequenceForm(FlaskForm):
    active = BooleanField(_l("Active: enrol new people"))
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    """An empty form: a button with its CSRF token."""

    submit = SubmitField(_l("Confirm"))


class PreviewForm(FilterForm):
    """Whom a preview is for: the language, and each choice the messages offer (a page's occasion)."""

    language = SelectField(_l("Language"), choices=language_choices, default="en")

    @classmethod
    def for_choices(cls, choices, formdata=None, **kwargs):
        """The form with one select per PreviewChoice, read from `formdata` (the query string)."""
        fields = {
            choice.variable: SelectField(
                choice.label,
                choices=[SelectChoice(value, label) for value, label in choice.options.items()],
                default="",
            )
            for choice in choices
        }
        form = type("ChosenPreviewForm", (cls,), fields)(formdata=formdata, **kwargs)
        form.choice_names = list(fields)
        return form

    @property
    def picked(self):
        """{variable: value} of the choices, only those with a known value."""
        known = {name: {choice.value for choice in self[name].choices} for name in self.choice_names}
        return {name: self[name].data for name in self.choice_names if self[name].data in known[name]}

    @property
    def shown_language(self):
        """The language asked for, if it is one we write in (else None: nothing asked yet)."""
        return self.language.data if self.language.raw_data and self.language.validate(self) else None

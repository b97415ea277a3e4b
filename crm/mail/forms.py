"""Forms of the staff mail screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from crm.forms import Length


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


class SequenceForm(FlaskForm):
    active = BooleanField(_l("Active: enrol new people"))
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    """An empty form: a button with its CSRF token."""

    submit = SubmitField(_l("Confirm"))

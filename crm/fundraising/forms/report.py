"""A visitor's "report this page"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from crm.forms import message_field
from crm.fundraising.services.flags import FLAG_REASONS, MAX_DETAILS
from crm.supporters.spam import honeypot_field, started_field


class ReportPageForm(FlaskForm):
    reason = RadioField(
        _l("What is wrong with this page?"),
        choices=[SelectChoice(value, label) for value, label in FLAG_REASONS.items()],
        validators=[DataRequired(_l("Choose what is wrong."))],
    )
    details = message_field(_l("Tell us more (optional)"), max_length=MAX_DETAILS)
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send the report"))

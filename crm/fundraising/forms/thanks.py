"""The fundraiser's thank-you message to their donors."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from crm.forms import message_field
from crm.fundraising.services.thanks import MAX_THANKS


class ThanksForm(FlaskForm):
    message = message_field(_l("Your message"), _l("Write your thank-you message."), max_length=MAX_THANKS)
    submit = SubmitField(_l("Send my thanks"))

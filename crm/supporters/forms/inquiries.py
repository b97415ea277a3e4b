"""Assigning and answering an inquiry (staff)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from crm.forms import Length, clean_text
from crm.supporters.forms.staff import options
from crm.supporters.services.records import NOTE_MAX_LENGTH


class AssignInquiryForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[])
    submit = SubmitField(_l("Assign"))

    def set_assignees(self, users):
        self.assignee.choices = options((user.id, user.email) for user in users)


class InquiryReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply"),
        validators=[
            DataRequired(_l("Write the reply first.")),
            Length(max=NOTE_MAX_LENGTH, message=_l("A reply has at most %(max)d characters.")),
        ],
        filters=[clean_text],
        description=_l("Record what was answered. No email is sent from here."),
    )
    submit = SubmitField(_l("Record reply"))

"""The erasure confirmation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from crm.forms import Length, clean_line
from crm.supporters.services.privacy import is_confirm_word


class EraseForm(FlaskForm):
    confirm = StringField(
        _l("Type ERASE to confirm"),
        validators=[InputRequired(_l("Type the word ERASE to confirm.")), Length(max=20)],
        filters=[clean_line],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Erase this person's data"))

    def validate_confirm(self, field):
        if not is_confirm_word(field.data):
            raise ValidationError(_l("Type the word ERASE to confirm."))

"""Forms of the preference centre."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from crm.supporters.models import PURPOSES
from crm.supporters.wording import consent_wording

LANGUAGES = {"en": "English", "fr": "Français"}


def preference_form(language, subscriptions, supporter_language):
    """Build the form: one box per purpose, labelled with the exact consent wording shown."""
    fields = {purpose: BooleanField(consent_wording(purpose, language)[0]) for purpose in PURPOSES}
    fields["language"] = SelectField(
        _l("Language for our emails"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    fields["submit"] = SubmitField(_l("Save my choices"))
    form_class = type("PreferenceForm", (FlaskForm,), fields)
    chosen = supporter_language if supporter_language in LANGUAGES else "en"
    return form_class(language=chosen, **subscriptions)


class UnsubscribeAllForm(FlaskForm):
    submit = SubmitField(_l("Unsubscribe from everything"))

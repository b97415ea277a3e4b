"""Forms of the preference centre."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField

from crm.forms import language_choices
from crm.supporters.models import PURPOSES
from crm.supporters.wording import consent_wording


def preference_form(language, subscriptions, supporter_language):
    """Build the form: one box per purpose, labelled with the exact consent wording shown."""
    fields = {purpose: BooleanField(consent_wording(purpose, language)[0]) for purpose in PURPOSES}
    fields["language"] = SelectField(_l("Language for our emails"), choices=language_choices)
    fields["submit"] = SubmitField(_l("Save my choices"))
    form_class = type("PreferenceForm", (FlaskForm,), fields)
    languages = current_app.config["SUPPORTED_LOCALES"]
    chosen = supporter_language if supporter_language in languages else languages[0]
    return form_class(language=chosen, **subscriptions)


class UnsubscribeAllForm(FlaskForm):
    submit = SubmitField(_l("Unsubscribe from everything"))

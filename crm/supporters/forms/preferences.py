"""Forms of the preference centre."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField

from crm.forms import language_choices
from crm.supporters.forms.consent import CHANGED, shown_language
from crm.supporters.models import PURPOSES
from crm.supporters.services.signups import ShownWording
from crm.supporters.wording import CURRENT, WORDING, consent_wording


class PreferenceFormBase(FlaskForm):
    """One box per purpose; hidden fields carry the language and versions of the words shown."""

    def label_boxes(self, language):
        """Label each box in `language`, in the version the sent page showed (or the current one)."""
        self._shown, self._unknown = {}, []
        shown_in = shown_language(self.wording_language.data)
        for purpose in PURPOSES:
            posted = self[f"{purpose}_version"].data
            version = posted if (purpose, posted) in WORDING else CURRENT[purpose]
            if posted and version != posted:
                self._unknown.append(purpose)
            self._shown[purpose] = ShownWording(*consent_wording(purpose, shown_in, version), shown_in)
            self[purpose].label.text = consent_wording(purpose, language, version)[0]
            self[f"{purpose}_version"].data = version
        self.wording_language.data = language  # what a page shown again now shows

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for purpose in self._unknown:
            if self[purpose].data:
                self[purpose].data = False
                self[purpose].errors.append(CHANGED)
                valid = False
        return valid

    def shown_wording(self):
        """Return {purpose: ShownWording}: the words each box had on the page that was sent."""
        return dict(self._shown)


def preference_form(language, subscriptions, supporter_language):
    """Build the form: one box per purpose, labelled with the exact consent wording shown."""
    fields = {purpose: BooleanField(consent_wording(purpose, language)[0]) for purpose in PURPOSES}
    fields.update({f"{purpose}_version": HiddenField() for purpose in PURPOSES})
    fields["wording_language"] = HiddenField()
    fields["language"] = SelectField(_l("Language for our emails"), choices=language_choices)
    fields["submit"] = SubmitField(_l("Save my choices"))
    form_class = type("PreferenceForm", (PreferenceFormBase,), fields)
    languages = current_app.config["SUPPORTED_LOCALES"]
    chosen = supporter_language if supporter_language in languages else languages[0]
    form = form_class(language=chosen, **subscriptions)
    form.label_boxes(language)
    return form


class UnsubscribeAllForm(FlaskForm):
    submit = SubmitField(_l("Unsubscribe from everything"))

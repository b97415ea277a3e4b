"""The consent box every form that offers our emails shows (public forms, gifts, the catalog checkout)."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from crm.forms import current_language
from crm.supporters.services.signups import ShownWording
from crm.supporters.wording import CURRENT, WORDING, consent_wording

CHANGED = _l("The wording of this box has changed. Please read it and tick it again.")


def shown_language(posted):
    """The language a sent form's boxes were shown in: the one it carries if we have words in it, else the page's.

    A form opened in English and sent after a switch to French (or with French chosen for the
    emails) was read in English: the hidden field says so. Only a known language is believed.
    """
    if posted in current_app.config["SUPPORTED_LOCALES"] and any(posted in texts for texts in WORDING.values()):
        return posted
    return current_language()


class ConsentBoxMixin:
    """A consent box labelled with the exact, versioned words of `consent_purpose`.

    The version and the language shown travel in hidden fields, so what is recorded is what the
    person read, even if the wording or the page's language changed between showing and sending.
    The recorded words are always looked up from (version, language), never taken from the form.
    """

    consent_purpose = "newsletter"
    wording_language = HiddenField()

    def _label_consent_box(self):
        self.consent_language = current_language()
        posted = self.wording_version.data
        self._version_known = (self.consent_purpose, posted) in WORDING
        version = posted if self._version_known else CURRENT[self.consent_purpose]
        shown_in = shown_language(self.wording_language.data)
        self._shown = ShownWording(*consent_wording(self.consent_purpose, shown_in, version), shown_in)
        text, version = consent_wording(self.consent_purpose, self.consent_language, version)
        self.consent.label.text = text
        self.wording_version.data = version
        self.wording_language.data = self.consent_language  # what a page shown again now shows

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.consent.data and not self._version_known:
            self.consent.data = False
            self.consent.errors.append(CHANGED)
            return False
        return valid

    def shown_wording(self):
        """Return the words of the ticked box as the sent page showed them, or None when it is not ticked."""
        if not self.consent.data:
            return None
        return self._shown

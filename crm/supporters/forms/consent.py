"""The consent box every form that offers our emails shows (public forms, gifts, the catalog checkout)."""

from flask_babel import lazy_gettext as _l

from crm.forms import current_language
from crm.supporters.services.signups import ShownWording
from crm.supporters.wording import CURRENT, WORDING, consent_wording


class ConsentBoxMixin:
    """A consent box labelled with the exact, versioned words of `consent_purpose`.

    The version shown travels in a hidden field, so what is recorded is what the person read,
    even if the wording changed between showing the form and sending it.
    """

    consent_purpose = "newsletter"

    def _label_consent_box(self):
        self.consent_language = current_language()
        posted = self.wording_version.data
        self._version_known = (self.consent_purpose, posted) in WORDING
        version = posted if self._version_known else CURRENT[self.consent_purpose]
        text, version = consent_wording(self.consent_purpose, self.consent_language, version)
        self.consent.label.text = text
        self.wording_version.data = version

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.consent.data and not self._version_known:
            self.consent.data = False
            self.consent.errors.append(_l("The wording of this box has changed. Please read it and tick it again."))
            return False
        return valid

    def shown_wording(self):
        """Return the words of the ticked box, or None when it is not ticked."""
        if not self.consent.data:
            return None
        return ShownWording(self.consent.label.text, self.wording_version.data)

"""The merge screen and the erasure confirmation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from crm.supporters.models.people import FIELD_LABELS
from crm.supporters.services.merging import MERGE_FIELDS

PICK = [InputRequired(_l("Choose one of the two values."))]


def _ab(label_a="", label_b=""):
    return [SelectChoice("a", label_a), SelectChoice("b", label_b)]


def _pick(name):
    return RadioField(FIELD_LABELS[name], choices=_ab(), validators=PICK)


class MergeForm(FlaskForm):
    """Which record survives, and for each field which record's value to keep ("a" or "b")."""

    survivor = RadioField(_l("Record to keep"), choices=_ab(), validators=PICK)
    # One radio pair per entry of MERGE_FIELDS.
    first_name = _pick("first_name")
    last_name = _pick("last_name")
    email = _pick("email")
    phone = _pick("phone")
    organization = _pick("organization")
    address_line1 = _pick("address_line1")
    address_line2 = _pick("address_line2")
    city = _pick("city")
    region = _pick("region")
    postal_code = _pick("postal_code")
    country = _pick("country")
    language = _pick("language")
    source = _pick("source")
    submit = SubmitField(_l("Merge the two records"))

    def label_choices(self, first, second, blank):
        """Show each record's own value beside its radio button."""
        self.survivor.choices = _ab(first.display_name or blank, second.display_name or blank)
        for name in MERGE_FIELDS:
            self[name].choices = _ab(getattr(first, name) or blank, getattr(second, name) or blank)

    def choices_for(self, first, second):
        """Return (survivor, absorbed, {field: record}) from the submitted answers."""
        records = {"a": first, "b": second}
        survivor = records[self.survivor.data]
        absorbed = second if survivor is first else first
        return survivor, absorbed, {name: records[self[name].data] for name in MERGE_FIELDS}

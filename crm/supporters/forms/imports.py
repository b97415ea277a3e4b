"""One form per import screen: the upload, the column mapping, the dry run / import step."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from crm.forms import Length, clean_line
from crm.supporters.services.import_columns import IGNORE, TARGETS


class UploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file to import.")),
            FileAllowed(["csv", "txt", "tsv"], _l("Choose a .csv file (comma, semicolon or tab separated).")),
        ],
        description=_l("UTF-8 or Windows-1252; exports from CiviCRM, Salesforce NPSP and Donorbox are recognised."),
    )
    source = StringField(
        _l("Source"),
        validators=[Length(max=200)],
        filters=[clean_line],
        description=_l("Where these people came from, for new records without a source column (e.g. gala-2024)."),
    )
    submit = SubmitField(_l("Upload and map the columns"))


class MappingForm(FlaskForm):
    """One select per CSV column; fields `column_0`, `column_1`... are added by mapping_form()."""

    submit = SubmitField(_l("Save and preview"))

    def columns(self):
        return [self[f"column_{index}"] for index in range(self.column_count)]

    def targets(self):
        return [f.data or IGNORE for f in self.columns()]


def mapping_form(headers, targets, **kwargs):
    """Build the mapping form for `headers`, each select pre-filled with its target."""

    class BoundMappingForm(MappingForm):
        column_count = len(headers)

    choices = [SelectChoice(IGNORE, _l("— ignore this column —"))]
    choices += [SelectChoice(target, label) for target, label in TARGETS.items()]
    for index, (header, target) in enumerate(zip(headers, targets, strict=True)):
        label = header or _l("Column %(number)d", number=index + 1)
        setattr(BoundMappingForm, f"column_{index}", SelectField(label, choices=choices, default=target))
    return BoundMappingForm(**kwargs)


class ImportStepForm(FlaskForm):
    """The buttons under the preview: a dry run, then the import."""

    check = SubmitField(_l("Dry run: check every row"))
    run = SubmitField(_l("Import"))

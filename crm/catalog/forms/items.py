"""Forms of the staff catalog screens: an item, a category, a move up or down."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Optional, ValidationError

from crm.catalog.services.items import MAX_CAP, MAX_NAME, MAX_PRICE_CENTS, MAX_TEXT, ItemFields
from crm.forms import AMOUNT_MESSAGE, Length, amount_field, clean_line, clean_text
from crm.money import from_cents
from crm.payments.forms.amounts import parse_amount

TOO_LONG = _l("Use at most %(max)d characters.")
WHOLE_NUMBER = re.compile(r"^[0-9]{1,7}$")


def _name(label, message):
    return StringField(
        label, validators=[DataRequired(message), Length(max=MAX_NAME, message=TOO_LONG)], filters=[clean_line]
    )


def _text(label, description=None):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=MAX_TEXT, message=TOO_LONG)],
        filters=[clean_text],
        description=description,
    )


def _whole(label, description):
    return StringField(
        label,
        validators=[Optional(), Length(max=20)],
        filters=[clean_line],
        description=description,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _number(text):
    return int(text) if text and WHOLE_NUMBER.match(text) else None


class ItemForm(FlaskForm):
    name_en = _name(_l("Name in English"), _l("Enter the item's name in English."))
    name_fr = _name(_l("Name in French"), _l("Enter the item's name in French."))
    description_en = _text(_l("Description in English"))
    description_fr = _text(_l("Description in French"))
    impact_en = _text(_l("Impact statement in English"), _l("What one gift makes possible."))
    impact_fr = _text(_l("Impact statement in French"))
    price = amount_field(_l("Price"), _l("Enter the price."), _l("Like 40, 40.50 or 40,50."))
    category = SelectField(_l("Category"), choices=[], default="", validate_choice=False)
    image = FileField(_l("Image"), description=_l("JPEG, PNG or WebP, at most 5 MB; location data is removed."))
    active = BooleanField(_l("Shown in the catalog"), default=True)
    position = _whole(_l("Place in its category"), _l("1 for the first; leave as is to keep the place."))
    cap = _whole(_l("How many can be given (optional)"), _l("Leave empty for no limit."))
    fmv = amount_field(
        _l("Fair market value per unit of what the giver receives"),
        description=_l("Anything physical the giver gets, such as a printed card; 0 when there is nothing."),
        default="0",
    )
    receiptable = BooleanField(_l("Gives a tax receipt"), default=True)
    submit = SubmitField(_l("Save the item"))

    def set_categories(self, categories, language):
        self.category.choices = [
            SelectChoice("", _l("No category")),
            *(SelectChoice(str(category.id), category.name(language)) for category in categories),
        ]

    def fill(self, item):
        """Show a saved item's values (for a GET)."""
        for name in ("name_en", "name_fr", "description_en", "description_fr", "impact_en", "impact_fr"):
            self[name].data = getattr(item, name)
        self.price.data = str(from_cents(item.price_cents))
        self.fmv.data = str(from_cents(item.fmv_cents))
        self.category.data = str(item.category_id or "")
        self.cap.data = "" if item.cap is None else str(item.cap)
        self.position.data = str(item.position)
        self.active.data, self.receiptable.data = item.active, item.receiptable

    def validate_price(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        if not 0 < cents <= MAX_PRICE_CENTS:
            raise ValidationError(_l("Enter a price between 0.01 and 100,000."))

    def validate_fmv(self, field):
        cents = parse_amount(field.data or "0")
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        price = parse_amount(self.price.data)
        if price is not None and cents > price:
            raise ValidationError(_l("The fair market value must be between 0 and the price."))

    def validate_cap(self, field):
        if field.data and not 0 < (_number(field.data) or 0) <= MAX_CAP:
            raise ValidationError(_l("Enter a cap between 1 and 1,000,000, or leave it empty for no limit."))

    def validate_position(self, field):
        if field.data and not _number(field.data):
            raise ValidationError(_l("Enter a whole number from 1."))

    def validate_category(self, field):
        if field.data and field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError(_l("Choose a category from the list."))

    def item_fields(self):
        return ItemFields(
            **{name: self[name].data or "" for name in ("name_en", "name_fr", "description_en", "description_fr")},
            impact_en=self.impact_en.data or "",
            impact_fr=self.impact_fr.data or "",
            price_cents=parse_amount(self.price.data),
            fmv_cents=parse_amount(self.fmv.data or "0"),
            category_id=int(self.category.data) if self.category.data else None,
            cap=_number(self.cap.data),
            active=bool(self.active.data),
            receiptable=bool(self.receiptable.data),
        )

    def image_data(self):
        upload = self.image.data
        return upload.read() if upload and getattr(upload, "filename", "") else None

    def place(self):
        return _number(self.position.data)


class CategoryForm(FlaskForm):
    name_en = _name(_l("Name in English"), _l("Enter the category's name in English."))
    name_fr = _name(_l("Name in French"), _l("Enter the category's name in French."))
    submit = SubmitField(_l("Save the category"))


class MoveForm(FlaskForm):
    """Up or down: the button pressed names the direction."""

    direction = StringField(validators=[AnyOf(["up", "down"], message=_l("Choose up or down."))])

"""The cart's small forms: which item, and how many; the cart service checks both against the database."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from crm.catalog.services.cart import MAX_QUANTITY
from crm.forms import clean_line

_WHOLE = re.compile(r"^[+-]?[0-9]+$", re.ASCII)


class CartItemForm(FlaskForm):
    """Names an item of the catalog (to remove it from the cart)."""

    item_id = HiddenField(filters=[clean_line])

    def validate_item_id(self, field):
        if not field.data:
            raise ValidationError(_l("That item is not in our catalog."))

    def messages(self):
        """Return the form's error messages, each once."""
        return list(dict.fromkeys(str(message) for errors in self.errors.values() for message in errors))

    def arguments(self):
        """Return the arguments of the cart service the form was posted for."""
        return (self.item_id.data,)


class CartQuantityForm(CartItemForm):
    """An item and a number of units (to add it, or to change its quantity)."""

    quantity = StringField(
        _l("Quantity"),
        filters=[clean_line],
        render_kw={"type": "number", "min": 1, "max": MAX_QUANTITY, "inputmode": "numeric", "autocomplete": "off"},
    )

    def validate_quantity(self, field):
        if not _WHOLE.match(field.data or ""):
            raise ValidationError(_l("Enter the quantity as a whole number, like 1 or 2."))
        if len(field.data) > 20:
            raise ValidationError(_l("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
        self.units = int(field.data)

    def arguments(self):
        return (self.item_id.data, self.units)

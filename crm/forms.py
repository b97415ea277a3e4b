"""Shared form tools: validators every feature's forms use.

`Length` stops the field's validation when the value is too long, so no costly check (an email
validator, a regular expression) ever runs on a value already refused; WTForms' own Length lets
the chain go on.
"""

from wtforms.validators import Length as _Length
from wtforms.validators import StopValidation, ValidationError


class Length(_Length):
    """WTForms' Length, but a failure ends the field's validation at once."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as error:
            field.errors[:] = []
            raise StopValidation(str(error)) from error

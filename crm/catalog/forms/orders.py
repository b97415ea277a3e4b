"""Forms of the staff order screens: list filters and resending an e-card (refunds reuse the gift's RefundForm)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from crm.forms import Length, clean_line
from crm.payments.forms.staff import RefundForm

ORDER_STATUS_LABELS = {
    "pending": _l("Pending"),
    "paid": _l("Paid"),
    "failed": _l("Failed"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partly refunded"),
    "cancelled": _l("Cancelled"),
}
CARD_STATUS_LABELS = {"scheduled": _l("Scheduled"), "sent": _l("Sent"), "cancelled": _l("Cancelled")}
DELIVERY_LABELS = {"email": _l("By email"), "print": _l("Printed by the buyer")}
CARDS_LABELS = {"yes": _l("With honour cards"), "no": _l("Without honour cards")}


def _choices(labels):
    return [SelectChoice("", _l("Any")), *(SelectChoice(value, label) for value, label in labels.items())]


class OrderSearchForm(FlaskForm):
    """The list's search and filters: a GET form, so they stay in the URL."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search"),
        validators=[Optional(), Length(max=200)],
        filters=[clean_line],
        description=_l("A buyer's name or email, an order number or an honouree's name."),
    )
    status = SelectField(_l("Status"), choices=_choices(ORDER_STATUS_LABELS), default="")
    source = SelectField(_l("Source"), choices=[], default="", validate_choice=False)
    cards = SelectField(_l("Honour cards"), choices=_choices(CARDS_LABELS), default="")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])

    def set_sources(self, names):
        self.source.choices = [SelectChoice("", _l("Any")), *(SelectChoice(name, name) for name in names)]


class OrderRefundForm(RefundForm):
    """The gift's refund form (amount, reason, hidden idempotency key), its button worded for an order."""

    submit = SubmitField(_l("Refund the order"))


class ResendCardForm(FlaskForm):
    """Send an e-card again (only the CSRF token)."""

    submit = SubmitField(_l("Send again"))

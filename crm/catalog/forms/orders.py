"""Forms of the staff order screens: list filters and resending an e-card (refunds reuse the gift's RefundForm)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from crm.forms import FilterForm, date_field, search_field, select_filter
from crm.lists import ListWords
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


class OrderSearchForm(FilterForm):
    """The order list's search and filters."""

    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s orders"),
        _l("Showing %(first)s to %(last)s of more than %(total)s orders"),
        _l("No orders match."),
    )
    q = search_field(description=_l("A buyer's name or email, an order number or an honouree's name."))
    status = select_filter(_l("Status"), ORDER_STATUS_LABELS)
    source = select_filter(_l("Source"))
    cards = select_filter(_l("Honour cards"), CARDS_LABELS)
    date_from = date_field(_l("From"))
    date_to = date_field(_l("Until"))


class OrderRefundForm(RefundForm):
    """The gift's refund form (amount, reason, hidden idempotency key), its button worded for an order."""

    submit = SubmitField(_l("Refund the order"))


class ResendCardForm(FlaskForm):
    """Send an e-card again (only the CSRF token)."""

    submit = SubmitField(_l("Send again"))

"""What a donor can do to their monthly gift from the manage link: change the amount, the card, cancel."""

from flask_babel import gettext as _

from crm.extensions import db
from crm.payments import gateway
from crm.payments.services import DonationError
from crm.payments.services.amounts import amount_rules
from crm.payments.services.subscriptions import mark_cancelled, record_invoice
from crm.utc import utcnow


def _require_open(gift):
    if gift.status not in ("active", "past_due") or not gift.stripe_subscription_id:
        raise DonationError(_("This monthly gift is no longer active."))


def change_amount(gift, gift_cents, cover_fee=False, now=None):
    """Charge a new amount each month from the next invoice on, on the (reused) Plan of that amount."""
    _require_open(gift)
    rules = amount_rules()
    gift_cents = rules.check(gift_cents)
    fee_cents = rules.fee_for(gift_cents) if cover_fee else 0
    amount = gift_cents + fee_cents
    try:
        plan_id = gateway.find_or_create_plan(amount_cents=amount, currency=gift.currency, interval=gift.interval)
        gateway.change_subscription_plan(gift.stripe_subscription_id, plan_id)
    except gateway.GatewayError as error:
        raise DonationError(str(error)) from error
    gift.amount_cents, gift.fee_cents, gift.stripe_plan_id = amount, fee_cents, plan_id
    db.session.flush()
    return gift


def replace_card(gift, card_token, now=None):
    """Make this card the one charged each month; for a plan past due, try the payment due again.

    Return True when an overdue payment was collected with it.
    """
    _require_open(gift)
    if not isinstance(card_token, str) or not card_token.startswith("tok_"):
        raise DonationError(_("Enter your card details."))
    now = now or utcnow()
    try:
        gateway.replace_default_card(gift.stripe_customer_id, card_token)
        gift.failure_message = ""
        if gift.status != "past_due":
            return False
        latest = gateway.retrieve_subscription(gift.stripe_subscription_id)["latest_invoice"]
        invoice = gateway.retrieve_invoice(latest) if latest else None
        if invoice is not None and invoice["status"] == "open":
            invoice = gateway.pay_invoice(invoice["id"])
    except gateway.GatewayError as error:  # a declined card too: its message is for the donor
        raise DonationError(str(error)) from error
    return invoice is not None and record_invoice(invoice, now) is not None


def cancel_gift(gift, now=None):
    """Cancel the monthly gift at Stripe and here; the donor gets one confirmation email."""
    now = now or utcnow()
    if gift.is_cancelled:
        return gift
    if gift.stripe_subscription_id:
        try:
            gateway.cancel_subscription(gift.stripe_subscription_id)
        except gateway.GatewayError as error:
            raise DonationError(str(error)) from error
    mark_cancelled(gift, now)
    return gift

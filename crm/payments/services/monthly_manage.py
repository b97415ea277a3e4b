"""The donor's monthly gift page, beyond plans.py: the card and next charge date read from Stripe when
the page is shown (nothing stored), and a change of amount that the donor is emailed about."""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm.i18n import money_in
from crm.mail.services.outbox import enqueue_email
from crm.payments import gateway
from crm.payments.services.plan_links import manage_url
from crm.payments.services.plans import change_amount
from crm.payments.services.receipts import local_date
from crm.unique import lock_row
from crm.utc import utcnow

log = logging.getLogger(__name__)

# Stripe's brand codes (payment methods) and names (card sources), as a card shows them.
BRANDS = {"amex": "American Express", "diners": "Diners Club", "mastercard": "Mastercard", "unionpay": "UnionPay"}


@dataclass
class CardOnFile:
    """What Stripe says of a monthly gift now; `available` is False when it could not be asked."""

    available: bool = False
    brand: str = ""
    last4: str = ""
    next_charge_on: date | None = None


def _field(obj, name):
    # Stripe objects raise AttributeError for a field the API version (or localstripe) lacks.
    return getattr(obj, name, None) if obj is not None and not isinstance(obj, str) else None


def _card_of(payment):
    """Return (brand, last4) of a PaymentMethod, a card source, or ("", "")."""
    card = _field(payment, "card") or payment
    brand = str(_field(card, "brand") or "")
    return BRANDS.get(brand.lower(), brand.title() if brand.islower() else brand), str(_field(card, "last4") or "")


def _next_charge(subscription):
    # Newer API versions keep the period on the subscription's items, older ones on the subscription.
    end = _field(subscription, "current_period_end")
    if end is None:
        items = _field(_field(subscription, "items"), "data") or []
        end = _field(items[0], "current_period_end") if items else None
    return local_date(datetime.fromtimestamp(int(end), UTC)) if end else None


def _read_stripe(gift):
    client = gateway._client()  # the gateway's client: this module never imports stripe
    subscription = client.v1.subscriptions.retrieve(gift.stripe_subscription_id)
    payment = _field(subscription, "default_payment_method") or _field(subscription, "default_source")
    if isinstance(payment, str):
        retrieve = client.v1.payment_methods.retrieve if payment.startswith("pm_") else None
        payment = retrieve(payment) if retrieve else None
    if not payment:
        customer = client.v1.customers.retrieve(
            gift.stripe_customer_id, params={"expand": ["default_source", "invoice_settings.default_payment_method"]}
        )
        payment = _field(_field(customer, "invoice_settings"), "default_payment_method") or _field(
            customer, "default_source"
        )
    brand, last4 = _card_of(payment) if payment else ("", "")
    return CardOnFile(True, brand, last4, _next_charge(subscription) if gift.status == "active" else None)


def card_on_file(gift):
    """Return the CardOnFile of a running monthly gift, asked of Stripe now; unavailable if Stripe cannot answer."""
    if gift.status not in ("active", "past_due") or not gift.stripe_subscription_id:
        return CardOnFile()
    try:
        return gateway._call(_read_stripe, gift)  # turns Stripe's errors into GatewayError
    except gateway.GatewayError:
        log.warning("card details of monthly gift %s unavailable", gift.id)
        return CardOnFile()


def _lock(gift):
    """Lock the plan's row until the caller commits (two clicks take turns) and return it re-read."""
    return lock_row(gift, "amount_cents")


def change_monthly_amount(gift, gift_cents, cover_fee=False, now=None):
    """Change the monthly amount (plans.change_amount) and email the donor once per change; return the gift.

    A repeated click asks for the amount already set: nothing changes and nothing more is emailed.
    """
    now = now or utcnow()
    gift = _lock(gift)
    before = gift.amount_cents
    change_amount(gift, gift_cents, cover_fee, now=now)
    if gift.amount_cents != before:
        language = gift.language
        enqueue_email(
            f"plan-amount:recurring:{gift.id}:{gift.amount_cents}:{now:%Y%m%dT%H%M%S%f}",
            "plan_amount_changed",
            gift.email or gift.supporter.email,
            to_name=gift.donor_name,
            supporter=gift.supporter,
            language=language,
            purpose="transactional",
            context={
                "first_name": gift.first_name,
                "amount": money_in(gift.amount_cents, gift.currency, language),
                "previous": money_in(before, gift.currency, language),
                "manage_url": manage_url(gift),
            },
            now=now,
        )
    return gift

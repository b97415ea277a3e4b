"""The one module that talks to Stripe (or localstripe, by configuration)."""

import json
import logging
import time

import stripe
from flask import current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)
WEBHOOK_TOLERANCE = 300  # seconds


class GatewayError(Exception):
    """Stripe could not be reached or refused the request for a reason that is not the card."""


class PaymentError(GatewayError):
    """The card was declined; `str(error)` is safe to show to the donor."""


class IdempotencyConflict(GatewayError):
    """Stripe already did a call with this idempotency key, with other parameters: it did nothing now.

    The first call may have charged the card, so the caller must not try again under a new key.
    """


class SignatureError(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


def _client():
    config = current_app.config
    options = {}
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": config["STRIPE_API_BASE"]}
    # Stripe's library waits 80 s for an answer; a web worker is killed at 30 (gunicorn's timeout),
    # which would leave the donor with no page at all. A call that times out may still have been done:
    # the forms keep their idempotency keys for it (services.PaymentUnanswered).
    http_client = stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT_SECONDS"])
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], max_network_retries=0, http_client=http_client, **options)


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.CardError as error:
        log.info("card declined: %s", getattr(error, "code", ""))
        raise PaymentError(_("Your card was declined. Please check the details or use another card.")) from error
    except stripe.IdempotencyError as error:
        log.error("idempotency key reused with other parameters: %s", error)
        raise IdempotencyConflict(str(error)) from error
    except stripe.StripeError as error:
        log.warning("stripe error: %s", error)
        raise GatewayError(_("The payment service is unavailable. Please try again in a few minutes.")) from error


def _once(idempotency_key, call):
    """The request options that make Stripe do this call once per key (a retried request gets the first answer)."""
    return {"options": {"idempotency_key": f"{idempotency_key}-{call}"}} if idempotency_key else {}


def find_or_create_customer(email, name, customer_id="", idempotency_key=None):
    """Return the Stripe Customer id for this donor: the one already known (reused), or a new one."""
    if customer_id:
        return customer_id
    customer = _call(
        _client().v1.customers.create,
        params={"email": email, "name": name},
        **_once(idempotency_key, "customer"),
    )
    return customer.id


def create_payment_intent(*, amount_cents, currency, customer_id, card_token, metadata, idempotency_key=None):
    """Attach the card token to the Customer and create+confirm a PaymentIntent with it.

    Return a dict with id, status and client_secret. The payment method is given at creation
    (localstripe cannot confirm with one later). `idempotency_key` (one per gift form posted)
    makes a repeated request attach and charge once.
    """
    client = _client()
    card = _call(
        client.v1.customers.payment_sources.create,
        customer_id,
        params={"source": card_token},
        **_once(idempotency_key, "card"),
    )
    intent = _call(
        client.v1.payment_intents.create,
        params={
            "amount": amount_cents,
            "currency": currency,
            "customer": customer_id,
            "payment_method": card.id,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": metadata,
        },
        **_once(idempotency_key, "intent"),
    )
    return _intent_dict(intent)


def retrieve_payment_intent(payment_intent_id):
    """Return the PaymentIntent as Stripe has it now (id, status, amount, currency, ...)."""
    intent = _call(_client().v1.payment_intents.retrieve, payment_intent_id)
    return _intent_dict(intent)


def _intent_dict(intent):
    error = getattr(intent, "last_payment_error", None)
    return {
        "id": intent.id,
        "status": intent.status,
        "amount": intent.amount,
        "currency": intent.currency,
        "client_secret": intent.client_secret,
        "invoice": _object_id(getattr(intent, "invoice", None)),
        "latest_charge": _object_id(getattr(intent, "latest_charge", None)),
        "created": getattr(intent, "created", None),
        "metadata": (intent.metadata.to_dict() if getattr(intent, "metadata", None) else {}),
        "error_message": (error.to_dict().get("message", "") if error is not None else "") or "",
    }


def _signed_at(signature_header):
    stamps = [item.strip()[2:] for item in signature_header.split(",") if item.strip().startswith("t=")]
    return int(stamps[0].strip()) if stamps else 0


def verify_webhook(payload, signature_header):
    """Return the event (a dict) if the raw body is signed with STRIPE_WEBHOOK_SECRET, else raise."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise SignatureError("no webhook secret configured")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header or "", secret, WEBHOOK_TOLERANCE
        )
        # Stripe's library refuses a timestamp too old, not one in the future: tolerance both ways.
        if _signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE:
            raise SignatureError("timestamp in the future")
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise SignatureError(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise SignatureError("not an event")
    return event


# --- refunds, charges and recent payments (refunds slice) ----------------------------------------


def _object_id(value):
    """Return the id of a linked object, whether Stripe gave its id or (localstripe) the whole object."""
    if value is None or isinstance(value, str):
        return value
    return getattr(value, "id", None)


def _refund_dict(refund):
    return {
        "id": refund.id,
        "amount": refund.amount,
        "currency": refund.currency,
        "status": refund.status,
        "charge": _object_id(getattr(refund, "charge", None)),
        "reason": (refund.metadata.to_dict().get("reason", "") if getattr(refund, "metadata", None) else "") or "",
    }


def create_refund(payment, amount_cents, reason, idempotency_key):
    """Refund `amount_cents` of a PaymentIntent (pi_...) or Charge (ch_...), once per idempotency key.

    Return a dict with id, amount, currency, status and charge.
    """
    params = {"amount": amount_cents, "charge" if payment.startswith("ch_") else "payment_intent": payment}
    if reason:
        # Stripe's own `reason` is an enum; the staff's words go in metadata (500 characters at most).
        params["metadata"] = {"reason": reason[:500]}
    refund = _call(_client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})
    return _refund_dict(refund)


def retrieve_charge(charge_id):
    """Return the Charge as Stripe has it now, with all of its refunds."""
    client = _client()
    charge = _call(client.v1.charges.retrieve, charge_id)
    refunds = _call(client.v1.refunds.list, params={"charge": charge_id, "limit": 100})
    return {
        "id": charge.id,
        "amount": charge.amount,
        "amount_refunded": charge.amount_refunded,
        "currency": charge.currency,
        "payment_intent": _object_id(getattr(charge, "payment_intent", None)),
        "invoice": _object_id(getattr(charge, "invoice", None)),
        "refunds": [_refund_dict(refund) for refund in _call(lambda: list(refunds.auto_paging_iter()))],
    }


def _list_since(service, since):
    try:
        page = service.list(params={"created": {"gte": since}, "limit": 100})
    except (stripe.InvalidRequestError, stripe.APIError):
        # localstripe cannot filter these lists by date (400 or 500): read them all, filter here.
        page = _call(service.list, params={"limit": 100})
    except stripe.StripeError as error:
        log.warning("stripe error: %s", error)
        raise GatewayError(_("The payment service is unavailable. Please try again in a few minutes.")) from error
    items = _call(lambda: list(page.auto_paging_iter()))
    return [item for item in items if (item.created or 0) >= since]


def list_recent_payment_intents(since):
    """Return the PaymentIntents created at or after `since` (a Unix time), as dicts like retrieve_payment_intent's."""
    return [_intent_dict(intent) for intent in _list_since(_client().v1.payment_intents, since)]


def list_recent_invoices(since):
    """Return the invoices created at or after `since` (a Unix time), as plain dicts (the webhook's shape)."""
    return [invoice.to_dict() for invoice in _list_since(_client().v1.invoices, since)]


# --- monthly gifts: Plans (localstripe has no Prices), Subscriptions, Invoices (monthly slice) -------

GIFT_PRODUCT_ID = "monthly-gifts"


def _find(function, object_id):
    """Return the object of this id, or None when Stripe has none."""

    def attempt():
        try:
            return function(object_id)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise

    return _call(attempt)


def _find_or_create(service, object_id, params):
    # Deterministic ids make these shared objects reusable; a concurrent creator may win the race.
    found = _find(service.retrieve, object_id)
    if found is not None:
        return found
    try:
        return service.create(params={"id": object_id, **params})
    except stripe.InvalidRequestError:
        found = _find(service.retrieve, object_id)
        if found is None:
            raise
        return found


def find_or_create_plan(*, amount_cents, currency, interval="month"):
    """Return the id of the Plan for this amount, currency and interval (created once, then reused)."""
    client = _client()
    currency = currency.lower()
    name = f"{current_app.config['CHARITY_NAME']} gift"[:200]
    product = _call(_find_or_create, client.v1.products, GIFT_PRODUCT_ID, {"name": name})
    plan = _call(
        _find_or_create,
        client.v1.plans,
        f"gift-{interval}-{currency}-{int(amount_cents)}",
        {"amount": int(amount_cents), "currency": currency, "interval": interval, "product": product.id},
    )
    return plan.id


def _linked(obj, *path):
    # Walk linked fields that may be ids, expanded objects or absent (API versions differ).
    for key in path:
        if obj is None:
            return None
        obj = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
    return obj


def _invoice_dict(invoice):
    subscription = _linked(invoice, "subscription") or _linked(
        invoice, "parent", "subscription_details", "subscription"
    )
    intent = _linked(invoice, "payment_intent")
    if intent is None:
        payments = _linked(invoice, "payments", "data") or []
        intent = _linked(payments[0], "payment", "payment_intent") if payments else None
    return {
        "id": invoice.id,
        "status": invoice.status,
        "amount_paid": invoice.amount_paid or 0,
        "amount_due": invoice.amount_due or 0,
        "currency": invoice.currency,
        "customer": _object_id(_linked(invoice, "customer")),
        "subscription": _object_id(subscription),
        "payment_intent": _object_id(intent),
    }


def _subscription_dict(subscription):
    item = subscription["items"].data[0]
    plan = _linked(item, "plan")
    return {
        "id": subscription.id,
        "status": subscription.status,
        "customer": _object_id(_linked(subscription, "customer")),
        "latest_invoice": _object_id(_linked(subscription, "latest_invoice")),
        "item_id": item.id,
        "plan_id": _object_id(plan),
        "amount": _linked(plan, "amount"),
        "currency": _linked(plan, "currency"),
        "interval": _linked(plan, "interval"),
    }


def _set_default_card(client, customer_id, card_token, idempotency_key=None):
    card = _call(
        client.v1.customers.payment_sources.create,
        customer_id,
        params={"source": card_token},
        **_once(idempotency_key, "card"),
    )
    _call(client.v1.customers.update, customer_id, params={"default_source": card.id})
    return card.id


def create_subscription(*, customer_id, plan_id, card_token, metadata, idempotency_key=None):
    """Make the card the Customer's default and subscribe the Customer to the Plan; return it as a dict.

    Stripe creates and tries to pay the first invoice at once (its PaymentIntent may need 3-D Secure).
    `idempotency_key` (one per gift form posted) makes a repeated request subscribe once.
    """
    client = _client()
    _set_default_card(client, customer_id, card_token, idempotency_key)
    subscription = _call(
        client.v1.subscriptions.create,
        params={"customer": customer_id, "items": [{"plan": plan_id}], "metadata": metadata},
        **_once(idempotency_key, "subscription"),
    )
    return _subscription_dict(subscription)


def retrieve_subscription(subscription_id):
    """Return the Subscription as Stripe has it now."""
    return _subscription_dict(_call(_client().v1.subscriptions.retrieve, subscription_id))


def change_subscription_plan(subscription_id, plan_id):
    """Move the Subscription to another Plan from its next invoice on; return it."""
    client = _client()
    current = _subscription_dict(_call(client.v1.subscriptions.retrieve, subscription_id))
    if current["plan_id"] == plan_id:
        return current
    subscription = _call(
        client.v1.subscriptions.update,
        subscription_id,
        params={"items": [{"id": current["item_id"], "plan": plan_id}]},
    )
    return _subscription_dict(subscription)


def cancel_subscription(subscription_id):
    """Cancel the Subscription now (nothing more is charged); return it. Safe to repeat."""
    client = _client()
    current = _call(client.v1.subscriptions.retrieve, subscription_id)
    if current.status in ("canceled", "incomplete_expired"):
        return _subscription_dict(current)
    return _subscription_dict(_call(client.v1.subscriptions.cancel, subscription_id))


def forget_customer(customer_id):
    """Blank the name and email Stripe holds on the Customer (an erasure); its payments stay for the books."""
    _call(_client().v1.customers.update, customer_id, params={"name": "", "email": "", "description": ""})


def replace_default_card(customer_id, card_token):
    """Attach the card token to the Customer as its default source; return the card id."""
    return _set_default_card(_client(), customer_id, card_token)


def retrieve_invoice(invoice_id):
    """Return the invoice as Stripe has it now (id, status, amount_paid, currency, subscription, payment_intent)."""
    return _invoice_dict(_call(_client().v1.invoices.retrieve, invoice_id))


def pay_invoice(invoice_id):
    """Try again now to pay an open invoice with the Customer's default card; return the invoice."""
    return _invoice_dict(_call(_client().v1.invoices.pay, invoice_id))

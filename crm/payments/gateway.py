"""The one module that talks to Stripe (or localstripe, by configuration)."""

import json
import logging

import stripe
from flask import current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)
WEBHOOK_TOLERANCE = 300  # seconds


class GatewayError(Exception):
    """Stripe could not be reached or refused the request for a reason that is not the card."""


class PaymentError(GatewayError):
    """The card was declined; `str(error)` is safe to show to the donor."""


class SignatureError(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


def _client():
    config = current_app.config
    options = {}
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": config["STRIPE_API_BASE"]}
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], max_network_retries=0, **options)


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.CardError as error:
        log.info("card declined: %s", getattr(error, "code", ""))
        raise PaymentError(_("Your card was declined. Please check the details or use another card.")) from error
    except stripe.StripeError as error:
        log.warning("stripe error: %s", error)
        raise GatewayError(_("The payment service is unavailable. Please try again in a few minutes.")) from error


def find_or_create_customer(email, name, customer_id=""):
    """Return the Stripe Customer id for this donor: the one already known (reused), or a new one."""
    if customer_id:
        return customer_id
    customer = _call(_client().v1.customers.create, params={"email": email, "name": name})
    return customer.id


def create_payment_intent(*, amount_cents, currency, customer_id, card_token, metadata):
    """Attach the card token to the Customer and create+confirm a PaymentIntent with it.

    Return a dict with id, status and client_secret. The payment method is given at creation
    (localstripe cannot confirm with one later).
    """
    client = _client()
    card = _call(client.v1.customers.payment_sources.create, customer_id, params={"source": card_token})
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
        "invoice": getattr(intent, "invoice", None),
        "error_message": (error.to_dict().get("message", "") if error is not None else "") or "",
    }


def verify_webhook(payload, signature_header):
    """Return the event (a dict) if the raw body is signed with STRIPE_WEBHOOK_SECRET, else raise."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise SignatureError("no webhook secret configured")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header or "", secret, WEBHOOK_TOLERANCE
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise SignatureError(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise SignatureError("not an event")
    return event

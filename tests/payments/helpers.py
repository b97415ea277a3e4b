"""Helpers for payments tests: card tokens from localstripe, a gift form, signed webhook payloads."""

import hashlib
import hmac
import json
import time

import requests

from tests.helpers import csrf_token

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_3DS = "4000002500003155"


def card_token(localstripe, number=CARD_OK):
    """Return a card token made by localstripe, as Stripe.js makes one in the browser."""
    response = requests.post(
        f"{localstripe.url}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": "pk_test_localstripe",
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id"]


def gift_form(token, **overrides):
    data = {
        "amount": "5000",
        "custom_amount": "",
        "first_name": "Élise",
        "last_name": "Côté",
        "email": "elise@example.org",
        "address_line1": "1 rue Principale",
        "city": "Montréal",
        "region": "QC",
        "postal_code": "H2X 1Y4",
        "country": "CA",
        "language": "fr",
        "tribute_kind": "",
        "card_token": token,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def give(client, data, url="/donate"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def sign(payload, secret, timestamp=None):
    """Return a Stripe-Signature header for `payload` (bytes), exactly as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(event_id, event_type, obj):
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": event_type,
            "data": {"object": obj},
            "livemode": False,
        }
    ).encode()

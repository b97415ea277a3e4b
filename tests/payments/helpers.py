"""Helpers for payments tests: localstripe cards and API, gifts made through the forms, signed webhooks."""

import hashlib
import hmac
import json
import re
import time

import requests

from crm.extensions import db
from crm.payments.models import Donation, RecurringGift
from crm.payments.services.refunds import refund_donation
from crm.supporters.services.merging import MERGE_FIELDS
from tests.factories import GIVEN_AT
from tests.helpers import csrf_token

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_3DS = "4000002500003155"
CARD_CHARGE_FAILS = "4000000000000341"  # attaches to the Customer, then every charge is declined
WEBHOOK_URL = "/payments/stripe/webhook"
STRIPE_KEY = "sk_test_localstripe"
T0 = GIVEN_AT


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


# --- webhooks ------------------------------------------------------------------------------------


def webhook_headers(payload, secret, timestamp=None):
    return {"Stripe-Signature": sign(payload, secret, timestamp), "Content-Type": "application/json"}


def post_signed(client, payload, header):
    """POST `payload` to the webhook with `header` as its Stripe-Signature (good, forged or missing)."""
    return client.post(
        WEBHOOK_URL, data=payload, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
    )


def post_event(client, event_id, event_type, obj, secret):
    """POST an event about `obj`, signed with `secret` as Stripe signs it; return the response."""
    payload = event_payload(event_id, event_type, obj)
    return post_signed(client, payload, sign(payload, secret))


# --- localstripe ---------------------------------------------------------------------------------


def stripe_api(localstripe, method, path, **data):
    """Call localstripe's API at /v1/`path`, as the Stripe dashboard or Stripe's own scheduler would."""
    response = requests.request(method, f"{localstripe.url}/v1/{path}", data=data, auth=(STRIPE_KEY, ""), timeout=10)
    response.raise_for_status()
    return response.json()


def authenticate(localstripe, client_secret, success=True):
    """Pass (or fail) 3-D Secure as Stripe.js's confirmCardPayment does in localstripe."""
    requests.post(
        f"{localstripe.url}/v1/payment_intents/{client_secret.split('_secret_')[0]}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"key": "pk_test_localstripe", "client_secret": client_secret},
        timeout=10,
    ).raise_for_status()


def charge_of(localstripe, pi):
    intent = stripe_api(localstripe, "GET", f"payment_intents/{pi}")
    charge = intent["latest_charge"]
    return charge if isinstance(charge, str) else charge["id"]


def outside_payment(localstripe, amount=700):
    """Pay through Stripe without the CRM (another system, the dashboard); return the PaymentIntent id."""
    customer = stripe_api(localstripe, "POST", "customers", email="someone@example.org")
    card = stripe_api(localstripe, "POST", f"customers/{customer['id']}/sources", source=card_token(localstripe))
    intent = stripe_api(
        localstripe,
        "POST",
        "payment_intents",
        amount=amount,
        currency="cad",
        customer=customer["id"],
        payment_method=card["id"],
        confirm="true",
    )
    return intent["id"]


# --- gifts ---------------------------------------------------------------------------------------


def count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**filters))


def paid_gift(app, client, localstripe):
    """Give 50.00 with a good card through the donation form; return (donation id, PaymentIntent id)."""
    response = give(client, gift_form(card_token(localstripe)))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        donation = db.session.scalar(db.select(Donation).order_by(Donation.id.desc()))
        assert (donation.status, donation.amount_cents) == ("succeeded", 5000)
        return donation.id, donation.stripe_payment_intent_id


def three_d_secure_gift(app, client, localstripe, success=True, check_pending=True):
    """A gift whose 3-D Secure is passed (or failed) at Stripe, and whose donor never comes back: still pending."""
    page = give(client, gift_form(card_token(localstripe, CARD_3DS))).get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    pi = secret.split("_secret_")[0]
    authenticate(localstripe, secret, success)
    with app.app_context():
        donation = db.session.scalar(db.select(Donation).filter_by(stripe_payment_intent_id=pi))
        if check_pending:
            assert donation.status == "pending"
        return donation.id, pi


def refund(app, donation_id, amount_cents, key, reason="Asked by the donor"):
    """Refund through the service as the staff screen does, and commit; return the Refund's id."""
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        made = refund_donation(donation, amount_cents, reason, key)
        db.session.commit()
        return made.id


# --- monthly gifts -------------------------------------------------------------------------------


def give_monthly(client, localstripe, number=None, **overrides):
    token = card_token(localstripe, number) if number else card_token(localstripe)
    return give(client, gift_form(token, frequency="monthly", **overrides))


def gifts(app):
    with app.app_context():
        return db.session.scalars(db.select(RecurringGift).order_by(RecurringGift.id)).all()


def donations(app):
    with app.app_context():
        return db.session.scalars(db.select(Donation).order_by(Donation.id)).all()


def started_gift(app, client, localstripe, **overrides):
    """Start a monthly gift through the form; return the plan and the thank-you page's address."""
    response = give_monthly(client, localstripe, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)
    [gift] = gifts(app)
    return gift, response.headers["Location"]


def renew(localstripe, gift):
    """Make Stripe bill the next month now: a real invoice of the subscription, paid with its card."""
    invoice = stripe_api(
        localstripe, "POST", "invoices", customer=gift.stripe_customer_id, subscription=gift.stripe_subscription_id
    )
    return stripe_api(localstripe, "POST", f"invoices/{invoice['id']}/pay")


# --- staff screens -------------------------------------------------------------------------------


def merge_data(survivor="a", **picks):
    """The merge form's fields, every one taken from `a` unless picked otherwise."""
    return {"survivor": survivor, **{name: picks.get(name, "a") for name in MERGE_FIELDS}}


# --- browser -------------------------------------------------------------------------------------


def fill_donor(page):
    page.get_by_label("First name", exact=True).fill("Élise")
    page.get_by_label("Last name", exact=True).fill("Côté")
    page.get_by_label("Email", exact=True).fill("elise@example.org")
    page.get_by_label("Address", exact=True).fill("1 rue Principale")  # not "share my email address"
    page.get_by_label("City").fill("Montréal")
    page.get_by_label("Province or state").fill("QC")
    page.get_by_label("Postal code").fill("H2X 1Y4")


def fill_card(page, number):
    # localstripe's fake card element: plain inputs named by their placeholder.
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("H2X1Y4")

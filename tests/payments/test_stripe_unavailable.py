"""When Stripe cannot answer, every page says so in the person's language, with a 503, and keeps nothing half done.

Stripe is really unreachable here: the app is pointed at a closed port on this machine.
"""

from html import unescape

import pytest

from crm.extensions import db
from crm.payments.models import Donation, Refund, StripeEvent
from tests.payments.helpers import card_token, count, gift_form, give, post_event, three_d_secure_gift
from tests.payments.test_staff_refunds import refund_form

UNAVAILABLE = {
    "en": "The payment service is unavailable. Please try again in a few minutes.",
    "fr": "Le service de paiement n'est pas disponible. Veuillez réessayer dans quelques minutes.",
}


@pytest.fixture
def stripe_down(app):
    def down():
        app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there: connection refused

    return down


def _status(app, donation_id):
    with app.app_context():
        return db.session.get(Donation, donation_id).status


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_thank_you_page_of_a_pending_gift(app, client, localstripe, stripe_down, language):
    donation_id, _pi = three_d_secure_gift(app, client, localstripe)
    with app.app_context():
        token = db.session.get(Donation, donation_id).token
    stripe_down()
    page = client.get(f"/donate/thanks/{token}", headers={"Accept-Language": language})
    assert page.status_code == 503
    title = {"en": "Payments are unavailable", "fr": "Les paiements ne sont pas disponibles"}[language]
    assert f"<h1>{title}</h1>" in page.get_data(as_text=True)
    assert UNAVAILABLE[language] in unescape(page.get_data(as_text=True))
    assert _status(app, donation_id) == "pending"


def test_a_staff_refund_keeps_nothing_and_says_why(app, localstripe, stripe_down, make_client):
    assert give(app.test_client(), gift_form(card_token(localstripe))).status_code == 302
    with app.app_context():
        donation_id = db.session.scalar(db.select(Donation.id))
    client, _user = make_client()
    key, token = refund_form(client, donation_id)
    stripe_down()
    data = {"amount": "20", "reason": "Donor asked", "idempotency_key": key, "csrf_token": token, "confirmed": "yes"}
    response = client.post(f"/staff/donations/{donation_id}/refund", data=data, headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    page = unescape(response.get_data(as_text=True))
    assert UNAVAILABLE["fr"] in page and 'name="idempotency_key"' in page  # the form is still there
    assert count(app, Refund) == 0 and _status(app, donation_id) == "succeeded"


def test_a_webhook_that_needs_stripe_is_stored_only_once_stripe_answers(app, client, localstripe, secret, stripe_down):
    donation_id, pi = three_d_secure_gift(app, client, localstripe)
    base = app.config["STRIPE_API_BASE"]
    stripe_down()
    obj = {"id": pi, "object": "payment_intent"}
    assert post_event(client, "evt_down_1", "payment_intent.succeeded", obj, secret).status_code == 503
    assert count(app, StripeEvent) == 0 and _status(app, donation_id) == "pending"
    app.config["STRIPE_API_BASE"] = base  # Stripe sends it again later
    assert post_event(client, "evt_down_1", "payment_intent.succeeded", obj, secret).status_code == 200
    assert count(app, StripeEvent) == 1 and _status(app, donation_id) == "succeeded"

"""POST /payments/stripe/webhook with payloads signed exactly as Stripe signs them."""

import threading
import time

import pytest

from crm.extensions import db
from crm.payments.models import Donation, StripeEvent
from crm.supporters.models import ConsentRecord
from tests.payments.helpers import (
    CARD_3DS,
    WEBHOOK_URL,
    card_token,
    count,
    event_payload,
    gift_form,
    give,
    post_signed,
    sign,
    three_d_secure_gift,
)


def _donation(app):
    with app.app_context():
        return db.session.scalar(db.select(Donation))


def test_signed_event_fulfils_once_even_delivered_five_times(app, client, localstripe, secret, received):
    _gift, pi = three_d_secure_gift(app, client, localstripe)
    payload = event_payload("evt_paid_1", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})
    for _ in range(5):
        assert post_signed(client, payload, sign(payload, secret)).status_code == 200
    assert _donation(app).status == "succeeded"
    assert count(app, StripeEvent) == 1
    assert count(app, ConsentRecord) == 1
    assert len(received) == 1


def test_two_copies_at_once_give_one_effect(app, localstripe, secret, received):
    client = app.test_client()
    _gift, pi = three_d_secure_gift(app, client, localstripe)
    payloads = [
        event_payload("evt_paid_2", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"}),
        event_payload("evt_paid_3", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"}),
    ]
    statuses = []
    barrier = threading.Barrier(4)

    def deliver(payload):
        barrier.wait()
        statuses.append(post_signed(app.test_client(), payload, sign(payload, secret)).status_code)

    # Two copies of one event, and two different events about the same payment, all at once.
    threads = [
        threading.Thread(target=deliver, args=(p,)) for p in (payloads[0], payloads[0], payloads[1], payloads[1])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200, 200, 200, 200]
    assert _donation(app).status == "succeeded"
    assert count(app, StripeEvent) == 2
    assert count(app, ConsentRecord) == 1
    assert len(received) == 1


def test_payment_failed_event_marks_a_pending_gift_failed(app, client, localstripe, secret):
    import re

    page = give(client, gift_form(card_token(localstripe, CARD_3DS))).get_data(as_text=True)
    pi = re.search(r'data-client-secret="(pi_[A-Za-z0-9]+)_secret_', page).group(1)
    obj = {"id": pi, "object": "payment_intent", "last_payment_error": {"message": "Authentication failed."}}
    payload = event_payload("evt_failed_1", "payment_intent.payment_failed", obj)
    assert post_signed(client, payload, sign(payload, secret)).status_code == 200
    donation = _donation(app)
    assert (donation.status, donation.failure_message) == ("failed", "Authentication failed.")


def test_unknown_event_types_are_stored_and_ignored(app, client, secret):
    payload = event_payload("evt_other", "customer.created", {"id": "cus_x", "object": "customer"})
    assert post_signed(client, payload, sign(payload, secret)).status_code == 200
    with app.app_context():
        stored = db.session.scalar(db.select(StripeEvent))
        assert (stored.event_id, stored.type, stored.payload["data"]["object"]["id"]) == (
            "evt_other",
            "customer.created",
            "cus_x",
        )
        assert stored.processed_at is not None


@pytest.mark.parametrize(
    "case", ["bad signature", "stale timestamp", "future timestamp", "tampered body", "no header", "wrong secret"]
)
def test_unverifiable_events_are_refused_and_nothing_is_written(app, client, secret, case, caplog):
    payload = event_payload("evt_bad", "customer.created", {"id": "cus_x", "object": "customer"})
    header = sign(payload, secret)
    if case == "bad signature":
        header = header[:-4] + ("0000" if not header.endswith("0000") else "1111")
    elif case == "stale timestamp":
        header = sign(payload, secret, timestamp=int(time.time()) - 301)
    elif case == "future timestamp":  # signed for later: a stolen signature would keep working until then
        header = sign(payload, secret, timestamp=int(time.time()) + 3600)
    elif case == "tampered body":
        payload = payload.replace(b"cus_x", b"cus_y")
    elif case == "no header":
        header = ""
    elif case == "wrong secret":
        header = sign(payload, "whsec_someone_else")
    with caplog.at_level("WARNING"):
        response = post_signed(client, payload, header)
    assert response.status_code == 400
    assert count(app, StripeEvent) == 0
    assert any("refused a Stripe webhook" in record.getMessage() for record in caplog.records)


def test_a_clock_a_little_ahead_is_tolerated(app, client, secret):
    payload = event_payload("evt_ahead", "customer.created", {"id": "cus_x", "object": "customer"})
    assert post_signed(client, payload, sign(payload, secret, timestamp=int(time.time()) + 60)).status_code == 200


def test_webhook_needs_no_csrf_token_but_only_accepts_post(app, client, secret):
    assert app.config["WTF_CSRF_ENABLED"]  # the protection is on: another form's POST without a token fails
    refused = client.post("/newsletter", data={"email": "a@example.org"})
    assert refused.status_code == 400 and "The form expired" in refused.get_data(as_text=True)
    payload = event_payload("evt_no_csrf", "customer.created", {"id": "cus_csrf", "object": "customer"})
    response = post_signed(client, payload, sign(payload, secret))  # Stripe sends no CSRF token
    assert response.status_code == 200
    assert count(app, StripeEvent) == 1
    assert client.get(WEBHOOK_URL).status_code == 405


def test_localstripe_delivers_a_signed_event_that_fulfils_the_gift(app, client, localstripe, stripe_webhook, received):
    """End to end: localstripe signs and sends payment_intent.succeeded to the running app."""
    three_d_secure_gift(app, client, localstripe, check_pending=False)  # never visits the thank-you page
    deadline = time.monotonic() + 15
    while _donation(app).status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _donation(app).status == "succeeded"
    with app.app_context():
        types = db.session.scalars(db.select(StripeEvent.type)).all()
    assert "payment_intent.succeeded" in types
    assert len(received) == 1

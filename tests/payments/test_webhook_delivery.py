"""Webhook delivery as Stripe does it: at least once, several at a time, in any order, sometimes forged."""

import threading
import time

import pytest
import requests

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation, Receipt, Refund, StripeEvent, receipt_donations
from crm.payments.services import GiftRequest
from crm.payments.services.donations import start_donation
from tests.payments.helpers import (
    CARD_3DS,
    WEBHOOK_URL,
    authenticate,
    card_token,
    charge_of,
    count,
    event_payload,
    paid_gift,
    stripe_api,
    three_d_secure_gift,
    webhook_headers,
)


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(MAIL_RATE_PER_MINUTE=0)


def secret_of(app):
    return app.config["STRIPE_WEBHOOK_SECRET"]


def receipts_of(app, donation_id):
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count())
            .select_from(Receipt)
            .join(receipt_donations, receipt_donations.c.receipt_id == Receipt.id)
            .where(receipt_donations.c.donation_id == donation_id)
        )


def all_rows(app):
    """Count the rows of every table the application has."""
    with app.app_context():
        return {
            table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def gift(app, donation_id):
    with app.app_context():
        return db.session.get(Donation, donation_id)


def test_the_same_event_five_times_two_at_once_is_one_gift(app, client, localstripe, live_server, smtp_sink, received):
    donation_id, pi = three_d_secure_gift(app, client, localstripe)
    payload = event_payload("evt_five_times", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})
    url = f"{live_server.url}{WEBHOOK_URL}"

    def deliver():
        return requests.post(
            url, data=payload, headers=webhook_headers(payload, secret_of(app)), timeout=30
        ).status_code

    statuses = [deliver()]
    barrier = threading.Barrier(2)

    def deliver_at_once():
        barrier.wait()
        statuses.append(deliver())

    threads = [threading.Thread(target=deliver_at_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses += [deliver(), deliver()]
    assert statuses == [200] * 5

    assert gift(app, donation_id).status == "succeeded"
    assert count(app, Donation) == 1
    assert count(app, StripeEvent) == 1
    assert count(app, OutboundEmail, template="gift_thanks") == 1
    assert receipts_of(app, donation_id) == 1
    assert received == [donation_id]
    result = app.test_cli_runner().invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    assert [m["To"].addresses[0].addr_spec for m in smtp_sink.parsed()] == ["elise@example.org"]


@pytest.mark.parametrize("case", ["bad signature", "stale timestamp", "tampered body"])
def test_an_unverifiable_event_writes_no_row_in_any_table(app, client, localstripe, case, caplog):
    donation_id, pi = three_d_secure_gift(app, client, localstripe)  # paid: a forged event would fulfil it
    payload = event_payload("evt_forged", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})
    header = webhook_headers(payload, secret_of(app))
    if case == "bad signature":
        header["Stripe-Signature"] = header["Stripe-Signature"][:-8] + "deadbeef"
    elif case == "stale timestamp":
        header = webhook_headers(payload, secret_of(app), timestamp=int(time.time()) - 301)
    else:
        payload = payload.replace(b'"livemode": false', b'"livemode": true')
    before = all_rows(app)
    with caplog.at_level("WARNING"):
        response = client.post(WEBHOOK_URL, data=payload, headers=header)
    assert response.status_code == 400
    assert all_rows(app) == before
    assert gift(app, donation_id).status == "pending"
    assert any("refused a Stripe webhook" in record.getMessage() for record in caplog.records)


def test_payment_succeeded_before_the_gift_is_committed_then_the_return_page(app, localstripe, received):
    statuses = []
    with app.app_context():
        started = start_donation(
            GiftRequest(
                email="elise@example.org",
                gift_cents=5000,
                cover_fee=False,
                card_token=card_token(localstripe, CARD_3DS),
                donor={"first_name": "Élise", "last_name": "Côté", "language": "fr"},
            )
        )
        pi, token = started.donation.stripe_payment_intent_id, started.donation.token
        assert started.status == "requires_action"
        authenticate(localstripe, started.client_secret)
        payload = event_payload("evt_early", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})

        def deliver():
            statuses.append(
                app.test_client().post(WEBHOOK_URL, data=payload, headers=webhook_headers(payload, secret_of(app)))
            )

        thread = threading.Thread(target=deliver)
        thread.start()
        thread.join(1.5)  # PostgreSQL: done, and it saw no gift yet; SQLite: it waits for this commit
        if db.engine.dialect.name == "postgresql":
            assert [response.status_code for response in statuses] == [200]  # before the gift existed for others
        db.session.commit()
    thread.join(30)
    assert [response.status_code for response in statuses] == [200]

    client = app.test_client()
    assert client.get(f"/donate/thanks/{token}").status_code == 200  # the donor comes back from 3-D Secure
    late = event_payload("evt_late", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})
    retried = client.post(WEBHOOK_URL, data=late, headers=webhook_headers(late, secret_of(app)))
    assert retried.status_code == 200  # Stripe retries

    [donation] = [gift(app, donation_id) for donation_id in received]
    assert (donation.status, donation.stripe_payment_intent_id) == ("succeeded", pi)
    assert count(app, Donation) == 1
    assert count(app, OutboundEmail, template="gift_thanks") == 1
    assert receipts_of(app, donation.id) == 1


def test_two_refund_events_at_once_record_the_refund_once(app, client, localstripe):
    donation_id, pi = paid_gift(app, client, localstripe)
    stripe_api(localstripe, "POST", "refunds", payment_intent=pi, amount=2000)
    charge = charge_of(localstripe, pi)
    payloads = [
        event_payload(event_id, "charge.refunded", {"id": charge, "object": "charge", "payment_intent": pi})
        for event_id in ("evt_refund_a", "evt_refund_b")
    ]
    statuses = []
    barrier = threading.Barrier(4)

    def deliver(payload):
        barrier.wait()
        statuses.append(
            app.test_client()
            .post(WEBHOOK_URL, data=payload, headers=webhook_headers(payload, secret_of(app)))
            .status_code
        )

    threads = [threading.Thread(target=deliver, args=(p,)) for p in (*payloads, *payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 4
    donation = gift(app, donation_id)
    assert (donation.status, donation.refunded_cents) == ("partially_refunded", 2000)
    assert count(app, Refund) == 1
    assert count(app, StripeEvent) == 2

"""Monthly gifts against the real localstripe: a Plan + Subscription, each paid invoice one gift."""

import re
import threading
import time

import pytest

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.payments.models import RecurringGift, StripeEvent
from crm.payments.services import GiftRequest
from crm.payments.services.donations import start_donation
from crm.payments.services.plan_links import manage_url
from crm.supporters.models import Activity, ConsentRecord
from tests.payments.helpers import (
    CARD_3DS,
    CARD_CHARGE_FAILS,
    CARD_DECLINED,
    authenticate,
    card_token,
    count,
    donations,
    gift_form,
    gifts,
    give,
    give_monthly,
    post_event,
    renew,
    started_gift,
    stripe_api,
)


def gift_request(localstripe, email="elise@example.org", cents=2500, number=None):
    return GiftRequest(
        email=email,
        gift_cents=cents,
        cover_fee=False,
        card_token=card_token(localstripe, number) if number else card_token(localstripe),
        kind="monthly",
        donor={"first_name": "Élise", "last_name": "Côté", "language": "fr", "city": "Montréal"},
        gift={"designation": "", "message": "Chaque mois"},
    )


def test_monthly_gift_through_the_form_is_an_active_plan_and_one_gift(app, client, localstripe, received):
    gift, thanks = started_gift(app, client, localstripe, cover_fee="y", designation="spring-appeal")
    assert (gift.status, gift.amount_cents, gift.fee_cents, gift.interval) == ("active", 5181, 181, "month")
    assert gift.designation == "spring-appeal"
    assert gift.stripe_customer_id.startswith("cus_")
    assert gift.stripe_plan_id == "gift-month-cad-5181"
    [donation] = donations(app)
    assert (donation.status, donation.kind, donation.recurring_gift_id) == ("succeeded", "monthly", gift.id)
    assert donation.amount_cents == 5181 and donation.fee_cents == 181
    assert donation.stripe_invoice_id.startswith("in_") and donation.stripe_payment_intent_id.startswith("pi_")
    assert received == [donation.id]
    assert count(app, ConsentRecord) == 1
    assert count(app, Activity, kind="gift") == 1

    subscription = stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")
    assert subscription["status"] == "active"
    assert subscription["customer"] == gift.stripe_customer_id
    assert subscription["plan"]["amount"] == 5181
    invoice = stripe_api(localstripe, "GET", f"invoices/{donation.stripe_invoice_id}")
    assert (invoice["status"], invoice["subscription"]) == ("paid", gift.stripe_subscription_id)

    # The thank-you email carries the donor's manage link, and says the receipt comes once a year.
    with app.app_context():
        thanks_email = db.session.scalar(db.select(OutboundEmail).filter_by(template="gift_thanks"))
        assert thanks_email.context["manage_url"] == manage_url(db.session.get(RecurringGift, gift.id))
        assert thanks_email.context["annual_receipt_year"] == donation.succeeded_at.year

    # The thank-you page of the first invoice, any number of times: still one gift.
    for _ in range(2):
        page = client.get(thanks)
        assert page.status_code == 200
        assert "Thank you for your gift!" in page.get_data(as_text=True)
    assert received == [donation.id]


def test_second_plan_reuses_the_customer_and_the_plan(app, client, localstripe):
    assert give(client, gift_form(card_token(localstripe))).status_code == 302  # a one-time gift first
    give_monthly(client, localstripe, amount="2500")
    give_monthly(client, localstripe, amount="2500")
    one_time, first, second = donations(app)
    assert first.stripe_customer_id == second.stripe_customer_id == one_time.stripe_customer_id
    plans = {gift.stripe_plan_id for gift in gifts(app)}
    assert plans == {"gift-month-cad-2500"}
    assert stripe_api(localstripe, "GET", "plans/gift-month-cad-2500")["amount"] == 2500


@pytest.mark.parametrize("number", [CARD_DECLINED, CARD_CHARGE_FAILS])
def test_declined_card_leaves_no_plan_and_no_paid_gift(app, client, localstripe, received, number):
    response = give_monthly(client, localstripe, number)
    assert response.status_code == 400
    assert "Your card was declined" in response.get_data(as_text=True)
    [gift] = gifts(app)
    [donation] = donations(app)
    assert (gift.status, donation.status) == ("cancelled", "failed")
    assert received == []
    if gift.stripe_subscription_id:  # the card attached, the charge failed: nothing keeps billing
        assert stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")["status"] == "canceled"
    page = client.get(f"/donate/thanks/{donation.token}").get_data(as_text=True)
    assert "Your gift was not completed" in page


@pytest.mark.parametrize("success", [True, False])
def test_three_d_secure_on_the_first_invoice(app, client, localstripe, received, success):
    response = give_monthly(client, localstripe, CARD_3DS)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    client_secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    thanks = re.search(r'data-return-url="([^"]+)"', page).group(1)
    assert [g.status for g in gifts(app)] == ["incomplete"]
    assert "being processed" in client.get(thanks).get_data(as_text=True)
    authenticate(localstripe, client_secret, success)
    page = client.get(thanks).get_data(as_text=True)
    [gift] = gifts(app)
    [donation] = donations(app)
    if success:
        assert "Thank you for your gift!" in page
        assert (gift.status, donation.status) == ("active", "succeeded")
        assert received == [donation.id]
    else:
        assert "Your gift was not completed" in page
        assert (gift.status, donation.status) == ("cancelled", "failed")
        assert received == []


def test_renewal_invoice_is_one_more_gift_even_delivered_three_times(app, client, localstripe, secret, received):
    gift, _thanks = started_gift(app, client, localstripe)
    invoice = renew(localstripe, gift)  # a real second invoice in localstripe, paid by its own PaymentIntent
    assert invoice["status"] == "paid" and invoice["payment_intent"]
    obj = {"id": invoice["id"], "object": "invoice", "subscription": gift.stripe_subscription_id}
    for _ in range(3):
        assert post_event(client, "evt_renewal_1", "invoice.payment_succeeded", obj, secret).status_code == 200
    # The same invoice in another event, and its PaymentIntent's own event (without the invoice field).
    assert post_event(client, "evt_renewal_2", "invoice.payment_succeeded", obj, secret).status_code == 200
    pi = {"id": invoice["payment_intent"], "object": "payment_intent"}
    assert post_event(client, "evt_renewal_pi", "payment_intent.succeeded", pi, secret).status_code == 200

    first, renewal = donations(app)
    assert (renewal.status, renewal.kind, renewal.recurring_gift_id) == ("succeeded", "monthly", gift.id)
    assert (renewal.amount_cents, renewal.currency) == (5000, "cad")
    assert renewal.stripe_invoice_id == invoice["id"]
    assert renewal.stripe_payment_intent_id == invoice["payment_intent"]
    assert (renewal.first_name, renewal.email, renewal.message) == ("Élise", "elise@example.org", "")
    assert received == [first.id, renewal.id]
    assert count(app, Activity, kind="gift") == 2
    assert count(app, StripeEvent) == 3


def test_unpaid_or_unknown_invoices_record_nothing(app, client, localstripe, secret, received):
    gift, _thanks = started_gift(app, client, localstripe)
    draft = stripe_api(
        localstripe, "POST", "invoices", customer=gift.stripe_customer_id, subscription=gift.stripe_subscription_id
    )
    for event_id, obj in [
        ("evt_draft", {"id": draft["id"], "object": "invoice"}),
        ("evt_bad_id", {"id": "not-an-invoice", "object": "invoice"}),
        ("evt_no_id", {"object": "invoice"}),
    ]:
        assert post_event(client, event_id, "invoice.payment_succeeded", obj, secret).status_code == 200
    assert len(donations(app)) == 1
    assert len(received) == 1


def test_invoice_event_before_the_request_commits_ends_in_one_gift(app, localstripe, secret, received):
    statuses = []
    with app.app_context():
        started = start_donation(gift_request(localstripe))
        invoice_id = started.donation.stripe_invoice_id
        assert started.status == "succeeded"

        def deliver():
            obj = {"id": invoice_id, "object": "invoice"}
            statuses.append(post_event(app.test_client(), "evt_early", "invoice.payment_succeeded", obj, secret))

        thread = threading.Thread(target=deliver)
        thread.start()
        thread.join(1.5)  # PostgreSQL: it is done and saw no plan yet; SQLite: it waits for this commit
        db.session.commit()
    thread.join(30)
    assert [r.status_code for r in statuses] == [200]
    # Stripe retries, and the PaymentIntent's event comes too: still one gift.
    client = app.test_client()
    obj = {"id": invoice_id, "object": "invoice"}
    assert post_event(client, "evt_late", "invoice.payment_succeeded", obj, secret).status_code == 200
    [donation] = donations(app)
    assert donation.status == "succeeded"
    assert received == [donation.id]
    assert [g.status for g in gifts(app)] == ["active"]


def test_two_deliveries_of_a_renewal_at_once_give_one_gift(app, client, localstripe, secret, received):
    gift, _thanks = started_gift(app, client, localstripe)
    invoice = renew(localstripe, gift)
    obj = {"id": invoice["id"], "object": "invoice"}
    statuses = []
    barrier = threading.Barrier(4)

    def deliver(event_id):
        barrier.wait()
        statuses.append(post_event(app.test_client(), event_id, "invoice.payment_succeeded", obj, secret).status_code)

    threads = [threading.Thread(target=deliver, args=(e,)) for e in ("evt_a", "evt_a", "evt_b", "evt_b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200, 200, 200, 200]
    assert [d.status for d in donations(app)] == ["succeeded", "succeeded"]
    assert len(received) == 2
    assert count(app, ConsentRecord) == 2  # one per gift
    assert count(app, Activity, kind="gift") == 2


def test_localstripe_sends_the_first_invoice_and_it_stays_one_gift(app, client, localstripe, stripe_webhook, received):
    """End to end: localstripe signs and sends invoice.payment_succeeded and payment_intent.succeeded."""
    gift, _thanks = started_gift(app, client, localstripe)
    deadline = time.monotonic() + 15
    types = []
    while "invoice.payment_succeeded" not in types and time.monotonic() < deadline:
        time.sleep(0.2)
        with app.app_context():
            types = db.session.scalars(db.select(StripeEvent.type)).all()
    assert "invoice.payment_succeeded" in types
    renew(localstripe, gift)  # and a renewal that only the webhook tells us about
    deadline = time.monotonic() + 15
    while [d.status for d in donations(app)] != ["succeeded"] * 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(d.status, d.kind) for d in donations(app)] == [("succeeded", "monthly")] * 2
    assert len(received) == 2

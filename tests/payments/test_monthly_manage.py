"""The donor's monthly gift through the signed link in their emails: failed payment, card, amount, cancel."""

import re

import pytest
import requests

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.payments.services.plan_links import make_manage_token, manage_url
from crm.supporters.models import Supporter
from tests.blns import STRINGS
from tests.helpers import csrf_token
from tests.payments.helpers import (
    CARD_CHARGE_FAILS,
    card_token,
    count,
    donations,
    gifts,
    give_monthly,
    post_event,
    renew,
    stripe_api,
)


@pytest.fixture
def app(make_app, smtp_sink, localstripe):
    return make_app(MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def client(app):
    """A visitor who chose English on the switch: a link's page speaks the person's language (French here) otherwise."""
    visitor = app.test_client()
    visitor.get("/language/en")
    return visitor


@pytest.fixture
def gift(app, client, localstripe):
    assert give_monthly(client, localstripe).status_code == 302
    [gift] = gifts(app)
    assert gift.status == "active"
    return gift


@pytest.fixture
def link(app, gift):
    with app.app_context(), app.test_request_context():
        return manage_url(gift, external=False)


def _post(client, url, **data):
    if "csrf_token" not in data:  # the CSRF token is the session's: any form's will do
        data["csrf_token"] = csrf_token(client, url if not url.endswith("/amount") else url.rsplit("/", 1)[0])
    return client.post(url, data=data)


def _mail(app, smtp_sink, expected):
    with app.app_context():
        send_due()
    smtp_sink.wait_for(expected)
    return smtp_sink.parsed()


def _text(message):
    return message.get_body(("plain",)).get_content()


def _fail_next_payment(localstripe, gift):
    """The donor's card starts refusing charges; Stripe bills the month and fails."""
    card = stripe_api(
        localstripe,
        "POST",
        f"customers/{gift.stripe_customer_id}/sources",
        source=card_token(localstripe, CARD_CHARGE_FAILS),
    )
    stripe_api(localstripe, "POST", f"customers/{gift.stripe_customer_id}", default_source=card["id"])
    invoice = renew(localstripe, gift)
    assert invoice["status"] == "open"
    return invoice


def test_manage_link_is_signed_and_external_on_base_url(app, gift):
    with app.app_context():
        url = manage_url(gift)
    assert url.startswith(app.config["BASE_URL"] + "/donate/monthly/")


def test_manage_page_shows_the_plan(client, gift, link):
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your monthly gift" in text and "$50.00" in text and "Active" in text
    assert "Change the amount" in text and "Cancel my monthly gift" in text


@pytest.mark.parametrize("suffix", ["", "/card", "/cancel"])
def test_tampered_or_foreign_tokens_are_404(app, client, gift, link, suffix):
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        from crm.supporters.services.preferences import make_preference_token  # another salt, same key

        foreign = make_preference_token(db.session.get(Supporter, gift.supporter_id))
        other = make_manage_token(type("G", (), {"id": gift.id + 1000})())
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 300, foreign, other, "%00", "1"):
        assert client.get(f"/donate/monthly/{bad}{suffix}").status_code == 404
    assert client.post(f"/donate/monthly/{token}x/amount", data={"amount": "40"}).status_code in (400, 404)


def test_failed_payment_marks_past_due_and_emails_the_card_link_once(app, client, localstripe, smtp_sink, secret, gift):
    invoice = _fail_next_payment(localstripe, gift)
    obj = {"id": invoice["id"], "object": "invoice", "subscription": gift.stripe_subscription_id}
    for event_id in ("evt_fail_1", "evt_fail_1", "evt_fail_2"):
        assert post_event(client, event_id, "invoice.payment_failed", obj, secret).status_code == 200
    [gift] = gifts(app)
    assert gift.status == "past_due" and gift.last_failure_at is not None
    assert "declined" in gift.failure_message
    assert len(donations(app)) == 1  # no gift for an unpaid invoice
    assert count(app, OutboundEmail, template="gift_payment_failed") == 1
    messages = [
        m for m in _mail(app, smtp_sink, 2) if "did not go through" in m["Subject"] or "pu être" in m["Subject"]
    ]
    assert len(messages) == 1
    body = _text(messages[0])
    url = re.search(r"(http://\S+/donate/monthly/\S+)", body).group(1)
    assert url.startswith(app.config["BASE_URL"])

    # The link opens the page, which asks for another card; the new card pays the overdue month.
    path = url.removeprefix(app.config["BASE_URL"])
    assert "Payment overdue" in client.get(path).get_data(as_text=True)
    card_page = client.get(path + "/card")
    assert card_page.status_code == 200
    assert 'id="card-element"' in card_page.get_data(as_text=True)
    response = _post(client, path + "/card", card_token=card_token(localstripe))
    assert response.status_code == 302
    [gift] = gifts(app)
    assert gift.status == "active"
    _first, paid_late = donations(app)
    assert (paid_late.status, paid_late.stripe_invoice_id) == ("succeeded", invoice["id"])
    customer = stripe_api(localstripe, "GET", f"customers/{gift.stripe_customer_id}")
    assert customer["default_source"] == customer["sources"]["data"][-1]["id"]  # the new card


def test_replace_card_needs_a_card_and_a_declined_one_is_refused(app, client, localstripe, gift, link):
    assert _post(client, link + "/card", card_token="").status_code == 400
    assert _post(client, link + "/card", card_token="tok_<script>").status_code == 400
    response = _post(client, link + "/card", card_token=card_token(localstripe, "4000000000000002"))
    assert response.status_code == 400
    assert "declined" in response.get_data(as_text=True)
    assert gifts(app)[0].status == "active"


def test_cancel_through_the_manage_page(app, client, localstripe, smtp_sink, secret, gift, link):
    confirm = client.get(link + "/cancel")
    assert confirm.status_code == 200
    csrf = csrf_token(client, link + "/cancel")
    assert "Yes, cancel my monthly gift" in confirm.get_data(as_text=True)
    assert gifts(app)[0].status == "active"  # the link alone cancels nothing
    response = _post(client, link + "/cancel")
    assert response.status_code == 302
    [gift] = gifts(app)
    assert gift.status == "cancelled" and gift.cancelled_at is not None
    assert stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")["status"] == "canceled"
    # Stripe then tells us too, and a second click changes nothing: one confirmation email.
    obj = {"id": gift.stripe_subscription_id, "object": "subscription"}
    assert post_event(client, "evt_deleted", "customer.subscription.deleted", obj, secret).status_code == 200
    assert _post(client, link + "/cancel", csrf_token=csrf).status_code == 302
    assert count(app, OutboundEmail, template="plan_cancelled") == 1
    messages = _mail(app, smtp_sink, 2)
    [cancelled] = [m for m in messages if "annulé" in m["Subject"] or "cancelled" in m["Subject"]]
    assert "$" in _text(cancelled) or "50,00" in _text(cancelled)
    page = client.get(link).get_data(as_text=True)
    assert "Cancelled" in page and "Change the amount" not in page


def test_subscription_deleted_at_stripe_cancels_the_gift(app, client, localstripe, secret, gift):
    stripe_api(localstripe, "DELETE", f"subscriptions/{gift.stripe_subscription_id}")
    obj = {"id": gift.stripe_subscription_id, "object": "subscription", "status": "active"}  # stale: re-read
    for event_id in ("evt_del_1", "evt_del_1", "evt_del_2"):
        assert post_event(client, event_id, "customer.subscription.deleted", obj, secret).status_code == 200
    assert gifts(app)[0].status == "cancelled"
    assert count(app, OutboundEmail, template="plan_cancelled") == 1
    # A late "updated" event cannot bring it back.
    assert post_event(client, "evt_upd", "customer.subscription.updated", obj, secret).status_code == 200
    assert gifts(app)[0].status == "cancelled"


def test_change_amount_moves_the_subscription_to_a_reused_plan(app, client, localstripe, gift, link):
    response = _post(client, link + "/amount", amount="40")
    assert response.status_code == 302
    [gift] = gifts(app)
    assert (gift.amount_cents, gift.fee_cents, gift.stripe_plan_id) == (4000, 0, "gift-month-cad-4000")
    subscription = stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")
    assert subscription["plan"]["id"] == "gift-month-cad-4000" and subscription["plan"]["amount"] == 4000
    assert "$40.00" in client.get(link).get_data(as_text=True)

    # Another donor choosing the same amount shares the plan; covering the fee is another plan.
    assert (
        give_monthly(client, localstripe, email="marc@example.org", amount="other", custom_amount="40").status_code
        == 302
    )
    assert gifts(app)[1].stripe_plan_id == "gift-month-cad-4000"
    assert _post(client, link + "/amount", amount="40", cover_fee="y").status_code == 302
    [gift, _other] = gifts(app)
    assert (gift.amount_cents, gift.fee_cents, gift.stripe_plan_id) == (4151, 151, "gift-month-cad-4151")
    plans = stripe_api(localstripe, "GET", "plans", limit=100)["data"]
    assert [p["id"] for p in plans].count("gift-month-cad-4000") == 1


def test_change_amount_refuses_bad_amounts_and_keeps_the_plan(app, client, gift, link):
    strings = STRINGS[::40]
    for amount in ["", "0", "-5", "0.5", "1e9", "99999999", "40.555", "٤٠", *strings]:
        response = _post(client, link + "/amount", amount=amount)
        assert response.status_code == 400, amount
    assert "Enter an amount like 40 or 40.50." in response.get_data(as_text=True) or response.status_code == 400
    [after] = gifts(app)
    assert (after.amount_cents, after.stripe_plan_id) == (5000, "gift-month-cad-5000")


def test_a_cancelled_gift_cannot_be_changed(app, client, localstripe, gift, link):
    csrf = csrf_token(client, link)
    assert _post(client, link + "/cancel", csrf_token=csrf).status_code == 302
    response = _post(client, link + "/amount", amount="40", csrf_token=csrf)
    assert response.status_code == 400
    assert "no longer active" in response.get_data(as_text=True)
    response = _post(client, link + "/card", card_token=card_token(localstripe), csrf_token=csrf)
    assert response.status_code == 400
    assert "no longer active" in response.get_data(as_text=True)
    with pytest.raises(requests.HTTPError):
        renew(localstripe, gifts(app)[0])  # Stripe has no subscription left to bill


def test_plan_changed_in_the_stripe_dashboard_is_followed(app, client, localstripe, secret, gift):
    subscription = stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")
    stripe_api(
        localstripe,
        "POST",
        "plans",
        id="dashboard-plan-7500",
        amount=7500,
        currency="cad",
        interval="month",
        product="monthly-gifts",
    )
    stripe_api(
        localstripe,
        "POST",
        f"subscriptions/{gift.stripe_subscription_id}",
        **{"items[0][id]": subscription["items"]["data"][0]["id"], "items[0][plan]": "dashboard-plan-7500"},
    )
    obj = {"id": gift.stripe_subscription_id, "object": "subscription"}
    assert post_event(client, "evt_plan", "customer.subscription.updated", obj, secret).status_code == 200
    [after] = gifts(app)
    assert (after.status, after.amount_cents, after.fee_cents, after.stripe_plan_id) == (
        "active",
        7500,
        0,
        "dashboard-plan-7500",
    )

"""The catalog checkout posted twice (double click, resent POST, back button) places and pays one order.

The checkout form carries the `submission_key` of its rendering (crm/payments/services/submissions.py):
posted again, one after the other or at the same moment, it answers with the order the first post
placed (its page, or the same 3-D Secure step), with one gift and one PaymentIntent at localstripe
and its units held once; a freshly shown form is a new order; a key the app did not make is refused.
"""

import html

import pytest
import requests

from crm.catalog.models import HonourCard
from crm.catalog.services.checkout import card_dates
from crm.catalog.services.orders import DESIGNATION, order_for_donation
from crm.extensions import db
from crm.payments.models import Donation
from tests import factories
from tests.catalog.checkout_helpers import (
    CHECKOUT,
    HIDDEN_RE,
    HIDDEN_RE_2,
    buyer,
    card_fields,
    check_out,
    donation_count,
    fill_cart,
    orders,
    reserved,
    shown_form,
)
from tests.catalog.shop import stock
from tests.helpers import CSRF_RE, session_data
from tests.payments.helpers import CARD_3DS, CARD_DECLINED, card_token, count, stripe_api
from tests.payments.stripe_passthrough import stripe_calls  # noqa: F401 (a fixture)
from tests.payments.test_double_submit import (
    EXPIRED,
    SECRET_RE,
    TWINS,
    _post_at_once,
    at_stripe,
    emails_to,
    lose_the_answer,
    malformed_keys,
    new_email,
    one_customer_and_intent,
    receipts_of,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def shop(app):
    return stock(app)


def today(app):
    with app.app_context():
        return card_dates()[0]


def filled(client, localstripe, email, number=None, **fields):
    """The checkout form as the page shows it now, with the buyer's fields and a card token."""
    _page, hidden = shown_form(client)
    token = card_token(localstripe, number) if number else card_token(localstripe)
    return {**hidden, **buyer(token, email=email), **fields}


def post(client, data):
    return client.post(CHECKOUT, data=data, headers=EN)


def test_a_checkout_posted_twice_places_and_pays_one_order(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 2, shop.fees.id: 1})
    assert reserved(app, shop.police.id) == 2
    email = new_email()
    day = today(app).isoformat()
    data = filled(client, localstripe, email, **card_fields(0, "Grand-maman Rose", email="rose@example.org", date=day))
    first = post(client, data)
    assert first.status_code == 302, first.get_data(as_text=True)
    done = first.headers["Location"]
    again = post(client, data)
    assert again.status_code == 302, again.get_data(as_text=True)
    assert again.headers["Location"] == done

    [order] = orders(app)
    assert done.endswith(f"/catalog/orders/{order.token}")
    assert (order.status, order.total_cents) == ("paid", 10000)
    assert reserved(app, shop.police.id) == 4  # held once: 2 + 2
    assert count(app, HonourCard) == 1
    with app.app_context():
        [donation] = db.session.scalars(db.select(Donation)).all()
        assert (donation.status, donation.amount_cents, donation.id) == ("succeeded", 10000, order.donation_id)
    assert one_customer_and_intent(localstripe, email) == donation.stripe_payment_intent_id


def test_the_checkout_sent_again_from_the_back_button_after_the_order_page_shows_that_order(
    app, client, shop, localstripe
):
    fill_cart(app, client, {shop.fees.id: 1})
    email = new_email()
    data = filled(client, localstripe, email)
    first = post(client, data)
    assert first.status_code == 302, first.get_data(as_text=True)
    done = first.headers["Location"]
    assert "Thank you for your order!" in client.get(done, headers=EN).get_data(as_text=True)
    assert "cart" not in session_data(client)  # paid: the cart was emptied

    again = post(client, data)  # the browser resends the checkout it went back to
    assert again.status_code == 302, again.get_data(as_text=True)
    assert again.headers["Location"] == done
    assert len(orders(app)) == 1 and donation_count(app) == 1
    assert "cart" not in session_data(client)
    one_customer_and_intent(localstripe, email)


def test_a_checkout_posted_again_during_3d_secure_asks_for_the_same_payment(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 1})
    email = new_email()
    data = filled(client, localstripe, email, number=CARD_3DS)
    first = post(client, data)
    assert first.status_code == 200, first.get_data(as_text=True)
    secret = SECRET_RE.search(first.get_data(as_text=True)).group(1)
    again = post(client, data)
    assert again.status_code == 200
    assert SECRET_RE.search(again.get_data(as_text=True)).group(1) == secret
    [order] = orders(app)
    assert order.status == "pending"
    assert reserved(app, shop.police.id) == 3  # held once while the bank asks
    assert secret.startswith(one_customer_and_intent(localstripe, email) + "_secret_")


def test_a_declined_checkout_posted_again_is_declined_again_and_holds_nothing(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 2})
    email = new_email()
    data = filled(client, localstripe, email, number=CARD_DECLINED)
    for _ in range(2):
        response = post(client, data)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Your card was declined" in page
        assert shown_key(page) not in ("", data["submission_key"])  # shown again: a new attempt
    [order] = orders(app)
    assert order.status == "failed"
    assert reserved(app, shop.police.id) == 2
    assert donation_count(app) == 1
    assert at_stripe(localstripe, email)[1] == []  # the card was tried once, and charged never


def shown_key(page):
    hidden = dict(HIDDEN_RE.findall(page) + HIDDEN_RE_2.findall(page))
    return hidden.get("submission_key", "")


def test_a_freshly_shown_checkout_is_a_new_order(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 1})
    email = new_email()
    first = post(client, filled(client, localstripe, email))
    second = post(client, filled(client, localstripe, email))  # the cart is still there: not yet seen paid
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] != second.headers["Location"]
    assert [order.status for order in orders(app)] == ["paid", "paid"]
    assert donation_count(app) == 2
    assert len(at_stripe(localstripe, email)[1]) == 2


def test_a_checkout_without_a_key_still_places_an_order_per_post(app, client, shop, localstripe):
    fill_cart(app, client, {shop.fees.id: 1})
    email = new_email()
    data = filled(client, localstripe, email)
    del data["submission_key"]
    assert post(client, data).status_code == 302
    data["card_token"] = card_token(localstripe)
    assert post(client, data).status_code == 302
    assert [order.status for order in orders(app)] == ["paid", "paid"]


def test_a_key_we_did_not_make_is_refused_and_nothing_is_held_or_charged(app, client, shop, localstripe):
    fill_cart(app, client, {shop.police.id: 1})
    email = new_email()
    data = filled(client, localstripe, email)
    for key in malformed_keys(data["submission_key"]):
        response = post(client, {**data, "submission_key": key})
        assert response.status_code == 400, (key, response.status_code)
        page = response.get_data(as_text=True)
        assert EXPIRED in page, key
        assert shown_key(page) not in ("", key)
    assert orders(app) == [] and donation_count(app) == 0
    assert reserved(app, shop.police.id) == 2
    assert at_stripe(localstripe, email) == ([], [], [])

    response = post(client, {**data, "submission_key": shown_key(page)})  # the form as it came back
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(orders(app)) == 1 and reserved(app, shop.police.id) == 3


def test_a_checkout_charged_whose_transaction_was_lost_places_one_order_when_sent_again(
    make_app,
    stripe_calls,  # noqa: F811
    localstripe,
    smtp_sink,
):
    """Stripe charged, then the database dropped before the order was committed: sent again, the
    form's Stripe calls get Stripe's saved answers (the parameters are the same: no row ids), and that
    payment pays one order, its units held once."""
    app = make_app(STRIPE_API_BASE=stripe_calls.url, RATELIMIT_ENABLED=False, MAIL_RATE_PER_MINUTE=0)
    shop = stock(app)
    client = app.test_client()
    fill_cart(app, client, {shop.police.id: 2, shop.fees.id: 1})
    email = new_email()
    day = today(app).isoformat()
    data = filled(client, localstripe, email, **card_fields(0, "Grand-maman Rose", email="rose@example.org", date=day))
    paid = lose_the_answer(client, CHECKOUT, data)
    assert orders(app) == [] and reserved(app, shop.police.id) == 2  # nothing of it kept here...
    assert at_stripe(localstripe, email)[1] == [paid]  # ...but the card was charged

    other = app.test_client()  # meanwhile another buyer's order takes the rows the lost one had numbered
    fill_cart(app, other, {shop.fees.id: 1})
    assert check_out(other, card_token(localstripe), email=new_email()).status_code == 302

    again = post(client, data)
    assert again.status_code == 302, again.get_data(as_text=True)
    page = client.get(again.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Thank you for your order!" in page
    order = next(order for order in orders(app) if order.email == email)
    assert again.headers["Location"].endswith(f"/catalog/orders/{order.token}")
    assert (order.status, order.total_cents) == ("paid", 10000)
    with app.app_context():
        donation = db.session.get(Donation, order.donation_id)
        assert (donation.status, donation.stripe_payment_intent_id) == ("succeeded", paid)
    assert one_customer_and_intent(localstripe, email) == paid  # charged once
    assert stripe_calls.refused == []
    assert "/v1/payment_intents" in {path for path, _key in stripe_calls.replayed}  # Stripe's saved answer
    assert reserved(app, shop.police.id) == 4  # held once: 2 + 2
    assert count(app, HonourCard, order_id=order.id) == 1
    assert receipts_of(app, donation) == 1
    assert emails_to(app, email) == ["order_confirmation"]


@pytest.mark.parametrize("named_by", ["token", "id"])
def test_a_payment_finds_its_order_by_the_token_it_carries_or_by_the_id_of_payments_made_before(
    app, localstripe, named_by
):
    """Checkout sends the order's token (the same on a resend); a payment made before carries its id."""
    with app.app_context():
        order = factories.order("buyer@example.org", [(factories.item("school-fees"), 1)], status="pending")
        donation = factories.gift("buyer@example.org", status="pending", designation=DESIGNATION)
        metadata = {"order_token": order.token} if named_by == "token" else {"order_id": str(order.id)}
        donation.stripe_payment_intent_id = paid_intent(localstripe, metadata)
        assert order_for_donation(donation) == order
        other = factories.gift("other@example.org", status="pending", designation=DESIGNATION)
        other.stripe_payment_intent_id = paid_intent(localstripe, metadata)
        assert order_for_donation(other) is None  # another buyer's payment naming it pays nothing


def paid_intent(localstripe, metadata):
    """A PaymentIntent paid at localstripe with this metadata; return its id."""
    customer = stripe_api(localstripe, "POST", "customers", email="buyer@example.org")
    card = stripe_api(localstripe, "POST", f"customers/{customer['id']}/sources", source=card_token(localstripe))
    fields = {f"metadata[{name}]": value for name, value in metadata.items()}
    intent = stripe_api(
        localstripe,
        "POST",
        "payment_intents",
        amount=5000,
        currency="cad",
        customer=customer["id"],
        payment_method=card["id"],
        confirm="true",
        **fields,
    )
    return intent["id"]


# --- at the same moment ------------------------------------------------------------------------------


@pytest.mark.parametrize("left", [None, 1])
def test_the_same_checkout_posted_at_the_same_moment_places_one_order(
    app, client, localstripe, live_server, make_item, left
):
    """Twins of one form: the first holds the units and pays; each other answers with its order.

    With `left` = 1, the first takes the last unit while the others wait: they are not told it is gone.
    """
    with app.app_context():
        made = make_item("night-of-shelter", 4000, cap=None if left is None else 5, reserved_count=4)
        db.session.commit()
        item_id = made.id
    fill_cart(app, client, {item_id: 1})
    email = new_email()
    with requests.Session() as browser:
        browser.cookies.set("session", client.get_cookie("session").value)
        page = browser.get(live_server.url + CHECKOUT, headers=EN, timeout=30).text
        cookies = browser.cookies.get_dict()
    hidden = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(page) + HIDDEN_RE_2.findall(page)}
    hidden["csrf_token"] = CSRF_RE.search(page).group(1)
    data = {**hidden, **buyer(card_token(localstripe), email=email)}

    answers = _post_at_once(live_server, CHECKOUT, data, cookies)
    assert [status for status, _location, _text in answers] == [302] * TWINS, [a[:2] for a in answers]
    [order] = orders(app)
    assert {location for _status, location, _text in answers} == {f"/catalog/orders/{order.token}"}
    assert order.status == "paid"
    assert reserved(app, item_id) == 5  # held once
    assert donation_count(app) == 1
    assert one_customer_and_intent(localstripe, email)

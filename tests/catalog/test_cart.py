"""The cart: add, change, remove; totals from the database; gone items and changed prices; tampering refused."""

import copy
from html import unescape

import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict

from crm.catalog.forms.cart import CartItemForm, CartQuantityForm
from crm.catalog.models import Item
from crm.catalog.services import CatalogError
from crm.catalog.services.cart import (
    MAX_LINES,
    acknowledge_prices,
    add_item,
    read_cart,
    remove_item,
    set_quantity,
    to_stored,
)
from crm.extensions import db
from tests.blns import SAMPLE, STRINGS
from tests.catalog.shop import change_item, stock
from tests.helpers import csrf_token, log_in, session_data

ADD, QUANTITY, REMOVE, CART = "/catalog/cart/add", "/catalog/cart/quantity", "/catalog/cart/remove", "/catalog/cart"
EN = {"Accept-Language": "en"}


@pytest.fixture
def shop(app):
    return stock(app)


@pytest.fixture
def token(client, shop):
    return csrf_token(client, "/catalog/lawyer")


def post(client, token, url, **data):
    return client.post(url, data={**data, "csrf_token": token}, headers=EN)


def cart_of(client):
    return session_data(client).get("cart")


def text(response):
    return unescape(response.get_data(as_text=True))


def test_add_change_and_remove(client, shop, token):
    response = post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    assert response.status_code == 302 and response.headers["Location"] == CART
    post(client, token, ADD, item_id=shop.fees.id, quantity="1")
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="1")  # the same item again: units add up
    assert cart_of(client) == {str(shop.lawyer.id): {"q": 3, "p": 15000}, str(shop.fees.id): {"q": 1, "p": 5000}}
    html = text(client.get(CART, headers=EN))
    assert "Added to your cart." in html
    assert "Subtotal: $450.00" in html and "Subtotal: $50.00" in html and "Total: $500.00" in html
    assert f'<label for="quantity-{shop.lawyer.id}">Quantity' in html

    assert post(client, token, QUANTITY, item_id=shop.lawyer.id, quantity="1").status_code == 302
    assert "Total: $200.00" in text(client.get(CART, headers=EN))
    assert post(client, token, REMOVE, item_id=shop.fees.id).status_code == 302
    html = text(client.get(CART, headers=EN))
    assert "Removed from your cart." in html and "School fees" not in html and "Total: $150.00" in html
    assert post(client, token, QUANTITY, item_id=shop.lawyer.id, quantity="0").status_code == 302  # 0 removes
    assert cart_of(client) == {}
    assert "Your cart is empty." in text(client.get(CART, headers=EN))


def test_cart_in_french(client, shop, token):
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    html = text(client.get(CART, headers={"Accept-Language": "fr"}))
    assert "Un avocat pour une cause" in html and "300,00\xa0$" in html


def test_totals_come_from_the_database_and_a_changed_price_is_announced(app, client, shop, token):
    post(client, token, ADD, item_id=shop.fees.id, quantity="3")
    change_item(app, shop.fees.id, price_cents=6000)
    html = text(client.get(CART, headers=EN))
    assert "The price of School fees changed from $50.00 to $60.00." in html
    assert "Total: $180.00" in html and "$150.00" not in html
    # Still announced on the next visit, until the buyer proceeds (checkout acknowledges it).
    assert "changed from $50.00 to $60.00" in text(client.get(CART, headers=EN))
    with app.test_request_context(headers=EN):
        stored = cart_of(client)
        cart = read_cart(stored)
        assert (cart.total_cents, cart.price_changed) == (18000, True)
        acknowledged = acknowledge_prices(stored, cart)
        assert acknowledged == {str(shop.fees.id): {"q": 3, "p": 6000}}
        assert not read_cart(acknowledged).price_changed
    change_item(app, shop.fees.id, active=False)
    with app.test_request_context(headers=EN):
        gone = read_cart(acknowledged)
        assert acknowledge_prices(acknowledged, gone) == {}  # what was announced as gone leaves too


def test_a_price_changed_after_a_tampered_cookie_is_still_charged_from_the_database(app, shop):
    with app.test_request_context(headers=EN):
        cart = read_cart({str(shop.lawyer.id): {"q": 2, "p": 1}})  # a "price seen" of one cent is never charged
        assert cart.total_cents == 30000 and cart.lines[0].price_changed


def test_an_item_made_inactive_or_deleted_drops_out_with_a_notice(app, client, shop, token):
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="1")
    post(client, token, ADD, item_id=shop.fees.id, quantity="1")
    post(client, token, ADD, item_id=shop.loose.id, quantity="1")
    change_item(app, shop.fees.id, active=False)
    with app.app_context():
        db.session.delete(db.session.get(Item, shop.loose.id))
        db.session.commit()
    html = text(client.get(CART, headers=EN))
    assert "School fees is no longer offered and was removed from your cart." in html
    assert "An item is no longer offered and was removed from your cart." in html
    assert "Total: $150.00" in html
    assert cart_of(client) == {str(shop.lawyer.id): {"q": 1, "p": 15000}}
    assert "no longer offered" not in text(client.get(CART, headers=EN))  # told once


@pytest.mark.parametrize(
    "url, quantity, message",
    [
        (ADD, "0", "Choose a quantity from 1 to 100."),
        (ADD, "-1", "Choose a quantity from 1 to 100."),
        (ADD, "10000", "Choose a quantity from 1 to 100."),
        (ADD, "99", "You can give at most 100 of one item."),  # 2 are already in the cart
        (ADD, "abc", "Enter the quantity as a whole number, like 1 or 2."),
        (ADD, "1.5", "Enter the quantity as a whole number, like 1 or 2."),
        (ADD, "", "Enter the quantity as a whole number, like 1 or 2."),
        (ADD, "9" * 40, "Choose a quantity from 1 to 100."),
        (QUANTITY, "-1", "Choose a quantity from 1 to 100."),
        (QUANTITY, "10000", "Choose a quantity from 1 to 100."),
        (QUANTITY, "101", "Choose a quantity from 1 to 100."),
        (QUANTITY, "abc", "Enter the quantity as a whole number, like 1 or 2."),
        (QUANTITY, "１２", "Enter the quantity as a whole number, like 1 or 2."),
    ],
)
def test_tampered_quantities_are_refused_and_the_cart_is_unchanged(client, shop, token, url, quantity, message):
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    before = cart_of(client)
    response = post(client, token, url, item_id=shop.lawyer.id, quantity=quantity)
    assert response.status_code == 400
    assert message in text(response)
    assert cart_of(client) == before


@pytest.mark.parametrize(
    "url, item, message",
    [
        (ADD, "999999", "That item is not in our catalog."),
        (ADD, "abc", "That item is not in our catalog."),
        (ADD, "-1", "That item is not in our catalog."),
        (ADD, "", "That item is not in our catalog."),
        (ADD, "99999999999999999999", "That item is not in our catalog."),  # beyond a database integer
        (ADD, "hidden", "That item is no longer offered."),
        (ADD, "foreign", "That item is not in our catalog."),  # priced in another currency
        (ADD, "gone", "Last shelter bed is gone: every one has been given."),
        (QUANTITY, "fees", "That item is not in your cart."),
        (QUANTITY, "999999", "That item is not in your cart."),
        (QUANTITY, "abc", "That item is not in our catalog."),
        (REMOVE, "fees", "That item is not in your cart."),
        (REMOVE, "abc", "That item is not in our catalog."),
        (REMOVE, "", "That item is not in our catalog."),
    ],
)
def test_foreign_unknown_and_inactive_items_are_refused(client, shop, token, url, item, message):
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    before = cart_of(client)
    item_id = getattr(shop, item).id if hasattr(shop, item) else item
    response = post(client, token, url, item_id=item_id, quantity="1")
    assert response.status_code == 400
    assert message in text(response)
    assert cart_of(client) == before


def test_a_capped_item_cannot_be_added_beyond_what_remains(client, shop, token):
    response = post(client, token, ADD, item_id=shop.police.id, quantity="4")
    assert response.status_code == 400 and "Only 3 of Police training remain." in text(response)
    assert post(client, token, ADD, item_id=shop.police.id, quantity="3").status_code == 302
    response = post(client, token, QUANTITY, item_id=shop.police.id, quantity="4")
    assert response.status_code == 400 and "Only 3 of Police training remain." in text(response)
    assert cart_of(client) == {str(shop.police.id): {"q": 3, "p": 2500}}


def test_a_post_without_its_csrf_token_is_refused(client, shop):
    response = client.post(ADD, data={"item_id": shop.lawyer.id, "quantity": "1"})
    assert response.status_code == 400
    assert cart_of(client) is None


def test_check_out_link_only_once_checkout_exists(app, client, shop, token):
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="1")
    html = text(client.get(CART, headers=EN))
    if "catalog.checkout" in app.view_functions:
        with app.test_request_context():
            assert f'<a class="button" href="{url_for("catalog.checkout")}">Check out</a>' in html
    else:
        assert "Check out" not in html
    client.post(REMOVE, data={"item_id": shop.lawyer.id, "csrf_token": token})
    assert "Check out" not in text(client.get(CART, headers=EN))  # nothing to check out


def test_the_cart_survives_logging_in(client, shop, token, make_user):
    user = make_user()
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    before = cart_of(client)
    response = log_in(client, user.email, user.password)
    assert response.status_code == 302
    after = session_data(client)
    assert after.get("_user_id") and after["cart"] == before
    assert "Total: $300.00" in text(client.get(CART, headers=EN))


def test_the_cart_holds_a_limited_number_of_different_items(app, shop, make_item):
    with app.test_request_context(headers=EN):
        stored = {}
        for number in range(MAX_LINES):
            stored = add_item(stored, make_item(f"gift-{number}").id)
        with pytest.raises(CatalogError, match="at most"):
            add_item(stored, shop.lawyer.id)
        assert len(add_item(stored, next(iter(stored)))) == MAX_LINES  # more of one already there is fine


def test_a_tampered_stored_cart_is_read_safely(app, shop):
    lawyer = str(shop.lawyer.id)
    stored = {
        lawyer: {"q": 5000, "p": 15000},
        "abc": {"q": 1, "p": 1},
        str(shop.fees.id): {"q": "1", "p": 5000},
        str(shop.loose.id): {"q": True, "p": 1500},
        "99999999999999999999": {"q": 1, "p": 1},
    }
    with app.test_request_context(headers=EN):
        cart = read_cart(stored)
        assert [(line.item.id, line.quantity) for line in cart.lines] == [(shop.lawyer.id, 100)]
        assert to_stored(cart) == {lawyer: {"q": 100, "p": 15000}}
        assert read_cart("not a dict").lines == [] and read_cart(None).total_cents == 0
        with pytest.raises(CatalogError):
            set_quantity(stored, shop.lawyer.id, True)


@pytest.fixture
def quiet_app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


CHANGES = {
    ADD: (CartQuantityForm, add_item),
    QUANTITY: (CartQuantityForm, set_quantity),
    REMOVE: (CartItemForm, remove_item),
}


def _naughty_changes(shop, value):
    return (
        (ADD, {"item_id": value, "quantity": "1"}),
        (ADD, {"item_id": shop.fees.id, "quantity": value}),
        (QUANTITY, {"item_id": value, "quantity": "1"}),
        (QUANTITY, {"item_id": shop.lawyer.id, "quantity": value}),
        (REMOVE, {"item_id": value}),
    )


def test_every_naughty_string_in_the_item_and_quantity_fields_is_refused_or_applied_by_form_and_service(quiet_app):
    shop = stock(quiet_app)
    with quiet_app.test_request_context(ADD, method="POST", headers=EN):
        stored = add_item({}, shop.lawyer.id, 2)
        for value in STRINGS:
            for url, data in _naughty_changes(shop, value):
                form_class, change = CHANGES[url]
                form = form_class(formdata=MultiDict(data), meta={"csrf": False})
                if not form.validate():
                    assert form.messages(), f"{url} {data!r} refused without a message"
                    continue
                before = copy.deepcopy(stored)
                try:
                    changed = change(stored, *form.arguments())
                except CatalogError as error:
                    assert str(error), f"{url} {data!r}"
                    changed = stored
                assert stored == before, f"{url} {data!r} changed the cart it was given"
                stored = changed if changed.get(str(shop.lawyer.id)) else add_item(changed, shop.lawyer.id, 2)


def test_a_naughty_sample_through_http_never_500s_and_a_refusal_keeps_the_cart(quiet_app):
    shop = stock(quiet_app)
    client = quiet_app.test_client()
    token = csrf_token(client, "/catalog/lawyer")
    post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")
    for value in SAMPLE:
        for url, data in _naughty_changes(shop, value):
            before = cart_of(client)
            response = post(client, token, url, **data)
            assert response.status_code in (302, 400), f"{response.status_code} for {url} {data!r}"
            if response.status_code == 400:
                assert cart_of(client) == before, f"cart changed by {url} {data!r}"
                assert 'class="alert alert-error"' in response.get_data(as_text=True)
            if not cart_of(client).get(str(shop.lawyer.id)):
                post(client, token, ADD, item_id=shop.lawyer.id, quantity="2")  # a real "0" removed it: put it back

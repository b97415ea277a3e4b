"""The last unit of a capped item, bought by 20 checkouts at once: one is paid, the others are told it is gone."""

import threading

import pytest

from crm.catalog.models import Item
from crm.extensions import db
from crm.payments.models import Donation
from tests.catalog.checkout_helpers import CHECKOUT, buyer, fill_cart, orders, reserved, shown_form
from tests.payments.helpers import card_token

BUYERS = 20


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def test_the_last_unit_is_sold_once(app, localstripe, make_item):
    with app.app_context():
        item = make_item("last-safe-house-night", 4000, cap=5, reserved_count=4)
        db.session.commit()
        item_id = item.id
    posts = []
    for n in range(BUYERS):
        client = app.test_client()
        fill_cart(app, client, {item_id: 1})
        _page, hidden = shown_form(client)
        data = {**hidden, **buyer(card_token(localstripe), email=f"buyer{n}@example.org")}
        posts.append((client, data))

    start = threading.Barrier(BUYERS)
    results = [None] * BUYERS

    def buy(n):
        client, data = posts[n]
        start.wait()
        response = client.post(CHECKOUT, data=data, headers={"Accept-Language": "en"})
        results[n] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _text in results)
    assert statuses == [302] + [400] * (BUYERS - 1), statuses
    for status, text in results:
        if status == 400:
            assert "Last safe house night is gone: every one has been given" in text
    paid = [order for order in orders(app) if order.status == "paid"]
    assert len(paid) == 1 and len(orders(app)) == 1
    assert reserved(app, item_id) == 5
    with app.app_context():
        # The others were told before paying: nothing was charged for them.
        assert db.session.scalar(db.select(db.func.count()).select_from(Donation)) == 1
        assert db.session.get(Item, item_id).remaining == 0

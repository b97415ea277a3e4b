"""Public form limits: per form and address, counted on what was taken, shared through Redis (issue 15).

An office or a school sends many forms from one address; a form sent back for a typo costs nothing;
a form over its budget comes back with what was typed and how long to wait, never an empty page.
"""

import pytest
import redis
from playwright.sync_api import expect

from crm.config import TestConfig
from crm.supporters.models import Inquiry, Signup
from tests.helpers import REDIS_URL
from tests.supporters.test_public_forms import EVENTS, MEDIA, NEWSLETTER, count, submit

TYPO = {**MEDIA, "email": "chloe@example"}  # refused: not an address


def test_the_default_is_sized_for_a_shared_office_address():
    assert TestConfig("sqlite://").PUBLIC_FORM_LIMIT == "60 per hour;20 per minute"


def test_answers_refused_for_a_typo_do_not_count(make_app):
    app = make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="2 per hour")
    client = app.test_client()
    assert [submit(client, "/contact/media", TYPO).status_code for _ in range(5)] == [400] * 5
    assert [submit(client, "/contact/media", MEDIA).status_code for _ in range(2)] == [302, 302]
    assert count(app, Inquiry) == 2


def test_a_form_over_its_budget_comes_back_with_what_was_typed_and_stores_nothing(make_app):
    app = make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="1 per hour")
    client = app.test_client()
    assert submit(client, "/contact/media", MEDIA).status_code == 302
    response = submit(client, "/contact/media", {**MEDIA, "topic": "Grooming on game chats"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "Please wait an hour and try again." in page and "What you typed is kept below." in page
    assert 'value="Grooming on game chats"' in page and "Could someone speak to us on Friday?" in page
    assert count(app, Inquiry) == 1


def test_each_form_counts_apart_and_a_burst_waits_a_minute(make_app):
    app = make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="60 per hour;2 per minute")
    client = app.test_client()
    assert [submit(client, "/newsletter", NEWSLETTER).status_code for _ in range(2)] == [302, 302]
    response = submit(client, "/newsletter", NEWSLETTER)
    assert response.status_code == 429 and "Please wait a minute" in response.get_data(as_text=True)
    assert submit(client, "/contact/events", EVENTS).status_code == 302
    assert count(app, Signup) == 2


@pytest.fixture
def fresh_prefix():
    # Flask-Limiter keeps the first key prefix it is given for good: give the next test a clean one.
    from crm.extensions import limiter

    yield
    limiter._key_prefix = ""


def test_two_processes_share_one_form_budget_through_redis(make_app, redis_store, fresh_prefix):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_store, "FORM_MIN_SECONDS": 0}
    first = make_app(PUBLIC_FORM_LIMIT="2 per hour", **settings)
    second = make_app(PUBLIC_FORM_LIMIT="2 per hour", **settings)
    assert submit(first.test_client(), "/contact/media", MEDIA).status_code == 302
    assert submit(second.test_client(), "/contact/media", MEDIA).status_code == 302
    assert submit(first.test_client(), "/contact/media", MEDIA).status_code == 429
    counted = redis.Redis.from_url(REDIS_URL)
    assert any(b"public-form" in key for key in counted.scan_iter(f"*{redis_store}*")), "counted in Redis"
    counted.close()


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="1 per hour")


@pytest.mark.browser
def test_in_chromium_a_form_over_its_budget_keeps_what_was_typed(page, live_server):
    for topic in ("Sextortion of teenagers", "Grooming on game chats"):
        page.goto(live_server.url + "/contact/media")
        page.get_by_label("Your name").fill("Chloé Martin Roy")
        page.get_by_label("Media outlet").fill("Le Devoir")
        page.get_by_label("Email").fill("chloe@example.org")
        page.get_by_label("Topic").fill(topic)
        page.get_by_label("Your questions or request").fill("Could someone speak to us on Friday?")
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("What you typed is kept below.")
    expect(page.get_by_label("Topic")).to_have_value("Grooming on game chats")
    expect(page.get_by_label("Your questions or request")).to_have_value("Could someone speak to us on Friday?")


def test_a_checkout_over_its_budget_comes_back_with_the_buyer_typed_and_charges_nothing(make_app, localstripe):
    from tests.catalog.checkout_helpers import check_out, fill_cart, orders
    from tests.catalog.shop import stock
    from tests.payments.helpers import CARD_DECLINED, card_token

    shop_app = make_app(PUBLIC_FORM_LIMIT="1 per hour", MAIL_RATE_PER_MINUTE=0)
    shop, client = stock(shop_app), shop_app.test_client()
    fill_cart(shop_app, client, {shop.police.id: 1})
    assert check_out(client, card_token(localstripe, CARD_DECLINED)).status_code == 400  # tried at Stripe: counts
    response = check_out(client, card_token(localstripe), address_line1="22 rue des Érables")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "What you typed is kept below." in page
    assert 'value="22 rue des Érables"' in page and "4242" not in page
    assert [order.status for order in orders(shop_app)] == ["failed"]

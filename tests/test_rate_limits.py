"""Rate limits: the 429 page names the real window, and with Redis every process shares one count."""

import pytest
import redis

from crm.errors import wait_message
from tests.helpers import REDIS_URL, log_in
from tests.supporters.test_public_forms import NEWSLETTER, submit


def test_the_429_page_of_a_limit_per_hour_says_an_hour(make_app):
    app = make_app(FORM_MIN_SECONDS=0, PUBLIC_FORM_LIMIT="1 per hour")
    client = app.test_client()
    assert submit(client, "/newsletter", NEWSLETTER).status_code == 302
    page = submit(client, "/newsletter", {**NEWSLETTER, "email": "b@example.org"}).get_data(as_text=True)
    assert "Please wait an hour and try again." in page
    assert "a minute" not in page


def test_the_429_page_of_a_limit_per_minute_says_a_minute_in_french(make_app, make_user):
    app = make_app()
    client = app.test_client()
    client.get("/language/fr")
    user = make_user()
    for _ in range(5):
        log_in(client, user.email, "wrong password here")
    page = log_in(client, user.email, "wrong password here").get_data(as_text=True)
    assert "Veuillez patienter une minute" in page


@pytest.mark.parametrize(
    ("seconds", "english"),
    [(1, "a minute"), (60, "a minute"), (600, "10 minutes"), (3600, "an hour"), (7200, "2 hours"), (86400, "a day")],
)
def test_wait_message_names_the_window(app, seconds, english):
    with app.test_request_context():
        assert english in wait_message(seconds)


def test_two_processes_share_one_login_limit_through_redis(make_app, make_user, redis_store):
    # Two app objects stand for gunicorn's two workers: with memory:// each counted on its own.
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_store}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    user = make_user()
    for n in range(5):
        client = first if n % 2 else second
        assert log_in(client, user.email, "wrong password here").status_code == 400
    assert log_in(first, user.email, user.password).status_code == 429
    assert log_in(second, user.email, user.password).status_code == 429
    counted = redis.Redis.from_url(REDIS_URL)
    assert any(redis_store in key.decode() for key in counted.scan_iter(f"*{redis_store}*")), "counted in Redis"
    counted.close()

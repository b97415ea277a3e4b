"""Hostile input (the Big List of Naughty Strings) never makes a 500."""

import json
from pathlib import Path

import pytest

from crm.accounts.services import make_signup_token
from tests.helpers import csrf_token

BLNS = Path(__file__).resolve().parents[2] / "shared" / "data" / "blns" / "blns.json"
STRINGS = json.loads(BLNS.read_text(encoding="utf-8"))
STRONG = "a perfectly fine password"


@pytest.fixture
def unlimited_client(make_app):
    # Rate limits would answer 429 after a few tries; here every string must reach the form.
    return make_app(RATELIMIT_ENABLED=False).test_client()


def _assert_no_server_error(response, field, value):
    assert 200 <= response.status_code < 500, f"{response.status_code} for {field}={value!r}"
    assert response.status_code not in (404, 405), f"{response.status_code} for {field}={value!r}"


def test_blns_file_is_there():
    assert len(STRINGS) > 400


def test_login_survives_every_naughty_string(unlimited_client):
    token = csrf_token(unlimited_client, "/account/login")
    for value in STRINGS:
        for data in ({"email": value, "password": STRONG}, {"email": "someone@example.org", "password": value}):
            response = unlimited_client.post("/account/login", data={**data, "csrf_token": token})
            _assert_no_server_error(response, "login", value)


def test_signup_survives_every_naughty_string(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    token = csrf_token(client, "/account/signup")
    for value in STRINGS:
        response = client.post("/account/signup", data={"email": value, "csrf_token": token})
        _assert_no_server_error(response, "signup", value)
    with app.app_context():
        link = f"/account/signup/{make_signup_token('naughty@example.org')}"
    token = csrf_token(client, link)
    for value in STRINGS:
        response = client.post(link, data={"password": value, "confirm": value, "csrf_token": token})
        _assert_no_server_error(response, "finish signup", value)
        if response.status_code == 302:
            break  # the account exists now: every later try would be 'log in instead'

"""Hostile input (the Big List of Naughty Strings) never makes a 500."""

import json
from pathlib import Path

import pytest

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


def test_signup_survives_every_naughty_string(unlimited_client):
    token = csrf_token(unlimited_client, "/account/signup")
    for n, value in enumerate(STRINGS):
        forms = (
            {"email": value, "password": STRONG, "confirm": STRONG},
            {"email": f"naughty{n}@example.org", "password": value, "confirm": value},
        )
        for data in forms:
            response = unlimited_client.post("/account/signup", data={**data, "csrf_token": token})
            _assert_no_server_error(response, "signup", value)
            if response.status_code == 302:
                # A valid signup logs in; log out to keep trying as a stranger.
                token = csrf_token(unlimited_client, "/")
                unlimited_client.post("/account/logout", data={"csrf_token": token})
                token = csrf_token(unlimited_client, "/account/signup")

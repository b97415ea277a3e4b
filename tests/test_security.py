"""Security headers, CSRF, cookies, request size."""

import pytest

from crm.config import Config
from tests.helpers import csrf_token, log_in

PUBLIC_PAGES = ["/", "/account/login", "/account/signup", "/no-such-page", "/language/fr?next=/"]


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_responses_carry_security_headers(client, url):
    response = client.get(url)
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_staff_and_error_responses_carry_security_headers(client, make_user):
    staff = make_user(role="staff")
    log_in(client, staff.email, staff.password)
    for url in ("/staff/", "/account/password"):
        assert_security_headers(client.get(url))
    assert_security_headers(client.post("/account/logout"))  # 400: no CSRF token


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://crm.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_behind_a_trusted_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("url", ["/account/login", "/account/signup", "/account/logout"])
def test_post_without_csrf_token_is_rejected(client, url):
    response = client.post(url, data={"email": "a@example.org", "password": "whatever it is"})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_post_with_a_forged_csrf_token_is_rejected(client, make_user):
    user = make_user()
    response = client.post(
        "/account/login", data={"email": user.email, "password": user.password, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = log_in(client, user.email, user.password)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # tests and development run on http


def test_production_cookies_are_secure():
    config = Config({"SECRET_KEY": "x" * 32, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, production=True)
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


def test_too_large_request_gets_a_friendly_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    token = csrf_token(client, "/account/login")
    response = client.post(
        "/account/login", data={"email": "a@example.org", "password": "x" * 4096, "csrf_token": token}
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert_security_headers(response)


def test_max_content_length_is_set_by_default(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 50 * 1024 * 1024


HUGE_EMAIL = "a" * (9 * 1024 * 1024) + "@example.org"


@pytest.mark.parametrize("url", ["/account/login", "/account/signup", "/donate", "/newsletter"])
def test_a_9_mb_field_is_refused_before_it_is_parsed(client, url):
    token = csrf_token(client, url)
    response = client.post(url, data={"email": HUGE_EMAIL, "password": "x", "csrf_token": token})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_uploads_keep_their_own_larger_limit(make_app):
    app = make_app()
    assert app.config["MAX_CONTENT_LENGTH"] >= 10 * 1024 * 1024 > app.config["MAX_FORM_BYTES"] * 10


def test_an_over_long_email_stops_at_the_length_check(app):
    # The costly email validator never sees a value the length check refused (one message, not two).
    from crm.accounts.forms import LoginForm

    with app.test_request_context(method="POST", data={"email": "a" * 300 + "@example.org", "password": "x"}):
        form = LoginForm(meta={"csrf": False})
        form.validate()
        assert form.email.errors == ["Field cannot be longer than 254 characters."]

"""Logging in and out, signing up, changing a password, and who may see staff pages."""

from tests.helpers import attribution_of, csrf_token, log_in, post_form, session_data

FAILED = "That email and password do not match an account."


def test_login_with_right_password_goes_to_staff_dashboard(client, make_user):
    user = make_user(role="staff")
    response = log_in(client, user.email.upper(), user.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "Staff dashboard" in page
    assert user.email in page


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong_password = log_in(client, user.email, "not the password at all")
    unknown_email = log_in(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 400
    for response in (wrong_password, unknown_email):
        assert FAILED in response.get_data(as_text=True)
    assert _error_block(wrong_password) == _error_block(unknown_email)


def _error_block(response):
    html = response.get_data(as_text=True)
    start = html.index('<div class="alert alert-error"')
    return html[start : html.index("</div>", start)]


def test_sixth_wrong_attempt_in_a_minute_is_refused_with_429(client, make_user):
    user = make_user()
    for _ in range(5):
        assert log_in(client, user.email, "wrong password here").status_code == 400
    response = log_in(client, user.email, user.password)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "wait a minute" in page
    assert "Retry-After" in response.headers


def test_limit_is_per_account_and_successes_do_not_count(make_app, make_user):
    app = make_app()
    client = app.test_client()
    user = make_user()
    other = make_user()
    for _ in range(10):
        assert log_in(client, user.email, user.password).status_code == 302
        client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(5):
        log_in(client, user.email, "wrong password here")
    assert log_in(client, other.email, other.password).status_code == 302


def test_limit_per_address_covers_many_accounts(make_app):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="3 per minute")
    client = app.test_client()
    for n in range(3):
        assert log_in(client, f"guess{n}@example.org", "some password").status_code == 400
    assert log_in(client, "guess9@example.org", "some password").status_code == 429


def test_session_id_changes_at_login(client, make_user):
    user = make_user()
    client.get("/account/login")
    before = session_data(client)
    log_in(client, user.email, user.password)
    after = session_data(client)
    assert before["sid"] and after["sid"]
    assert before["sid"] != after["sid"]
    assert before["csrf_token"] != after.get("csrf_token")


def test_the_visits_source_survives_login(client, make_user):
    make_user("src@example.org", "a-long-password-1", role="fundraiser")
    client.get("/?src=story-lawyer")
    before = attribution_of(client)
    assert before["source"] == "story-lawyer"
    log_in(client, "src@example.org", "a-long-password-1")
    assert attribution_of(client) == before


def test_logout_needs_post_and_ends_the_session(client, make_user):
    user = make_user(role="admin")
    log_in(client, user.email, user.password)
    assert client.get("/account/logout").status_code == 405
    response = client.post("/account/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_next_parameter_only_goes_to_this_site(client, make_user):
    user = make_user(role="staff")
    url = "/account/login?next=https://evil.example/"
    response = post_form(client, url, {"email": user.email, "password": user.password})
    assert response.headers["Location"] == "/staff/"
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})
    url = "/account/login?next=/account/password"
    response = post_form(client, url, {"email": user.email, "password": user.password})
    assert response.headers["Location"] == "/account/password"


def test_disabled_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = log_in(client, user.email, user.password)
    assert response.status_code == 400
    assert FAILED in response.get_data(as_text=True)


def test_change_password_needs_the_current_one_and_logs_out_other_devices(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, user.email, user.password)
    log_in(phone, user.email, user.password)

    wrong = post_form(
        laptop,
        "/account/password",
        {"current_password": "not it at all", "new_password": "brand new secret", "confirm": "brand new secret"},
    )
    assert wrong.status_code == 400
    assert "current password is not correct" in wrong.get_data(as_text=True)

    response = post_form(
        laptop,
        "/account/password",
        {"current_password": user.password, "new_password": "brand new secret", "confirm": "brand new secret"},
    )
    assert response.status_code == 302
    assert laptop.get("/account/password").status_code == 200
    assert phone.get("/account/password").status_code == 302
    assert log_in(app.test_client(), user.email, "brand new secret").status_code == 302


def test_staff_page_sends_anonymous_to_login_and_refuses_plain_accounts(client, make_user):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")

    fundraiser = make_user()
    log_in(client, fundraiser.email, fundraiser.password)
    forbidden = client.get("/staff/")
    assert forbidden.status_code == 403
    assert "Access denied" in forbidden.get_data(as_text=True)


def test_each_staff_role_reaches_the_dashboard(app, make_user):
    for role in ("admin", "staff", "marketing"):
        user = make_user(role=role)
        client = app.test_client()
        log_in(client, user.email, user.password)
        assert client.get("/staff/").status_code == 200, role

"""Logout ends the session on the server: a copied session or remember cookie opens nothing after it."""

import pytest

from crm.accounts.models import LoginSession
from crm.extensions import db
from tests.helpers import csrf_token, post_form


def _log_in(client, user, remember=False):
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/account/login", data)
    assert response.status_code == 302
    return response


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replay(app, **cookies):
    """A new browser holding only copies of the given cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _opens_staff(client):
    return client.get("/staff/").status_code == 200


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, client, make_user):
    user = make_user(role="admin")
    _log_in(client, user)
    saved = _cookie(client, "session")
    assert _opens_staff(_replay(app, session=saved))
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert not _opens_staff(client)
    assert not _opens_staff(_replay(app, session=saved))


def test_a_remember_cookie_copied_before_logout_opens_nothing_after_it(app, client, make_user):
    user = make_user(role="staff")
    _log_in(client, user, remember=True)
    remember = _cookie(client, "remember_token")
    assert _opens_staff(_replay(app, remember_token=remember))  # the cookie alone logs in...
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert not _opens_staff(_replay(app, remember_token=remember))  # ...until logout


def test_logout_on_one_device_leaves_the_others_logged_in(app, make_user):
    user = make_user(role="staff")
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, user)
    _log_in(phone, user, remember=True)
    phone.post("/account/logout", data={"csrf_token": csrf_token(phone, "/staff/")})
    assert not _opens_staff(phone)
    assert _opens_staff(laptop)


def test_log_out_everywhere_ends_every_session_and_remember_cookie(app, make_user):
    user = make_user(role="marketing")
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, user, remember=True)
    _log_in(phone, user, remember=True)
    saved = {"session": _cookie(laptop, "session"), "remember_token": _cookie(laptop, "remember_token")}
    page = phone.get("/account/").get_data(as_text=True)
    assert "You are logged in on 2 browsers or devices" in page
    response = phone.post("/account/logout-everywhere", data={"csrf_token": csrf_token(phone, "/account/")})
    assert response.status_code == 302
    assert "You are logged out on every device." in phone.get("/").get_data(as_text=True)
    for client in (phone, laptop, _replay(app, **saved), _replay(app, remember_token=saved["remember_token"])):
        assert not _opens_staff(client)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginSession)) == 0


def test_log_out_everywhere_needs_a_post_with_a_csrf_token(client, make_user):
    user = make_user(role="staff")
    _log_in(client, user)
    assert client.get("/account/logout-everywhere").status_code == 405
    assert client.post("/account/logout-everywhere").status_code == 400
    assert _opens_staff(client)


def test_a_password_change_ends_the_other_devices_and_keeps_this_one(app, make_user):
    user = make_user(role="staff")
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, user)
    _log_in(phone, user, remember=True)
    remember = _cookie(phone, "remember_token")
    new = "a brand new passphrase 2"
    data = {"current_password": user.password, "new_password": new, "confirm": new}
    response = post_form(laptop, "/account/password", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _opens_staff(laptop)
    assert not _opens_staff(phone)
    assert not _opens_staff(_replay(app, remember_token=remember))


def test_the_database_holds_no_secret_a_cookie_could_be_made_from(app, client, make_user):
    user = make_user(role="staff")
    _log_in(client, user)
    with client.session_transaction() as session:
        secret = session["_user_id"].partition(".")[2]
    with app.app_context():
        stored = db.session.scalars(db.select(LoginSession.secret_hash)).all()
    assert len(stored) == 1 and secret and secret not in stored[0]


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        ("en", "Where you are logged in", "Log out everywhere"),
        ("fr", "Où vous êtes connecté", "Se déconnecter partout"),
    ],
)
def test_the_account_page_in_both_languages(client, make_user, language, heading, button):
    user = make_user(role="fundraiser")
    _log_in(client, user)
    client.get(f"/language/{language}")
    page = client.get("/account/").get_data(as_text=True)
    assert heading in page and button in page and user.email in page

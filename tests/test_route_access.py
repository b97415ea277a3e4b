"""Who may use each route, read from the URL map: every view declares it, and every role is tried.

A new route without `@public`, `@role_required(...)` (or one of its names) fails here; every
route that is not public is requested, with each of its methods, as anonymous and as every role.
"""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from crm.accounts.access import PUBLIC
from crm.accounts.models import ROLES
from tests.helpers import csrf_token, log_in

# Flask's own static files, open by nature.
UNDECLARED_OK = {"static"}
# These end the session they run in; tests/accounts/test_sessions.py covers them signed in.
ENDS_SESSION = {"accounts.logout", "accounts.logout_everywhere"}
SAMPLE_VALUES = {"template": "events_ack", "language": "en", "code": "en"}


def _sample_arguments(rule):
    values = {}
    for position, (name, converter) in enumerate(sorted(rule._converters.items())):
        if isinstance(converter, IntegerConverter):
            values[name] = position + 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = SAMPLE_VALUES.get(name, "x")
    return values


def _routes(app):
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in UNDECLARED_OK:
                continue
            url = rule.build(_sample_arguments(rule), append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url, getattr(app.view_functions[rule.endpoint], "access", None)


def _undeclared(app):
    return sorted({endpoint for endpoint, _method, _url, access in _routes(app) if not access})


def test_every_route_declares_who_may_use_it(app):
    undeclared = _undeclared(app)
    assert undeclared == [], f"add @public or @role_required(...) to: {undeclared}"
    declared = {access for _e, _m, _u, access in _routes(app)}
    for access in declared - {PUBLIC}:
        assert set(access) <= set(ROLES), access


def test_a_new_route_without_a_declaration_is_caught(make_app):
    app = make_app()
    app.add_url_rule("/staff/forgotten", "forgotten", lambda: "who may see this?")
    assert _undeclared(app) == ["forgotten"]


def _request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def _asks_to_log_in(response):
    return response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_anonymous_visitors_are_sent_to_log_in_on_every_private_route(app, client):
    token = csrf_token(client, "/newsletter")
    checked = 0
    for endpoint, method, url, access in _routes(app):
        if access == PUBLIC:
            continue
        response = _request(client, method, url, token)
        assert _asks_to_log_in(response), (endpoint, method, response.status_code)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_routes_declared_for_it(app, make_user, role):
    user = make_user(role=role)
    client = app.test_client()
    log_in(client, user.email, user.password)
    token = csrf_token(client, "/newsletter")
    let_in = refused = 0
    for endpoint, method, url, access in _routes(app):
        if access == PUBLIC or endpoint in ENDS_SESSION:
            continue
        response = _request(client, method, url, token)
        response.get_data()  # a streamed export runs to its end
        assert response.status_code < 500, (endpoint, method, response.status_code)
        if role in access:
            assert response.status_code != 403 and not _asks_to_log_in(response), (endpoint, method)
            let_in += 1
        else:
            assert response.status_code == 403, (endpoint, method, response.status_code)
            refused += 1
    assert let_in > 0
    if role != "admin":
        assert refused > 0

"""Every staff screen, found from the URL map: never cached, and no page number breaks a list."""

import pytest

from tests.helpers import log_in

HOSTILE_PAGES = ["99999999999999999999", "-1", "0", "abc", "1e5", "٣", "1" * 5000, "2.5", "%00"]


def _staff_get_urls(app):
    """The staff URLs that take no arguments (lists, dashboards, forms)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.rule.startswith(("/staff/", "/account/")):
            urls.append(rule.rule)
    return sorted(urls)


@pytest.fixture
def admin_client(app, make_user):
    user = make_user(role="admin")
    client = app.test_client()
    log_in(client, user.email, user.password)
    return client


def test_there_are_staff_lists_to_try(app):
    urls = _staff_get_urls(app)
    for expected in ("/staff/supporters/", "/staff/donations/", "/staff/outbox/", "/staff/catalog/orders"):
        assert any(url.rstrip("/") == expected.rstrip("/") for url in urls), expected


def test_no_page_number_answers_500_on_any_staff_screen(app, admin_client):
    for url in _staff_get_urls(app):
        for page in HOSTILE_PAGES:
            response = admin_client.get(url, query_string={"page": page})
            response.get_data()  # a streamed export runs to its end
            assert response.status_code < 500, (url, page[:20], response.status_code)


def test_a_page_past_the_end_shows_the_last_page(admin_client):
    page = admin_client.get("/staff/outbox/", query_string={"page": "99999999999999999999"})
    assert page.status_code == 200
    assert "No messages match." in page.get_data(as_text=True)


def test_staff_and_account_pages_are_never_stored_by_a_browser_or_proxy(app, admin_client):
    for url in _staff_get_urls(app):
        response = admin_client.get(url)
        response.get_data()
        assert response.headers.get("Cache-Control") == "no-store", url


def test_public_pages_stay_cacheable(client):
    assert client.get("/").headers.get("Cache-Control") != "no-store"

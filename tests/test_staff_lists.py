"""Every staff screen, found from the URL map: never cached, and no page number breaks a list."""

import pytest

from crm.extensions import db
from crm.lists import COUNT_CAP, ListPage, ListWords
from crm.mail.services.outbox import enqueue_email

HOSTILE_PAGES = ["99999999999999999999", "-1", "0", "abc", "1e5", "٣", "1" * 5000, "2.5", "%00"]


def _staff_get_urls(app):
    """The staff URLs that take no arguments (lists, dashboards, forms)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.rule.startswith(("/staff/", "/account/")):
            urls.append(rule.rule)
    return sorted(urls)


@pytest.fixture
def admin_client(make_client):
    return make_client("admin")[0]


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


# The four staff lists share one filter form shape, one count sentence and one pagination.
LISTS = {
    "/staff/supporters/": "No supporters match.",
    "/staff/donations/": "No donations match.",
    "/staff/catalog/orders/": "No orders match.",
    "/staff/outbox/": "No messages match.",
}


@pytest.mark.parametrize("url", sorted(LISTS))
def test_every_list_has_the_same_filter_form_and_says_when_nothing_matches(admin_client, url):
    html = admin_client.get(url, query_string={"q": "nobody-at-all", "recipient": "nobody-at-all"}).get_data(
        as_text=True
    )
    assert 'class="filters" role="search"' in html and 'class="filters-search"' in html
    assert 'type="search"' in html and 'value="nobody-at-all"' in html  # what was typed stays in the box
    assert "Clear search and filters" in html
    assert f'<p class="result-count" role="status">{LISTS[url]}</p>' in html


@pytest.mark.parametrize("url", sorted(LISTS))
def test_a_filter_value_no_list_offers_is_refused_with_a_400_not_a_500(admin_client, url):
    response = admin_client.get(url, query_string={"status": "<script>", "date_from": "2026-13-45"})
    # The supporter list has neither filter (its dates are signed_up_*): it ignores them.
    assert response.status_code == (200 if url == "/staff/supporters/" else 400)
    assert "<script>" not in response.get_data(as_text=True)


def test_the_count_and_the_statuses_read_in_the_page_language(app, admin_client):
    with app.app_context():
        for number in range(3):
            enqueue_email(f"list-test-{number}", "gift_thanks", f"donor{number}@example.org")
        db.session.commit()
    english = admin_client.get("/staff/outbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Showing 1 to 3 of 3 messages" in english and ">Queued</a>" in english
    french = admin_client.get("/staff/outbox/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Messages 1 à 3 sur 3" in french and ">Queued</a>" not in french and "Mis en file : 3" in french


def test_a_capped_count_says_more_than(app):
    words = ListWords("Showing %(first)s to %(last)s of %(total)s rows", "of more than %(total)s", "None.")
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert ListPage(items=[], total=0, page=1, pages=1).summary(words) == "None."
        capped = ListPage(items=[1] * 50, total=COUNT_CAP + 1, page=3, pages=201)
        assert capped.summary(words) == "of more than 10\u202f000"
        exact = ListPage(items=[1] * 50, total=1234, page=2, pages=25)
        assert exact.summary(words) == "Showing 51 to 100 of 1\u202f234 rows"

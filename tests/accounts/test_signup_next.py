"""Where a visitor who signs up was going (the start of a fundraiser page) goes with the emailed link,
so the link leads there from another browser too; only a path on this site, never elsewhere."""

from urllib.parse import parse_qs, urlsplit

import pytest

from crm.accounts.services import signup_url
from crm.accounts.signals import signup_requested
from tests.helpers import post_form

START = "/fundraise/start?campaign=polar-dip-2027"
NAMED = {"first_name": "Ana", "last_name": "Tremblay", "password": "a long enough one", "confirm": "a long enough one"}
OUTSIDE = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil.example"]


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)  # six sign-ups from one address in a second


@pytest.fixture
def announced():
    """The next_url of every sign-up request announced."""
    received = []

    def note(sender=None, email=None, next_url=None, **extra):
        received.append((email, next_url))

    signup_requested.connect(note)
    yield received
    signup_requested.disconnect(note)


def test_the_sign_up_form_announces_where_the_visitor_was_going_and_only_on_this_site(client, announced):
    for target in [START, *OUTSIDE]:
        response = post_form(client, "/account/signup", {"email": "ana@example.org"}, query_string={"next": target})
        assert response.status_code == 302
    assert announced == [("ana@example.org", START)] + [("ana@example.org", "")] * len(OUTSIDE)


def test_the_link_opened_in_another_browser_goes_on_to_the_start_of_a_page(app, client):
    with app.test_request_context():
        link = signup_url("ana@example.org", START)
    parts = urlsplit(link)
    assert parse_qs(parts.query) == {"next": [START]}
    other_browser = app.test_client()  # nothing in its session: the link alone says where to go
    response = post_form(other_browser, f"{parts.path}?{parts.query}", NAMED)
    assert response.status_code == 302 and response.headers["Location"] == START
    assert other_browser.get(START).status_code == 200, "signed in, at the start of a page"


@pytest.mark.parametrize("target", OUTSIDE)
def test_a_link_never_leads_off_the_site(app, target):
    with app.test_request_context():
        link, plain = signup_url("ana@example.org", target), signup_url("bo@example.org")
    parts = urlsplit(link)
    assert parts.query == "", link
    response = post_form(app.test_client(), parts.path, NAMED)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    tampered = post_form(app.test_client(), urlsplit(plain).path, NAMED, query_string={"next": target})
    assert tampered.status_code == 302 and tampered.headers["Location"] == "/", "an edited link stays here too"

"""The sign-up emails lead on to where the visitor was going (the start of a fundraiser page), from
any browser: the link carries it, and only a path on this site. Over real SMTP to the sink."""

import re
from urllib.parse import urlsplit

import pytest

from crm.mail.services.delivery import send_due
from tests.helpers import post_form

START = "/fundraise/start?campaign=polar-dip-2027"
NAMED = {"first_name": "Ana", "last_name": "Tremblay", "password": "a long enough one", "confirm": "a long enough one"}


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0, RATELIMIT_ENABLED=False)


def _emailed_link(app, smtp_sink, client, email, going):
    response = post_form(client, "/account/signup", {"email": email}, query_string={"next": going})
    assert response.status_code == 302
    with app.app_context():
        send_due()
    (message,) = smtp_sink.parsed()
    return re.search(r"https://crm\.example(/account/\S+)", message.get_body(("plain",)).get_content()).group(1)


def test_the_emailed_link_opened_in_another_browser_goes_on_to_the_start_of_a_page(app, client, smtp_sink):
    link = _emailed_link(app, smtp_sink, client, "ana@example.org", START)
    other_browser = app.test_client()
    response = post_form(other_browser, link, NAMED)
    assert response.status_code == 302 and response.headers["Location"] == START
    assert other_browser.get(START).status_code == 200


def test_an_outside_next_never_reaches_the_email(app, client, smtp_sink):
    link = _emailed_link(app, smtp_sink, client, "ana@example.org", "https://evil.example/")
    assert "evil" not in link and urlsplit(link).query == ""


def test_the_owner_of_a_taken_address_is_sent_a_login_link_on_to_the_start(app, client, smtp_sink, make_user):
    make_user("taken@example.org")
    link = _emailed_link(app, smtp_sink, client, "taken@example.org", START)
    assert link.startswith("/account/login?next=")
    response = post_form(
        app.test_client(), link, {"email": "taken@example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.headers["Location"] == START

"""Password reset by a signed, expiring, single-use link, delivered over real SMTP."""

import re
from datetime import timedelta

import pytest

from crm.accounts.models import User
from crm.accounts.services import make_reset_token
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.utc import utcnow
from tests.helpers import log_in, post_form

SENT = "If an account uses that email, a link to choose a new password is on its way."


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0)


def deliver(app):
    with app.app_context():
        send_due()


def test_reset_link_arrives_works_once_and_logs_in(app, client, make_user, smtp_sink):
    user = make_user(email="forgetful@example.org")
    response = post_form(client, "/account/forgot", {"email": "Forgetful@Example.org"}, follow_redirects=True)
    assert SENT in response.get_data(as_text=True)
    deliver(app)
    (message,) = smtp_sink.parsed()
    assert message["To"] == "forgetful@example.org"
    assert message["Subject"] == "Reset your password"
    assert message["List-Unsubscribe"] is None, "transactional: no unsubscribe header"
    link = re.search(r"https://crm\.example(/account/reset/\S+)", message.get_body(("plain",)).get_content()).group(1)

    assert client.get(link).status_code == 200
    response = post_form(client, link, {"new_password": "a brand new secret", "confirm": "a brand new secret"})
    assert response.status_code == 302
    assert log_in(app.test_client(), user.email, "a brand new secret").status_code == 302
    assert log_in(app.test_client(), user.email, user.password).status_code == 400

    again = client.get(link)
    assert again.status_code == 302, "single use: the password changed, so the link is dead"
    assert again.headers["Location"] == "/account/forgot"


def test_unknown_email_gets_the_same_answer_and_no_email(app, client):
    response = post_form(client, "/account/forgot", {"email": "nobody@example.org"}, follow_redirects=True)
    assert SENT in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_repeated_requests_queue_one_email_a_minute(app, client, make_user, one_clock_minute):
    make_user(email="twice@example.org")
    for _ in range(3):
        post_form(client, "/account/forgot", {"email": "twice@example.org"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 1


def test_expired_and_tampered_links_are_refused(app, client, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id)
        old = make_reset_token(stored, now=utcnow() - timedelta(hours=1, minutes=1))
        fresh = make_reset_token(stored)
    for token in (old, fresh[:-3] + "abc", "nonsense"):
        response = client.get(f"/account/reset/{token}")
        assert response.status_code == 302 and response.headers["Location"] == "/account/forgot"
    assert client.get(f"/account/reset/{fresh}").status_code == 200

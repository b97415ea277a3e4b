"""Sign-up by emailed link: the form never tells whether an account exists (issue 11 §7).

The answer on the page is the same for a new address and a taken one; the owner of a taken one
gets an email saying they have an account, a new address gets a link where the password is
chosen. Delivered over real SMTP to the sink.
"""

import re
from datetime import timedelta

import pytest

from crm.accounts.models import User
from crm.accounts.services import AccountError, make_signup_token, read_signup_token
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.supporters.models import Supporter
from crm.utc import utcnow
from tests.helpers import post_form

SENT = "A link to finish creating your account is on its way to"
PASSWORD = {"first_name": "New", "last_name": "Person", "password": "a long enough one", "confirm": "a long enough one"}


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0)


def _deliver(app, smtp_sink):
    with app.app_context():
        send_due()
    return smtp_sink.parsed()


def _link(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https://crm\.example(/account/signup/\S+)", body).group(1)


def _answer(response):
    """The page as the visitor sees it, without the address they typed and the CSRF token."""
    page = re.sub(r"\S+@example\.org", "ADDRESS", response.get_data(as_text=True))
    return re.sub(r'name="csrf_token"[^>]*>', "TOKEN", page)


def test_a_new_address_gets_a_link_that_creates_a_fundraiser_account(app, client, smtp_sink):
    response = post_form(client, "/account/signup", {"email": " New.Person@Example.org "}, follow_redirects=True)
    assert SENT in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0, "nothing before the link"
    (message,) = _deliver(app, smtp_sink)
    assert message["To"] == "new.person@example.org"
    assert message["Subject"] == "Finish creating your account"
    assert message["List-Unsubscribe"] is None
    link = _link(message)

    page = client.get(link)
    assert page.status_code == 200
    assert "new.person@example.org" in page.get_data(as_text=True)
    response = post_form(client, link, PASSWORD)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.role) == ("new.person@example.org", "fundraiser")
        assert user.password_hash.startswith("$argon2id$")
        person = db.session.scalar(db.select(Supporter))
        assert (person.email, person.first_name, person.last_name) == ("new.person@example.org", "New", "Person")
    assert "You are logged in as new.person@example.org" in client.get("/").get_data(as_text=True)

    again = post_form(app.test_client(), link, PASSWORD)
    assert again.status_code == 302 and again.headers["Location"] == "/account/login", "used: log in instead"


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(app, client, make_user, smtp_sink):
    make_user(email="taken@example.org")
    taken = post_form(client, "/account/signup", {"email": "TAKEN@example.org"}, follow_redirects=True)
    new = post_form(app.test_client(), "/account/signup", {"email": "fresh@example.org"}, follow_redirects=True)
    assert taken.status_code == new.status_code == 200
    assert _answer(taken) == _answer(new)
    assert "already" not in taken.get_data(as_text=True)

    messages = {m["To"]: m for m in _deliver(app, smtp_sink)}
    owner = messages["taken@example.org"]
    assert owner["Subject"] == "You already have an account"
    body = owner.get_body(("plain",)).get_content()
    assert "https://crm.example/account/login" in body and "https://crm.example/account/forgot" in body
    assert "/account/signup/" not in body, "no link that could make a second account"
    assert messages["fresh@example.org"]["Subject"] == "Finish creating your account"


def test_a_disabled_account_gets_the_same_answer_and_no_email(app, client, make_user):
    make_user(email="gone@example.org", active=False)
    response = post_form(client, "/account/signup", {"email": "gone@example.org"}, follow_redirects=True)
    assert SENT in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_repeated_requests_queue_one_email_a_minute(app, client, one_clock_minute):
    for _ in range(3):
        post_form(client, "/account/signup", {"email": "eager@example.org"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 1


def test_expired_and_tampered_links_are_refused(app, client):
    with app.app_context():
        token = make_signup_token("late@example.org")
        with pytest.raises(AccountError):
            read_signup_token(token, now=utcnow() + timedelta(days=1, minutes=1))
        assert read_signup_token(token) == "late@example.org"
    for bad in (token[:-3] + "abc", "nonsense"):
        response = client.get(f"/account/signup/{bad}")
        assert response.status_code == 302 and response.headers["Location"] == "/account/signup"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_signup_errors_are_tied_to_their_fields(app, client):
    response = post_form(client, "/account/signup", {"email": "not-an-email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-describedby="email-error"' in html and 'id="email-error"' in html
    assert '<label for="email">Email</label>' in html
    with app.app_context():
        link = f"/account/signup/{make_signup_token('someone@example.org')}"
    response = post_form(client, link, {"password": "short", "confirm": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-describedby="password-hint password-error"' in html
    assert 'aria-invalid="true"' in html


def test_the_french_emails_read_in_french(app, client, make_user, smtp_sink):
    make_user(email="deja@example.org")
    client.get("/language/fr?next=/")
    for address in ("deja@example.org", "nouveau@example.org"):
        post_form(client, "/account/signup", {"email": address})
    subjects = {m["To"]: m["Subject"] for m in _deliver(app, smtp_sink)}
    assert subjects == {
        "deja@example.org": "Vous avez déjà un compte",
        "nouveau@example.org": "Terminez la création de votre compte",
    }

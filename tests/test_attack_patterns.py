"""The holes found in donation CRMs (GiveWP and CiviCRM advisories), one test each, so none comes back.

Covered elsewhere, named here so the list is whole:
- missing permission checks (GiveWP CVE-2025-7221, donation update): tests/test_route_access.py
  (every route × every role, from the URL map);
- CSV formula injection: tests/supporters/test_export.py, tests/payments/test_staff_donations.py,
  tests/catalog/test_staff_orders.py (a cell starting with = + - @ is written as text);
- email header injection: tests/mail/test_header_injection.py.
"""

import base64
import pickle
import re

import pytest

from crm.demo import seed_demo
from crm.extensions import db
from crm.supporters.models import Inquiry, Supporter
from tests.helpers import csrf_token
from tests.supporters.test_public_forms import EVENTS, NEWSLETTER, submit
from tests.test_route_access import _sample_arguments

PHP_OBJECT = 'O:8:"stdClass":1:{s:4:"file";s:11:"/etc/passwd";}'
PICKLE = base64.b64encode(pickle.dumps({"x": 1})).decode()  # never unpickled: only stored as text
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0, RATELIMIT_ENABLED=False)


@pytest.fixture
def staff_client(make_client):
    return make_client("admin")[0]


def _supporter(app, email):
    with app.app_context():
        found = db.session.scalar(db.select(Supporter).filter_by(email=email))
        db.session.expunge(found)
        return found


# --- object injection through form fields (GiveWP, 2024: PHP objects in donation form fields) ----


@pytest.mark.parametrize("payload", [PHP_OBJECT, PICKLE])
def test_serialized_objects_in_form_fields_are_kept_as_plain_text(app, client, payload):
    response = submit(client, "/newsletter", {**NEWSLETTER, "first_name": payload[:80]})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _supporter(app, NEWSLETTER["email"]).first_name == payload[:80].strip()


def test_a_session_cookie_we_did_not_sign_is_ignored(app):
    client = app.test_client()
    forged = base64.urlsafe_b64encode(pickle.dumps({"_user_id": "1"})).decode()
    client.set_cookie("session", forged)
    assert client.get("/staff/").status_code == 302  # sent to log in, not let in


# --- SQL through sort and search ----------------------------------------------------------------

SQL = ["' OR '1'='1", "x'; DROP TABLE supporters; --", "1) OR (1=1", "name; DELETE FROM users"]


@pytest.mark.parametrize("value", SQL)
def test_sql_in_sort_search_and_filters_is_data(app, staff_client, value):
    with app.app_context():
        seed_demo()
        db.session.commit()
        people = db.session.scalar(db.select(db.func.count()).select_from(Supporter))
    for url in ("/staff/supporters/", "/staff/donations/", "/staff/catalog/orders/", "/staff/outbox/"):
        for name in ("sort", "q", "tag", "status", "source", "recipient", "consent", "language"):
            response = staff_client.get(url, query_string={name: value})
            assert response.status_code in (200, 400), (url, name, response.status_code)
    searched = staff_client.get("/staff/supporters/", query_string={"q": value}).get_data(as_text=True)
    assert "demo.example" not in searched  # the search matched nothing, it did not match everyone
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Supporter)) == people


# --- donor data leaking to the public: donor walls, donor emails in page scripts -----------------


def _public_pages(app):
    urls = ["/", "/catalog", "/donate", "/newsletter", "/fundraise/learn-more", "/contact/media", "/guide"]
    with app.app_context():
        from crm.catalog.models import Item

        urls += [f"/catalog/{slug}" for slug in db.session.scalars(db.select(Item.slug))]
    return urls


def test_no_public_page_shows_a_donors_name_or_email_even_in_scripts(app, client):
    with app.app_context():
        seed_demo()
        db.session.commit()
        people = db.session.scalars(db.select(Supporter)).all()
        secrets = {p.email for p in people} | {p.last_name for p in people if p.last_name}
    for url in _public_pages(app):
        page = client.get(url).get_data(as_text=True)
        scripts = " ".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.S))
        found = [secret for secret in secrets if secret in page or secret in scripts]
        assert not found, (url, found)


# --- stored XSS in pages and messages -----------------------------------------------------------


def test_a_visitors_script_is_shown_as_text_to_staff_and_in_emails(app, client, staff_client):
    data = {**EVENTS, "name": XSS[:100], "message": XSS}
    assert submit(client, "/contact/events", data).status_code == 302
    with app.app_context():
        inquiry_id = db.session.scalar(db.select(Inquiry.id))
        from crm.mail.models import OutboundEmail

        email_ids = db.session.scalars(db.select(OutboundEmail.id)).all()
    pages = [f"/staff/inquiries/{inquiry_id}", "/staff/inquiries/", "/staff/supporters/", "/staff/outbox/"]
    pages += [f"/staff/outbox/{n}" for n in email_ids] + [f"/staff/outbox/{n}/preview" for n in email_ids]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), url


# --- CSRF -----------------------------------------------------------------------------------------

# Their own proof instead of a CSRF token: Stripe's signature, and the unsubscribe token (RFC 8058).
OWN_PROOF = {"payments.stripe_webhook", "mail.one_click"}


def test_every_post_without_a_csrf_token_is_refused(app, client):
    checked = 0
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    for rule in rules:
        if rule.endpoint in OWN_PROOF:
            continue
        with app.test_request_context():
            url = rule.build(_sample_arguments(rule), append_unknown=False)[1]
        response = client.post(url, data={"email": "a@example.org"})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        checked += 1
    assert checked > 30


# --- open redirects -------------------------------------------------------------------------------

ELSEWHERE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "https:evil.example"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_redirects_never_leave_the_site(client, make_user, target):
    def stays(response):
        location = response.headers.get("Location", "")
        return location.startswith("/") and not location.startswith(("//", "/\\"))

    assert stays(client.get("/language/fr", query_string={"next": target}))
    user = make_user(role="staff")
    page = f"/account/login?next={target}"
    response = client.post(
        page, data={"email": user.email, "password": user.password, "csrf_token": csrf_token(client, page)}
    )
    assert response.status_code == 302 and stays(response)

"""Twin requests at once (double clicks, two tabs, a retrying proxy) never answer 500.

Threads against the live server, on the engine under test: the unique key decides who creates
the row, and the loser reads the winner's row (crm.unique.add_once) or gets the same answer a
second, later request would.
"""

import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from crm.accounts.models import User
from crm.accounts.services import make_signup_token
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.supporters.models import Supporter
from tests.supporters.test_public_forms import FUNDRAISER, NEWSLETTER

TWINS = 20
HIDDEN_RE = re.compile(r'<input [^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"}


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0, RATELIMIT_ENABLED=False)


def _ready_browser(base, path):
    """A browser session holding the form at `path` (its cookie and hidden fields)."""
    session = requests.Session()
    session.headers.update(BROWSER)
    page = session.get(base + path, timeout=30).text
    return session, {name: html.unescape(value) for name, value in HIDDEN_RE.findall(page)}


def _post_all_at_once(base, path, data):
    browsers = [_ready_browser(base, path) for _ in range(TWINS)]
    with ThreadPoolExecutor(max_workers=TWINS) as pool:
        futures = [
            pool.submit(session.post, base + path, data={**hidden, **data}, allow_redirects=False, timeout=60)
            for session, hidden in browsers
        ]
        return [future.result() for future in futures]


def _count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**filters))


@pytest.mark.parametrize(
    ("path", "data"),
    [("/newsletter", NEWSLETTER), ("/fundraise/learn-more", FUNDRAISER)],
    ids=["newsletter", "fundraiser-lead"],
)
def test_twin_public_forms_with_a_new_email_make_one_supporter(app, live_server, path, data):
    answers = _post_all_at_once(live_server.url, path, data)
    assert sorted({answer.status_code for answer in answers}) == [302], [a.status_code for a in answers]
    assert _count(app, Supporter, email=data["email"]) == 1


def test_twin_account_sign_ups_get_one_account_and_the_sequential_answer(app, live_server):
    with app.app_context():
        link = f"/account/signup/{make_signup_token('twin@example.org')}"
    data = {
        "first_name": "Twin",
        "last_name": "Person",
        "password": "a long enough one",
        "confirm": "a long enough one",
    }
    answers = _post_all_at_once(live_server.url, link, data)
    statuses = [answer.status_code for answer in answers]
    assert max(statuses) < 500, statuses
    assert _count(app, User, email="twin@example.org") == 1
    # The winner is sent home logged in; every twin to the login page, as a later click would be.
    places = sorted(answer.headers["Location"] for answer in answers)
    assert places == ["/"] + ["/account/login"] * (TWINS - 1), places


def test_twin_sign_up_requests_queue_one_email(app, live_server, one_clock_minute):
    answers = _post_all_at_once(live_server.url, "/account/signup", {"email": "twin@example.org"})
    assert sorted({answer.status_code for answer in answers}) == [302]
    assert _count(app, OutboundEmail, template="account_signup") == 1

"""Hostile input (the Big List of Naughty Strings) through every field of every public form.

Never a 500; what is accepted reads back from the database exactly as cleaned at the form edge
(control characters dropped, surrounding spaces trimmed), with no lost Unicode or double escaping;
what is refused comes back as the form with its errors, escaped.
"""

import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from crm.extensions import db
from crm.forms import clean_line, clean_text
from crm.normalize import normalize_email
from crm.supporters.models import Inquiry, Signup, Supporter
from tests.supporters.test_public_forms import EVENTS, FUNDRAISER, MEDIA, NEWSLETTER, hidden_fields

BLNS = Path(__file__).resolve().parents[3] / "shared" / "data" / "blns" / "blns.json"
STRINGS = json.loads(BLNS.read_text(encoding="utf-8"))

# form url -> (valid data, {field: where it is stored}, one-line fields, free-text fields)
SIGNUP = ("signup", Signup)
INQUIRY = ("inquiry", Inquiry)
PERSON = ("person", Supporter)
FORMS = {
    "/newsletter": (NEWSLETTER, {"first_name": PERSON}),
    "/fundraise/learn-more": (
        {**FUNDRAISER, "consent": "y"},
        {"first_name": PERSON, "last_name": PERSON, "phone": PERSON, "message": SIGNUP},
    ),
    "/contact/media": (
        MEDIA,
        {"name": INQUIRY, "outlet": INQUIRY, "phone": INQUIRY, "topic": INQUIRY, "message": INQUIRY},
    ),
    "/contact/events": (EVENTS, {"name": INQUIRY, "message": INQUIRY}),
}
INVALID_RE = re.compile(r'<(?:input|select|textarea) [^>]*aria-invalid="true"[^>]*id="([^"]+)"')
# Fields that only have to survive (a choice, a date, a box, the hidden version), all at once.
OTHER_FIELDS = {
    "/newsletter": ("language", "consent", "wording_version"),
    "/fundraise/learn-more": ("event_kind", "planned_on", "consent", "wording_version"),
    "/contact/media": ("deadline",),
    "/contact/events": ("topic",),
}
# The spam checks: a forged start time or a filled trap gets the thanks page, nothing else.
SPAM_FIELDS = ("started", "website")


def _commit_without_waiting_for_the_disk(dbapi_connection, connection_record):
    # Thousands of small commits: durability after a power cut is not what this test checks.
    cursor = dbapi_connection.cursor()
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor.execute("PRAGMA synchronous = OFF")
    else:
        cursor.execute("SET synchronous_commit = off")
    cursor.close()
    dbapi_connection.commit()


@pytest.fixture
def unlimited(make_app):
    # Limits would answer 429 after a few tries, and the minimum time would catch every post.
    app = make_app(RATELIMIT_ENABLED=False, FORM_MIN_SECONDS=0)
    with app.app_context():
        event.listen(db.engine, "connect", _commit_without_waiting_for_the_disk)
    return app


def test_blns_is_there():
    assert len(STRINGS) > 400


def stored(app, email, place, field):
    model = place[1]
    with app.app_context():
        supporter = db.session.scalars(db.select(Supporter).filter_by(email=normalize_email(email))).one()
        if model is Supporter:
            return getattr(supporter, field)
        row = db.session.scalars(db.select(model).filter_by(supporter_id=supporter.id)).one()
        return getattr(row, field)


def cleaned(field, value):
    return clean_text(value) if field == "message" else clean_line(value)


def assert_refused_cleanly(response, what, value):
    assert response.status_code == 400, f"{response.status_code} for {what}={value!r}"
    page = response.get_data(as_text=True)
    if "<" in value.strip():
        assert value.strip() not in page, f"{what}={value!r} was echoed unescaped"


@pytest.mark.parametrize("url", list(FORMS))
def test_every_naughty_string_in_every_field(unlimited, url):
    client = unlimited.test_client()
    hidden = hidden_fields(client, url)
    valid, places = FORMS[url]
    accepted = 0

    def post(**data):
        return client.post(url, data={**hidden, **valid, **data})

    for n, value in enumerate(STRINGS):
        # Every free-text field at once; when that is refused (too long, blank), each one alone.
        email = f"blns-{n}@example.org"
        response = post(email=email, **dict.fromkeys(places, value))
        if response.status_code == 302:
            accepted += 1
            for field, place in places.items():
                assert stored(unlimited, email, place, field) == cleaned(field, value), f"{url} {field}={value!r}"
        else:
            # Each field the form did not mark as wrong must still be stored as typed.
            assert_refused_cleanly(response, f"{url} every field", value)
            invalid = set(INVALID_RE.findall(response.get_data(as_text=True)))
            assert invalid, f"{url}: refused {value!r} without marking a field"
            kept = {field: place for field, place in places.items() if field not in invalid}
            if kept:
                email = f"blns-{n}-kept@example.org"
                response = post(email=email, **dict.fromkeys(kept, value))
                assert response.status_code == 302, f"{url} {sorted(kept)}={value!r}"
                for field, place in kept.items():
                    assert stored(unlimited, email, place, field) == cleaned(field, value), f"{url} {field}={value!r}"

        # The email with the choice, date and hidden fields (no BLNS string is a valid address).
        others = OTHER_FIELDS[url]
        response = post(email=value, **dict.fromkeys(others, value))
        assert response.status_code in (302, 400), f"{response.status_code} for {url} email, {others}={value!r}"
        if response.status_code == 400:
            assert_refused_cleanly(response, f"{url} email, {others}", value)
        for field in SPAM_FIELDS:
            response = post(email=f"spam-{n}@example.org", **{field: value})
            assert response.status_code in (302, 400), f"{response.status_code} for {url} {field}={value!r}"
    assert accepted > 200, "most strings are fine names and messages"

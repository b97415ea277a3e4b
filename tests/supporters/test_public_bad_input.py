"""Hostile input (the Big List of Naughty Strings) through every field of every public form.

Never a 500; what is accepted reads back from the database exactly as cleaned at the form edge
(control characters dropped, surrounding spaces trimmed), with no lost Unicode or double escaping;
what is refused comes back as the form with its errors, escaped.

Every string goes through each form and the service its view calls, in-process; the sample goes
through HTTP, where the page that answers is rendered and read.
"""

import re

import pytest
from werkzeug.datastructures import MultiDict

from crm.extensions import db
from crm.forms import clean_line, clean_text
from crm.normalize import normalize_email
from crm.supporters.attribution import current_visit
from crm.supporters.forms.public import EventsInquiryForm, FundraiserInterestForm, MediaInquiryForm, NewsletterForm
from crm.supporters.models import Inquiry, Signup, Supporter
from crm.supporters.services import SupporterError
from crm.supporters.services.signups import receive_inquiry, register_fundraiser_interest, sign_up_for_newsletter
from crm.supporters.spam import looks_like_spam
from tests.blns import SAMPLE, STRINGS
from tests.supporters.test_public_forms import EVENTS, FUNDRAISER, MEDIA, NEWSLETTER, hidden_fields

SIGNUP = ("signup", Signup)
INQUIRY = ("inquiry", Inquiry)
PERSON = ("person", Supporter)
# form url -> (form, the service its view calls, valid data, {free-text field: where it is stored})
FORMS = {
    "/newsletter": (NewsletterForm, sign_up_for_newsletter, NEWSLETTER, {"first_name": PERSON}),
    "/fundraise/learn-more": (
        FundraiserInterestForm,
        register_fundraiser_interest,
        {**FUNDRAISER, "consent": "y"},
        {"first_name": PERSON, "last_name": PERSON, "phone": PERSON, "message": SIGNUP},
    ),
    "/contact/media": (
        MediaInquiryForm,
        receive_inquiry,
        MEDIA,
        {"name": INQUIRY, "outlet": INQUIRY, "phone": INQUIRY, "topic": INQUIRY, "message": INQUIRY},
    ),
    "/contact/events": (EventsInquiryForm, receive_inquiry, EVENTS, {"name": INQUIRY, "message": INQUIRY}),
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


@pytest.fixture
def unlimited(make_app):
    # Limits would answer 429 after a few tries, and the minimum time would catch every post.
    return make_app(RATELIMIT_ENABLED=False, FORM_MIN_SECONDS=0)


def test_blns_is_there():
    assert len(STRINGS) > 400


def stored(email, place, field):
    """Read `field` of the row at `place` for the supporter with `email`, from the database."""
    db.session.expire_all()
    supporter = db.session.scalars(db.select(Supporter).filter_by(email=normalize_email(email))).one()
    if place[1] is Supporter:
        return getattr(supporter, field)
    return getattr(db.session.scalars(db.select(place[1]).filter_by(supporter_id=supporter.id)).one(), field)


def cleaned(field, value):
    return clean_text(value) if field == "message" else clean_line(value)


def try_every_field(url, strings, submit, read_back):
    """Send each string in every free-text field at once, then (if refused) in each field left unmarked.

    `submit(data)` returns the set of fields marked wrong, or None when the answer was accepted;
    `read_back(email, place, field)` returns what was stored. Return how many strings were accepted.
    """
    places = FORMS[url][3]
    accepted = 0
    for n, value in enumerate(strings):
        email = f"blns-{n}@example.org"
        invalid = submit({"email": email, **dict.fromkeys(places, value)})
        if invalid is None:
            accepted += 1
            kept = places
        else:
            assert invalid, f"{url}: refused {value!r} without marking a field"
            # Each field the form did not mark as wrong must still be stored as typed.
            kept = {field: place for field, place in places.items() if field not in invalid}
            email = f"blns-{n}-kept@example.org"
            if kept:
                assert submit({"email": email, **dict.fromkeys(kept, value)}) is None, f"{url} {sorted(kept)}={value!r}"
        for field, place in kept.items():
            assert read_back(email, place, field) == cleaned(field, value), f"{url} {field}={value!r}"
        # The email with the choice, date and hidden fields (no naughty string is a valid address).
        submit({"email": value, **dict.fromkeys(OTHER_FIELDS[url], value)})
        for field in SPAM_FIELDS:
            submit({"email": f"spam-{n}@example.org", field: value})
    return accepted


@pytest.mark.parametrize("url", list(FORMS))
def test_every_naughty_string_in_every_field_of_the_form_and_its_service(unlimited, url):
    form_class, service, valid, _ = FORMS[url]
    hidden = hidden_fields(unlimited.test_client(), url)  # the signed start time and the wording version

    def submit(data):
        db.session.rollback()  # what the last answer stored was read back already
        form = form_class(formdata=MultiDict({**hidden, **valid, **data}), meta={"csrf": False})
        looks_like_spam(form)
        if not form.validate():
            return {name for name, field in form._fields.items() if field.errors}
        try:
            service(current_visit(), **form.arguments())
            db.session.flush()
        except SupporterError:
            db.session.rollback()
            return set(form._fields)
        return None

    with unlimited.test_request_context(url, method="POST"):
        assert try_every_field(url, STRINGS, submit, stored) > 200, "most strings are fine names and messages"


def assert_refused_cleanly(response, data):
    assert response.status_code == 400, f"{response.status_code} for {data!r}"
    page = response.get_data(as_text=True)
    for name, value in data.items():
        if "<" in value.strip():
            assert value.strip() not in page, f"{name}={value!r} was echoed unescaped"


@pytest.mark.parametrize("url", list(FORMS))
def test_a_sample_through_http_is_stored_or_refused_with_the_form(unlimited, url):
    client = unlimited.test_client()
    hidden = hidden_fields(client, url)
    valid = FORMS[url][2]

    def submit(data):
        response = client.post(url, data={**hidden, **valid, **data})
        if response.status_code == 302:
            return None
        assert_refused_cleanly(response, data)
        return set(INVALID_RE.findall(response.get_data(as_text=True)))

    def read_back(email, place, field):
        with unlimited.app_context():
            return stored(email, place, field)

    assert try_every_field(url, SAMPLE, submit, read_back) > 0

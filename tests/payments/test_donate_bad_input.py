"""Hostile input on the donation form: never a 500, never a charge, and read back unchanged."""

import pytest
from werkzeug.datastructures import MultiDict

from crm.extensions import db
from crm.payments.forms.donate import DonationForm
from crm.payments.models import Donation
from tests.blns import SAMPLE, STRINGS
from tests.helpers import csrf_token
from tests.payments.helpers import card_token, gift_form, give

FIELDS = (
    "amount",
    "custom_amount",
    "frequency",
    "first_name",
    "email",
    "postal_code",
    "country",
    "tribute_kind",
    "designation",
    "consent",
    "wording_version",
)


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)  # hundreds of posts from one address; the limit is tested apart


def _without_a_card(name, value):
    # No card token: whatever else is posted, nothing can be charged.
    return {**gift_form("", amount="other", custom_amount="40"), name: value}


def test_every_naughty_string_in_every_field_is_refused_by_the_form(app):
    with app.test_request_context("/donate", method="POST", headers={"Accept-Language": "fr"}):
        for value in STRINGS:
            for name in FIELDS:
                form = DonationForm(formdata=MultiDict(_without_a_card(name, value)), meta={"csrf": False})
                assert not form.validate(), f"accepted {name}={value!r}"
                assert form.card_token.errors, f"{name}={value!r}"


def test_a_sample_through_http_is_refused_with_the_form_and_without_a_charge(app, client):
    token = csrf_token(client, "/donate")
    for value in SAMPLE:
        for name in FIELDS:
            response = client.post("/donate", data={**_without_a_card(name, value), "csrf_token": token})
            assert response.status_code == 400, f"{response.status_code} for {name}={value!r}"
            assert 'id="donate-form"' in response.get_data(as_text=True)  # the form again, with its errors
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Donation)) == 0


@pytest.mark.parametrize("value", ["Zoë 🎉 <b>&amp;</b>", "Ｔｈｅ ｑｕｉｃｋ", "A\x00B"])
def test_unicode_reads_back_unchanged(app, client, localstripe, value):
    response = give(client, gift_form(card_token(localstripe), first_name=value, message=value))
    assert response.status_code == 302
    expected = value.replace("\x00", "")
    with app.app_context():
        donation = db.session.scalar(db.select(Donation))
        assert (donation.first_name, donation.message, donation.status) == (expected, expected, "succeeded")

"""Hostile input on the donation form: never a 500, never a charge, and read back unchanged."""

import pytest

from crm.extensions import db
from crm.payments.models import Donation
from tests.helpers import csrf_token
from tests.payments.helpers import BLNS, card_token, gift_form, give

STRINGS = BLNS
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


def test_every_naughty_string_in_every_field_is_refused_or_kept_without_a_charge(app, client):
    token = csrf_token(client, "/donate")
    for value in STRINGS:
        for name in FIELDS:
            # No card token: whatever else is posted, nothing can be charged.
            data = {**gift_form("", amount="other", custom_amount="40"), name: value, "csrf_token": token}
            response = client.post("/donate", data=data)
            assert response.status_code == 400, f"{response.status_code} for {name}={value!r}"
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

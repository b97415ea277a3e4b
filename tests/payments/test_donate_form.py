"""The donation form's consent box, bot trap, rate limit and one-time/monthly choice."""

import pytest
import requests

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation
from crm.supporters.models import Signup, Supporter
from tests.payments.helpers import CARD_DECLINED, card_token, count, gift_form, give


def test_consent_box_is_unticked_and_one_time_is_the_default(client, localstripe):
    page = client.get("/donate").get_data(as_text=True)
    assert 'name="consent" type="checkbox" value="y">' in page
    assert 'name="consent" type="checkbox" value="y" checked' not in page
    assert '<input checked id="frequency-0" name="frequency" type="radio" value="one_time">' in page


def test_ticked_box_signs_the_donor_up_with_the_words_shown(app, client, localstripe):
    response = give(client, gift_form(card_token(localstripe), consent="y", wording_version="2026-11-v1"))
    assert response.status_code == 302
    with app.app_context():
        signup = db.session.scalar(db.select(Signup))
        assert signup.form == "newsletter"
        assert signup.consent_version == "2026-11-v1"
        assert "email" in signup.consent_wording.lower() or "courriel" in signup.consent_wording.lower()
        # Double opt-in: the confirmation is queued; consent counts only once confirmed.
        templates = set(db.session.scalars(db.select(OutboundEmail.template)))
        assert "newsletter_confirm" in templates
        assert db.session.scalar(db.select(Donation)).status == "succeeded"


def test_unticked_box_signs_nobody_up(app, client, localstripe):
    assert give(client, gift_form(card_token(localstripe))).status_code == 302
    assert count(app, Signup) == 0


def test_the_signup_is_kept_when_the_card_is_declined(app, client, localstripe):
    data = gift_form(card_token(localstripe, CARD_DECLINED), consent="y", wording_version="2026-11-v1")
    assert give(client, data).status_code == 400
    assert count(app, Signup) == 1
    with app.app_context():
        assert db.session.scalar(db.select(Donation)).status == "failed"


def test_a_filled_bot_trap_is_answered_like_a_refused_card_and_nothing_is_stored(app, client, localstripe):
    before = requests.get(f"{localstripe.url}/v1/payment_intents", auth=("sk_test_localstripe", ""), timeout=10)
    response = give(client, gift_form(card_token(localstripe), website="http://spam.example"))
    assert response.status_code == 400
    assert "Your card was declined" in response.get_data(as_text=True)
    assert (count(app, Donation), count(app, Supporter)) == (0, 0)
    after = requests.get(f"{localstripe.url}/v1/payment_intents", auth=("sk_test_localstripe", ""), timeout=10)
    assert len(after.json()["data"]) == len(before.json()["data"])  # Stripe was never called


@pytest.fixture
def limited_app(make_app):
    return make_app(PUBLIC_FORM_LIMIT="3 per hour")


def test_card_testing_from_one_address_is_slowed_down(limited_app, localstripe):
    # Every card tried reaches Stripe and is kept, declined: each counts; a form sent back for a typo does not.
    client = limited_app.test_client()
    assert give(client, gift_form("", amount="other", custom_amount="5")).status_code == 400
    tries = [gift_form(card_token(localstripe, CARD_DECLINED), amount="other", custom_amount="5") for _ in range(4)]
    statuses = [give(client, data).status_code for data in tries]
    assert statuses == [400, 400, 400, 429]
    assert count(limited_app, Donation) == 3
    assert client.get("/donate").status_code == 200  # reading the form is never limited

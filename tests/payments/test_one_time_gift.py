"""A one-time gift through the test client against the real localstripe."""

import re

import pytest

from crm.extensions import db
from crm.payments.services.donations import fulfil
from crm.supporters.models import Activity, ConsentRecord, Supporter
from tests.payments.helpers import CARD_3DS, CARD_DECLINED, authenticate, card_token, donations, gift_form, give


def test_donate_page_loads_stripe_js_and_allows_its_origin(client, localstripe):
    response = client.get("/donate?designation=spring-appeal")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'src="{localstripe.js_url}"' in page
    assert 'data-publishable-key="pk_test_localstripe"' in page
    assert 'name="designation" type="hidden" value="spring-appeal"' in page
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
    assert script_src == ["'self'", localstripe.url]
    assert localstripe.url in re.search(r"connect-src ([^;]+)", policy).group(1)
    assert "frame-src 'none'" not in policy
    # The fee for each preset is computed on the server and shown before paying.
    assert "$25.00: +$1.06" in page  # (2500 + 30) / 0.971 = 2605.56 -> 2606


def test_one_time_gift_succeeds_and_thanks_page_shows_it(app, client, localstripe, received):
    data = gift_form(card_token(localstripe), cover_fee="y", designation="spring-appeal", message="Pour les enfants 💙")
    response = give(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    thanks = response.headers["Location"]
    assert thanks.startswith("/donate/thanks/")

    [donation] = donations(app)
    assert donation.status == "succeeded"
    assert (donation.amount_cents, donation.fee_cents) == (5181, 181)  # (5000 + 30) / 0.971 = 5180.2 -> 5181
    assert donation.currency == "cad"
    assert donation.designation == "spring-appeal"
    assert donation.message == "Pour les enfants 💙"
    assert donation.stripe_payment_intent_id.startswith("pi_")
    assert donation.stripe_customer_id.startswith("cus_")
    assert donation.succeeded_at is not None
    with app.app_context():
        supporter = db.session.scalar(db.select(Supporter).filter_by(email="elise@example.org"))
        assert (supporter.first_name, supporter.city, supporter.language) == ("Élise", "Montréal", "fr")
        consents = db.session.scalars(db.select(ConsentRecord).filter_by(supporter_id=supporter.id)).all()
        assert [(c.basis, c.reference) for c in consents] == [("implied_gift", f"donation:{donation.id}")]
        kinds = db.session.scalars(db.select(Activity.kind).filter_by(supporter_id=supporter.id)).all()
        assert kinds.count("gift") == 1
    assert received == [donation.id]

    page = client.get(thanks)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Thank you for your gift!" in text
    assert "$51.81" in text
    assert "spring-appeal" in text


def test_fulfil_is_idempotent(app, client, localstripe, received):
    give(client, gift_form(card_token(localstripe)))
    [donation] = donations(app)
    with app.app_context():
        for _ in range(3):
            fulfil(donation.stripe_payment_intent_id)
            db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(ConsentRecord)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Activity).filter_by(kind="gift")) == 1
    for _ in range(2):
        assert client.get(f"/donate/thanks/{donation.token}").status_code == 200
    assert len(received) == 1
    assert donations(app)[0].succeeded_at == donation.succeeded_at


def test_second_gift_reuses_the_customer(app, client, localstripe):
    give(client, gift_form(card_token(localstripe)))
    give(client, gift_form(card_token(localstripe), amount="2500"))
    first, second = donations(app)
    assert first.supporter_id == second.supporter_id
    assert first.stripe_customer_id == second.stripe_customer_id
    assert [d.amount_cents for d in (first, second)] == [5000, 2500]


def test_declined_card_shows_a_clear_message_and_leaves_no_paid_gift(app, client, localstripe, received):
    response = give(client, gift_form(card_token(localstripe, CARD_DECLINED)))
    assert response.status_code == 400
    assert "Your card was declined" in response.get_data(as_text=True)
    [donation] = donations(app)
    assert donation.status == "failed"
    assert donation.succeeded_at is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ConsentRecord)) == 0
    assert received == []
    page = client.get(f"/donate/thanks/{donation.token}").get_data(as_text=True)
    assert "Your gift was not completed" in page


def test_three_d_secure_goes_back_to_the_browser_then_succeeds(app, client, localstripe, received):
    response = give(client, gift_form(card_token(localstripe, CARD_3DS)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    thanks = re.search(r'data-return-url="([^"]+)"', page).group(1)
    [donation] = donations(app)
    assert donation.status == "pending"
    assert client.get(thanks).status_code == 200
    assert donations(app)[0].status == "pending"  # not paid yet: nothing happens
    # What Stripe.js's confirmCardPayment does in localstripe when the donor completes 3-D Secure.
    authenticate(localstripe, secret)
    assert "Thank you for your gift!" in client.get(thanks).get_data(as_text=True)
    assert donations(app)[0].status == "succeeded"
    assert len(received) == 1


def test_three_d_secure_failed_ends_failed(app, client, localstripe, received):
    page = give(client, gift_form(card_token(localstripe, CARD_3DS))).get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    authenticate(localstripe, secret, success=False)
    [donation] = donations(app)
    assert "Your gift was not completed" in client.get(f"/donate/thanks/{donation.token}").get_data(as_text=True)
    assert donations(app)[0].status == "failed"
    assert received == []


@pytest.mark.parametrize(
    ("amount", "custom"),
    [
        ("4999", ""),  # not a preset: a changed value
        ("-5000", ""),
        ("0", ""),
        ("other", "-50"),
        ("other", "0"),
        ("other", "4.99"),
        ("other", "100000.01"),
        ("other", "1e9"),
        ("other", "NaN"),
        ("other", "abc"),
        ("other", ""),
        ("", ""),
    ],
)
def test_tampered_or_out_of_bounds_amounts_are_refused(app, client, localstripe, amount, custom):
    response = give(client, gift_form(card_token(localstripe), amount=amount, custom_amount=custom))
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert donations(app) == []


def test_custom_amount_is_charged_as_the_server_computes_it(app, client, localstripe):
    response = give(client, gift_form(card_token(localstripe), amount="other", custom_amount="40.50", cover_fee="y"))
    assert response.status_code == 302
    [donation] = donations(app)
    # (4050 + 30) / 0.971 = 4201.85 -> 4202: the fee is 152, part of the gift.
    assert (donation.amount_cents, donation.fee_cents) == (4202, 152)


def test_missing_card_token_is_a_form_error(app, client, localstripe):
    response = give(client, gift_form(""))
    assert response.status_code == 400
    assert "Enter your card details." in response.get_data(as_text=True)
    assert donations(app) == []


def test_unknown_thanks_token_is_404(client):
    assert client.get("/donate/thanks/nope").status_code == 404


def test_custom_amount_with_a_decimal_comma(app, client, localstripe):
    assert give(client, gift_form(card_token(localstripe), amount="other", custom_amount="40,50 $")).status_code == 302
    assert [d.amount_cents for d in donations(app)] == [4050]


def test_thank_you_email_is_queued_once_and_arrives_in_the_donors_language(make_app, localstripe, smtp_sink):
    from crm.mail.models import OutboundEmail
    from crm.mail.services.delivery import send_due
    from crm.money import format_money

    app = make_app(MAIL_RATE_PER_MINUTE=0, BASE_URL="https://crm.example")
    client = app.test_client()
    give(client, gift_form(card_token(localstripe)))  # the form's donor writes in French
    [donation] = donations(app)
    with app.app_context():
        for _ in range(3):
            fulfil(donation.stripe_payment_intent_id)
            db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 1
        assert send_due().sent == 1
    (message,) = smtp_sink.parsed()
    assert message["To"].addresses[0].addr_spec == "elise@example.org"
    assert message["Subject"] == "Merci de votre don à Demo Charity"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Élise," in text
    assert f"Merci de votre don de {format_money(donation.amount_cents, 'cad', 'fr_CA')}." in text
    assert message["List-Unsubscribe"] is None, "a thank-you for a gift is transactional"

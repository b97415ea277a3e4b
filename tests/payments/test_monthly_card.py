"""The monthly manage page shows the card charged and the next charge date, read from Stripe when shown
(and still works, saying so, when Stripe cannot answer); a change of amount is confirmed by email."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.payments.services.plan_links import manage_url
from crm.payments.services.receipts import local_date
from tests.helpers import csrf_token
from tests.payments.helpers import count, gifts, give_monthly, stripe_api


@pytest.fixture
def app(make_app, smtp_sink, localstripe):
    return make_app(MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def gift(app, client, localstripe):
    assert give_monthly(client, localstripe, language="en").status_code == 302  # Élise, card 4242
    [gift] = gifts(app)
    return gift


@pytest.fixture
def french_link(app, client, localstripe):
    assert give_monthly(client, localstripe).status_code == 302  # Élise, in French
    [gift] = gifts(app)
    with app.app_context(), app.test_request_context():
        return manage_url(gift, external=False)


@pytest.fixture
def link(app, gift):
    with app.app_context(), app.test_request_context():
        return manage_url(gift, external=False)


def _page(client, link, language="en"):
    response = client.get(link, headers={"Accept-Language": language})
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_the_page_shows_the_card_and_the_next_charge_date(app, client, localstripe, gift, link):
    subscription = stripe_api(localstripe, "GET", f"subscriptions/{gift.stripe_subscription_id}")
    with app.app_context():
        next_day = local_date(datetime.fromtimestamp(subscription["current_period_end"], UTC))
    page = _page(client, link)
    assert "Card charged" in page and "Visa ending in 4242" in page
    assert f'<time datetime="{next_day.isoformat()}">' in page
    assert next_day.strftime("%B") in page  # a long date, in words
    assert "not available" not in page


def test_without_stripe_the_page_works_and_says_the_card_is_not_available(make_app, gift):
    down = make_app(STRIPE_API_BASE="http://127.0.0.1:9")  # nothing listens there
    with down.app_context(), down.test_request_context():
        path = manage_url(gift, external=False)
    page = _page(down.test_client(), path)
    assert "The card details are not available right now." in page
    assert "Change the amount" in page and "$50.00" in page
    assert "4242" not in page


def test_changing_the_amount_is_confirmed_by_email_once(app, client, smtp_sink, french_link):
    link = french_link
    csrf = csrf_token(client, link)
    for _ in range(2):  # a doubled click asks for the amount already set: one change, one email
        response = client.post(link + "/amount", data={"amount": "40", "csrf_token": csrf})
        assert response.status_code == 302
    assert count(app, OutboundEmail, template="plan_amount_changed") == 1
    with app.app_context():
        send_due()
    [message] = [m for m in smtp_sink.parsed() if "maintenant" in m["Subject"]]  # the donor's French
    text = message.get_body(("plain",)).get_content().replace("\u00a0", " ")
    assert "Votre don mensuel est maintenant de 40,00 $ (il était de 50,00 $)" in text
    url = re.search(r"(http://\S+/donate/monthly/\S+)", text).group(1)
    assert "40,00 $" in _page(client, url.removeprefix(app.config["BASE_URL"]), "fr")
    # Back to 50: a new change, a new email.
    assert client.post(link + "/amount", data={"amount": "50", "csrf_token": csrf}).status_code == 302
    assert count(app, OutboundEmail, template="plan_amount_changed") == 2
    with app.app_context():
        assert db.session.scalar(db.select(OutboundEmail.status).filter_by(template="plan_amount_changed")) == "sent"

"""The real companions the later features rely on: localstripe, an SMTP sink, a live server."""

import smtplib
from email.message import EmailMessage

import requests
import stripe


def test_localstripe_serves_the_stripe_api_to_the_real_library(app, localstripe):
    assert app.config["STRIPE_API_BASE"] == localstripe.url
    client = stripe.StripeClient(app.config["STRIPE_SECRET_KEY"], base_addresses={"api": localstripe.url})
    customer = client.v1.customers.create(params={"email": "donor@example.org", "name": "Donor"})
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "cad",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.status == "succeeded"
    assert client.v1.payment_intents.retrieve(intent.id).amount == 2500


def test_localstripe_serves_stripe_js(localstripe):
    response = requests.get(localstripe.js_url, timeout=10)
    assert response.status_code == 200
    assert "Stripe" in response.text


def test_live_server_serves_the_app(live_server):
    response = requests.get(live_server.url + "/", timeout=10)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_smtp_sink_receives_real_smtp(app, smtp_sink):
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == (smtp_sink.host, smtp_sink.port)
    message = EmailMessage()
    message["From"] = "hello@charity.example"
    message["To"] = "donor@example.org"
    message["Subject"] = "Merci / Thank you"
    message.set_content("Thank you for your gift.")
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as smtp:
        smtp.send_message(message)
    (received,) = smtp_sink.wait_for(1)
    assert received.rcpt_tos == ["donor@example.org"]
    assert b"Thank you for your gift." in received.content

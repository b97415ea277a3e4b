"""A replaced receipt reaches the donor: after a refund or a reissue, one email in their language with
the new receipt attached and linked (the old link answers 410), however often the request or webhook comes."""

import re
from html import unescape

import pytest

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.payments.models import Donation, Receipt
from crm.payments.services.receipt_links import receipt_download_url
from crm.payments.services.receipts import current_receipt
from tests.helpers import csrf_token
from tests.payments.helpers import card_token, charge_of, event_payload, gift_form, give, post_signed, refund, sign

KEY_RE = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
LINK_RE = re.compile(r"(https?://\S+/receipts/\S+)")


@pytest.fixture
def app(make_app, smtp_sink, localstripe):
    return make_app(MAIL_RATE_PER_MINUTE=0)


def _gift(app, localstripe, smtp_sink, **overrides):
    """A 50.00 gift through the form, its thank-you already delivered; return (id, PaymentIntent, receipt)."""
    assert give(app.test_client(), gift_form(card_token(localstripe), **overrides)).status_code == 302
    with app.app_context():
        donation = db.session.scalar(db.select(Donation).order_by(Donation.id.desc()))
        receipt = current_receipt(donation)
        ids = donation.id, donation.stripe_payment_intent_id
        old = (receipt.id, receipt.serial, receipt_download_url(receipt, external=False))
        assert send_due().sent == 1  # the thank-you, with the first receipt
    smtp_sink.reset()
    return *ids, old


def _notices(app):
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count()).select_from(OutboundEmail).filter_by(template="receipt_replaced")
        )


def _delivered(app, smtp_sink):
    with app.app_context():
        send_due()
    return smtp_sink.parsed()


def _text(message):
    return message.get_body(("plain",)).get_content()


def _charge_refunded(app, client, localstripe, pi, event_id):
    payload = event_payload(event_id, "charge.refunded", {"id": charge_of(localstripe, pi), "object": "charge"})
    response = post_signed(client, payload, sign(payload, app.config["STRIPE_WEBHOOK_SECRET"]))
    assert response.status_code == 200, response.get_data(as_text=True)


def _new_receipt(app, old_id):
    with app.app_context():
        new = db.session.scalar(db.select(Receipt).filter_by(replaces_id=old_id))
        return new.id, new.serial, new.pdf, new.eligible_cents


def test_a_partial_refund_emails_the_replacement_once_in_english(app, localstripe, smtp_sink, make_client):
    donation_id, pi, (old_id, old_serial, old_url) = _gift(
        app, localstripe, smtp_sink, language="en", first_name="Ana", last_name="Li", email="ana@example.org"
    )
    client, _user = make_client()
    url = f"/staff/donations/{donation_id}/refund"
    key = KEY_RE.search(client.get(f"/staff/donations/{donation_id}").get_data(as_text=True)).group(1)
    data = {"amount": "20", "reason": "Asked by the donor", "idempotency_key": key, "confirmed": "yes"}
    data["csrf_token"] = csrf_token(client, f"/staff/donations/{donation_id}")
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # a retried request
    for event_id in ("evt_refund_1", "evt_refund_1", "evt_refund_2"):  # Stripe's webhooks, again and again
        _charge_refunded(app, client, localstripe, pi, event_id)
    assert _notices(app) == 1

    [message] = _delivered(app, smtp_sink)
    _new_id, new_serial, new_pdf, eligible = _new_receipt(app, old_id)
    assert eligible == 3000
    assert message["To"] == "Ana Li <ana@example.org>"
    assert message["Subject"].startswith("Your new receipt from")
    text = _text(message)
    assert "We have refunded $20.00 of your gift of $50.00" in text
    assert f"receipt no. {old_serial} is cancelled and replaced by receipt no. {new_serial}" in text
    assert "eligible amount of $30.00" in text
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == (f"receipt-{new_serial}.pdf", new_pdf)
    # The link in the email opens the new receipt; the one in the thank-you answers 410.
    link = LINK_RE.search(text).group(1).removeprefix(app.config["BASE_URL"])
    donor = app.test_client()
    assert donor.get(link).data == new_pdf
    assert donor.get(old_url).status_code == 410
    assert len(_delivered(app, smtp_sink)) == 1  # nothing more to send


def test_a_reissue_and_then_a_refund_email_a_french_donor_in_french(app, localstripe, smtp_sink, make_client):
    donation_id, _pi, (old_id, old_serial, _old_url) = _gift(app, localstripe, smtp_sink)  # Élise, in French
    client, _user = make_client()
    base = f"/staff/donations/{donation_id}/receipts/{old_id}/reissue"
    data = {"reason": "Adresse corrigée", "csrf_token": csrf_token(client, f"/staff/donations/{donation_id}")}
    assert client.post(base, data=data).status_code == 200  # the confirmation page: nothing done yet
    assert _notices(app) == 0
    assert client.post(base, data={**data, "confirmed": "yes"}).status_code == 302
    assert client.post(base, data={**data, "confirmed": "yes"}).status_code == 400  # already cancelled
    assert _notices(app) == 1
    [message] = _delivered(app, smtp_sink)
    _new_id, new_serial, new_pdf, _eligible = _new_receipt(app, old_id)
    assert message["Subject"].startswith("Votre nouveau reçu de")
    text = _text(message)
    assert text.startswith("Bonjour Élise,")
    assert f"reçu officiel de don no {old_serial} est annulé et remplacé par le reçu no {new_serial}" in text
    assert "montant admissible de 50,00 $" in unescape(text).replace("\u00a0", " ")
    assert "remboursé" not in text
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == (f"recu-{new_serial}.pdf", new_pdf)

    # Then a refund of 10.00: the note says so, in French, with the receipt that replaces the new one.
    smtp_sink.reset()
    refund(app, donation_id, 1000, "key-fr")
    [message] = _delivered(app, smtp_sink)
    text = _text(message).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Nous vous avons remboursé 10,00 $ sur votre don de 50,00 $" in text
    assert f"no {new_serial} est annulé" in text and "montant admissible de 40,00 $" in text


def test_a_full_refund_tells_the_donor_the_receipt_is_cancelled(app, localstripe, smtp_sink):
    donation_id, _pi, (_old_id, old_serial, _url) = _gift(app, localstripe, smtp_sink, language="en")
    refund(app, donation_id, 5000, "key-full")
    refund(app, donation_id, 5000, "key-full")  # the same click again: no second refund, no second email
    [message] = _delivered(app, smtp_sink)
    assert message["Subject"].startswith("Your refund from")
    text = _text(message)
    assert "We have refunded $50.00 of your gift of $50.00" in text
    assert f"receipt no. {old_serial} is cancelled: as the whole gift was refunded, no receipt replaces it." in text
    assert list(message.iter_attachments()) == []


def test_an_offline_gift_without_email_is_reissued_without_an_email(app, make_gift):
    from crm.payments.services.receipts import issue_receipt, reissue_receipt

    with app.app_context():
        gift = make_gift(email="", method="cheque")
        receipt = issue_receipt([gift])
        assert reissue_receipt(receipt, "Name corrected") is not None
        db.session.commit()
    assert _notices(app) == 0

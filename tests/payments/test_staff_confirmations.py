"""Refund, "Cancel and reissue" and "Cancel only" say what they will do and wait for a confirmation;
the refund amount starts empty, with the most it can be stated."""

import uuid
from html import unescape

import pytest

from crm.extensions import db
from crm.payments.models import Donation, Receipt, Refund
from crm.payments.services.receipts import issue_receipt
from tests.helpers import csrf_token


@pytest.fixture
def gift(app, make_gift):
    """A paid card gift of 50.00 (its PaymentIntent unknown to any Stripe: a refund would fail) with a receipt."""
    with app.app_context():
        donation = make_gift("ana@example.org", first_name="Ana", stripe_payment_intent_id="pi_ana", method="card")
        receipt = issue_receipt([donation])
        db.session.commit()
        return donation.id, receipt.id, receipt.serial


def _page(response):
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_the_refund_amount_is_empty_and_says_the_most_it_can_be(gift, make_client):
    client, _ = make_client()
    page = _page(client.get(f"/staff/donations/{gift[0]}", headers={"Accept-Language": "en"}))
    amount = page.split('name="amount"', 1)[1].split(">", 1)[0]
    assert 'value="50' not in amount and "value=" not in amount.replace('value=""', "")
    assert "At most $50.00, what is left of this gift." in page


def test_a_refund_shows_what_will_happen_and_does_nothing_until_confirmed(app, gift, make_client):
    donation_id, _receipt_id, serial = gift
    client, _ = make_client()
    data = {
        "amount": "20",
        "reason": "Asked by the donor",
        "idempotency_key": str(uuid.uuid4()),
        "csrf_token": csrf_token(client, f"/staff/donations/{donation_id}"),
    }
    response = client.post(f"/staff/donations/{donation_id}/refund", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = _page(response)
    assert "<h1>Refund $20.00 of gift" in page
    assert "$20.00 goes back to the donor's card through Stripe, out of $50.00 left" in page
    assert f"Receipt {serial} is cancelled and replaced by a new receipt for what is left" in page
    assert "The donor is emailed about the refund and the receipt at ana@example.org." in page
    assert 'name="confirmed" value="yes"' in page and "Yes, refund $20.00" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 0
        assert db.session.get(Donation, donation_id).refunded_cents == 0
    # A refund of everything left says no receipt replaces the old one.
    page = _page(client.post(f"/staff/donations/{donation_id}/refund", data={**data, "amount": "50"}))
    assert f"Receipt {serial} is cancelled, and no receipt replaces it" in page


def test_a_confirmation_is_refused_for_a_gift_that_cannot_be_refunded(app, make_gift, make_client):
    with app.app_context():
        cheque = make_gift("paul@example.org", method="cheque").id
        db.session.commit()
    client, _ = make_client()
    data = {"amount": "10", "reason": "x", "idempotency_key": str(uuid.uuid4()), "csrf_token": csrf_token(client, "/")}
    response = client.post(f"/staff/donations/{cheque}/refund", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "An offline gift cannot be refunded" in _page(response)


@pytest.mark.parametrize(
    ("action", "question", "button", "status"),
    [
        ("cancel", "Cancel receipt {serial}?", "Yes, cancel receipt {serial}", "cancelled"),
        ("reissue", "Cancel receipt {serial} and issue a new one?", "Yes, cancel {serial} and issue", "cancelled"),
    ],
)
def test_receipt_actions_wait_for_a_confirmation(app, gift, make_client, action, question, button, status):
    donation_id, receipt_id, serial = gift
    client, _ = make_client()
    url = f"/staff/donations/{donation_id}/receipts/{receipt_id}/{action}"
    data = {"reason": "Wrong name", "csrf_token": csrf_token(client, f"/staff/donations/{donation_id}")}
    response = client.post(url, data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = _page(response)
    assert f"<h1>{question.format(serial=serial)}</h1>" in page and button.format(serial=serial) in page
    assert "its number is never used again" in page and "Reason: Wrong name" in page
    if action == "cancel":
        assert "No receipt replaces it, and the donor is not emailed." in page
    else:
        assert "with the next receipt number" in page and "emailed the new receipt at ana@example.org" in page
    with app.app_context():
        assert db.session.get(Receipt, receipt_id).status == "issued"
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 1
    assert client.post(url, data={**data, "confirmed": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Receipt, receipt_id).status == status
        expected = 1 if action == "cancel" else 2
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == expected

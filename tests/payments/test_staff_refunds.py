"""Staff refunds (once per idempotency key, bad amounts refused) and receipt cancel / reissue."""

import re
import uuid
from html import unescape

import pytest

from crm.extensions import db
from crm.payments.forms.amounts import parse_amount
from crm.payments.models import Donation, Receipt, Refund
from crm.payments.services.receipts import issue_receipt
from tests.blns import STRINGS
from tests.helpers import csrf_token
from tests.payments.helpers import card_token, gift_form, give

KEY_RE = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def refund_form(client, donation_id):
    """Open the gift's page and return the refund form's idempotency key and CSRF token."""
    page = client.get(f"/staff/donations/{donation_id}").get_data(as_text=True)
    match = KEY_RE.search(page)
    assert match, "no refund form on the page"
    return match.group(1), csrf_token(client, f"/staff/donations/{donation_id}")


def refunds(app):
    with app.app_context():
        return db.session.scalars(db.select(Refund).order_by(Refund.id)).all()


def test_a_doubled_refund_click_refunds_once(app, localstripe, make_client):
    donor = app.test_client()
    assert give(donor, gift_form(card_token(localstripe))).status_code == 302
    with app.app_context():
        donation = db.session.scalar(db.select(Donation))
        assert donation.status == "succeeded"
        donation_id = donation.id
    client, user = make_client()
    key, token = refund_form(client, donation_id)
    assert uuid.UUID(key)
    assert refund_form(client, donation_id)[0] != key  # a fresh key each time the form is shown
    url = f"/staff/donations/{donation_id}/refund"
    data = {"amount": "20,00", "reason": "Donor asked", "idempotency_key": key, "csrf_token": token}
    # The form first shows what will happen; its "Yes" button sends it again, confirmed.
    shown = client.post(url, data=data, headers={"Accept-Language": "en"})
    assert shown.status_code == 200 and "Yes, refund $20.00" in shown.get_data(as_text=True)
    assert refunds(app) == []
    data["confirmed"] = "yes"
    first = client.post(url, data=data)
    second = client.post(url, data=data)
    assert first.status_code == 302, unescape(first.get_data(as_text=True))
    assert second.status_code == 302
    [refund] = refunds(app)
    assert (refund.amount_cents, refund.idempotency_key, refund.created_by_id) == (2000, key, user.id)
    assert refund.reason == "Donor asked" and refund.stripe_refund_id
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        assert (donation.refunded_cents, donation.status) == (2000, "partially_refunded")
    page = client.get(f"/staff/donations/{donation_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert refund.stripe_refund_id in page and "Donor asked" in page

    # The rest, with the next form's key: the gift is then fully refunded and offers no refund form.
    key, token = refund_form(client, donation_id)
    rest = client.post(url, data={**data, "amount": "30", "idempotency_key": key, "csrf_token": token})
    assert rest.status_code == 302
    assert [r.amount_cents for r in refunds(app)] == [2000, 3000]
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        assert (donation.refunded_cents, donation.status) == (5000, "refunded")
    assert KEY_RE.search(client.get(f"/staff/donations/{donation_id}").get_data(as_text=True)) is None


@pytest.fixture
def paid_gift(app, make_gift):
    with app.app_context():
        donation = make_gift("ana@example.org", first_name="Ana", stripe_payment_intent_id="pi_ana", method="card")
        db.session.commit()
        return donation.id


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount above zero."),
        ("0,00", "Enter an amount above zero."),
        ("-5", "Enter an amount like 40, 40.50 or 40,50."),
        ("50.01", "That is more than what is left of this gift."),
        ("1000000", "That is more than what is left of this gift."),
        ("abc", "Enter an amount like 40, 40.50 or 40,50."),
        ("1e3", "Enter an amount like 40, 40.50 or 40,50."),
        ("", "Enter the amount to refund."),
    ],
)
def test_bad_refund_amounts_give_400_and_change_nothing(app, paid_gift, amount, message, make_client):
    client, _ = make_client()
    key, token = refund_form(client, paid_gift)
    data = {"amount": amount, "reason": "Because", "idempotency_key": key, "csrf_token": token}
    response = client.post(f"/staff/donations/{paid_gift}/refund", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert refunds(app) == []
    with app.app_context():
        donation = db.session.get(Donation, paid_gift)
        assert (donation.status, donation.refunded_cents) == ("succeeded", 0)


def test_naughty_refund_input_and_a_missing_key_or_reason_give_400(app, paid_gift, make_client):
    client, _ = make_client()
    key, token = refund_form(client, paid_gift)
    url = f"/staff/donations/{paid_gift}/refund"
    base = {"amount": "10", "reason": "Because", "idempotency_key": key, "csrf_token": token}
    for value in STRINGS:
        # A naughty string that happens to be a refundable amount ("1", "$1.00") would refund: skip those.
        if not 0 < (parse_amount(value) or 0) <= 5000:
            response = client.post(url, data={**base, "amount": value})
            assert response.status_code == 400, f"{response.status_code} for amount={value!r}"
        for field in ("idempotency_key", "reason"):
            if field == "reason" and value.strip():
                continue  # any non-blank reason is acceptable text; only blank ones are refused here
            response = client.post(url, data={**base, "amount": "abc", field: value})
            assert response.status_code == 400, f"{response.status_code} for {field}={value!r}"
    response = client.post(url, data={**base, "idempotency_key": ""}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    response = client.post(url, data={**base, "reason": " "}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Say why the gift is refunded." in response.get_data(as_text=True)
    assert refunds(app) == []


def test_offline_and_unpaid_gifts_offer_no_refund_and_refuse_one(app, make_client, make_gift):
    with app.app_context():
        cheque = make_gift("paul@example.org", method="cheque")
        failed = make_gift("zoe@example.org", status="failed", stripe_payment_intent_id="pi_zoe")
        db.session.commit()
        ids = (cheque.id, failed.id)
    client, _ = make_client()
    token = csrf_token(client, "/")
    for donation_id in ids:
        page = client.get(f"/staff/donations/{donation_id}").get_data(as_text=True)
        assert KEY_RE.search(page) is None
        data = {"amount": "10", "reason": "x", "idempotency_key": str(uuid.uuid4()), "csrf_token": token}
        response = client.post(f"/staff/donations/{donation_id}/refund", data=data)
        assert response.status_code == 400
    assert refunds(app) == []


def test_cancel_and_reissue_a_receipt(app, paid_gift, make_client):
    with app.app_context():
        donation = db.session.get(Donation, paid_gift)
        receipt = issue_receipt([donation])
        db.session.commit()
        old_id, old_serial = receipt.id, receipt.serial
    client, _ = make_client()
    page = client.get(f"/staff/donations/{paid_gift}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert old_serial in page and "/receipts/" in page
    token = csrf_token(client, f"/staff/donations/{paid_gift}")
    base = f"/staff/donations/{paid_gift}/receipts"

    blank = client.post(f"{base}/{old_id}/reissue", data={"reason": "  ", "csrf_token": token})
    assert blank.status_code == 400
    assert "Say why the receipt changes." in blank.get_data(as_text=True)
    assert client.post(f"{base}/999999/reissue", data={"reason": "x", "csrf_token": token}).status_code == 404

    shown = client.post(f"{base}/{old_id}/reissue", data={"reason": "Address corrected", "csrf_token": token})
    assert shown.status_code == 200  # what will happen, then a button that confirms it
    with app.app_context():
        assert db.session.get(Receipt, old_id).status == "issued"
    yes = {"csrf_token": token, "confirmed": "yes"}
    reissued = client.post(f"{base}/{old_id}/reissue", data={"reason": "Address corrected", **yes})
    assert reissued.status_code == 302
    with app.app_context():
        old = db.session.get(Receipt, old_id)
        new = db.session.scalar(db.select(Receipt).filter_by(replaces_id=old_id))
        assert (old.status, old.cancel_reason) == ("cancelled", "Address corrected")
        assert new.status == "issued" and new.serial != old_serial
        new_id, new_serial = new.id, new.serial
    page = client.get(f"/staff/donations/{paid_gift}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"replaces {old_serial}" in page

    again = client.post(f"{base}/{old_id}/cancel", data={"reason": "Twice", **yes})
    assert again.status_code == 400  # already cancelled: a message, not a 500
    cancelled = client.post(f"{base}/{new_id}/cancel", data={"reason": "Gift was a mistake", **yes})
    assert cancelled.status_code == 302
    with app.app_context():
        assert db.session.get(Receipt, new_id).status == "cancelled"
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 2
    assert new_serial in client.get(f"/staff/donations/{paid_gift}").get_data(as_text=True)

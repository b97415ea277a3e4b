"""Entering a cheque or cash gift: a succeeded Donation, completed like any gift; bad input refused."""

import contextlib
from datetime import date, timedelta
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from crm.accounts.models import User
from crm.audit import AuditEvent
from crm.extensions import db
from crm.forms import clean_line
from crm.payments.forms.staff import OfflineGiftForm
from crm.payments.models import Donation, Receipt
from crm.payments.services import DonationError
from crm.payments.services.offline import record_offline_gift
from crm.supporters.models import Activity, ConsentRecord, Supporter
from crm.supporters.services.intake import find_or_create_supporter
from crm.utc import utcnow
from tests.blns import SAMPLE, STRINGS
from tests.helpers import csrf_token
from tests.payments.helpers import count

URL = "/staff/donations/offline"


def cheque(**overrides):
    data = {
        "method": "cheque",
        "amount": "40,50",
        "received_on": (utcnow().date() - timedelta(days=3)).isoformat(),
        "reference": "000123",
        "designation": "spring-appeal",
        "email": "Jean.Roy@Example.org",
        "first_name": "Jean",
        "last_name": "Roy",
        "address_line1": "12 rue des Érables",
        "city": "Québec",
        "region": "QC",
        "postal_code": "G1R 2B5",
        "country": "ca",
        "language": "fr",
    }
    data.update(overrides)
    return data


def test_offline_cheque_gift_is_recorded_completed_and_on_the_timeline(app, make_client):
    client, user = make_client()
    form = client.get(URL, headers={"Accept-Language": "en"})
    assert form.status_code == 200
    assert 'for="amount"' in form.get_data(as_text=True)
    data = cheque()
    response = client.post(URL, data={**data, "csrf_token": csrf_token(client, URL)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        donation = db.session.scalar(db.select(Donation))
        assert response.headers["Location"] == f"/staff/donations/{donation.id}"
        assert (donation.method, donation.status, donation.kind) == ("cheque", "succeeded", "one_time")
        assert (donation.amount_cents, donation.currency, donation.fee_cents) == (4050, "cad", 0)
        assert (donation.entered_by_id, donation.offline_reference) == (user.id, "000123")
        assert donation.succeeded_at.date() == date.fromisoformat(data["received_on"])
        assert (donation.first_name, donation.city, donation.country, donation.language) == (
            "Jean",
            "Québec",
            "CA",
            "fr",
        )
        assert donation.designation == "spring-appeal"
        supporter = db.session.get(Supporter, donation.supporter_id)
        assert supporter.email == "jean.roy@example.org"
        # complete_gift ran: implied consent and the gift on the timeline.
        assert db.session.scalar(db.select(ConsentRecord.reference).filter_by(supporter_id=supporter.id)) == (
            f"donation:{donation.id}"
        )
        assert db.session.scalar(db.select(Activity.summary).filter_by(supporter_id=supporter.id, kind="gift")) == (
            "One-time gift: 40.50 CAD"
        )
        # Receipted like any gift: the date received as typed, issued today, in the donor's language.
        receipt = db.session.scalar(db.select(Receipt))
        assert [d.id for d in receipt.donations] == [donation.id]
        assert (receipt.received_on, receipt.eligible_cents, receipt.language) == (
            donation.succeeded_at.date(),
            4050,
            "fr",
        )
        assert receipt.donor_name == "Jean Roy" and "Québec" in receipt.donor_address
        audit = db.session.scalar(db.select(AuditEvent).filter_by(action="offline_gift"))
        assert (audit.actor_id, audit.target_id) == (user.id, donation.id)
        supporter_id, donation_id = supporter.id, donation.id
    profile = client.get(f"/staff/supporters/{supporter_id}", headers={"Accept-Language": "en"})
    assert "One-time gift: 40.50 CAD" in profile.get_data(as_text=True)
    page = client.get(f"/staff/donations/{donation_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "000123" in page and "Cheque" in page and "$40.50" in page
    assert "Refund this gift" not in page  # an offline gift is given back outside Stripe


def test_offline_gift_reuses_the_supporter_found_by_email(app, make_client):
    with app.app_context():
        existing, _, _ = find_or_create_supporter("jean.roy@example.org", first_name="Jean")
        db.session.commit()
        existing_id = existing.id
    client, _ = make_client()
    data = cheque(method="cash", amount="100", reference="")
    response = client.post(URL, data={**data, "csrf_token": csrf_token(client, URL)})
    assert response.status_code == 302
    with app.app_context():
        donation = db.session.scalar(db.select(Donation))
        assert (donation.supporter_id, donation.method, donation.amount_cents) == (existing_id, "cash", 10000)
    assert count(app, Supporter) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "0", "Enter an amount between 0.01 and 10,000,000."),
        ("amount", "-5", "Enter an amount like 40, 40.50 or 40,50."),
        ("amount", "abc", "Enter an amount like 40, 40.50 or 40,50."),
        ("amount", "1e5", "Enter an amount like 40, 40.50 or 40,50."),
        ("amount", "999999999", "Enter an amount between 0.01 and 10,000,000."),
        ("amount", "", "Enter the amount of the gift."),
        ("received_on", (utcnow().date() + timedelta(days=30)).isoformat(), "not in the future"),
        ("received_on", "31/12/2026", "Enter the date the gift was received (YYYY-MM-DD)."),
        ("method", "card", "Not a valid choice."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("country", "Canada", "Enter a two-letter country code"),
        ("designation", "Spring Appeal!", "Use lower-case letters"),
        ("first_name", "", "Enter the donor's first name."),
    ],
)
def test_bad_offline_gift_input_gives_400_with_a_message(app, field, value, message, make_client):
    client, _ = make_client()
    data = {**cheque(**{field: value}), "csrf_token": csrf_token(client, URL)}
    response = client.post(URL, data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert count(app, Donation) == 0


OFFLINE_FIELDS = ("amount", "received_on", "email", "country", "designation", "method", "language")


def test_every_naughty_string_in_every_field_is_refused_or_recorded_by_the_form_and_the_service(app, make_user):
    staff = make_user(role="staff")
    with app.test_request_context(URL, method="POST"):
        actor, recorded = db.session.get(User, staff.id), 0
        for value in STRINGS:
            for field in OFFLINE_FIELDS:
                form = OfflineGiftForm(formdata=MultiDict(cheque(**{field: value})), meta={"csrf": False})
                if not form.validate():
                    continue
                with contextlib.suppress(DonationError):  # a refusal is a message for the form
                    record_offline_gift(form.offline_gift(), actor, app.config["CURRENCY"], "127.0.0.1")
                    recorded += 1
                db.session.rollback()
    assert recorded > 20  # some strings are fine values for some field (an email, a designation)


def test_naughty_strings_in_offline_gift_fields_are_refused_or_kept_never_a_500(app, make_client):
    client, _ = make_client()
    token = csrf_token(client, URL)
    for value in SAMPLE:
        for field in OFFLINE_FIELDS:
            response = client.post(URL, data={**cheque(**{field: value}), "csrf_token": token})
            assert response.status_code in (302, 400), f"{response.status_code} for {field}={value!r}"
    # Names and references are kept as typed, control characters dropped (a sample: each makes a gift).
    kept = [value for value in STRINGS if clean_line(value) and len(value) <= 100][:40]
    for value in kept:
        data = cheque(first_name=value, reference=value, email="naughty@example.org")
        response = client.post(URL, data={**data, "csrf_token": token})
        assert response.status_code == 302, f"{response.status_code} for {value!r}"
    with app.app_context():
        stored = db.session.execute(
            db.select(Donation.first_name, Donation.offline_reference).filter_by(email="naughty@example.org")
        ).all()
    assert sorted(stored) == sorted((clean_line(value), clean_line(value)) for value in kept)

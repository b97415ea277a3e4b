"""Official donation receipts: every required element, frozen copies, serials without gaps, corrections."""

import io
import re
import threading
from datetime import UTC, datetime
from urllib.parse import quote

import pypdf
import pytest
from itsdangerous import URLSafeSerializer

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation, Receipt, ReceiptCounter
from crm.payments.services.gifts import complete_gift
from crm.payments.services.receipt_links import receipt_download_url
from crm.payments.services.receipts import (
    ReceiptError,
    adjust_after_refund,
    cancel_receipt,
    current_receipt,
    issue_receipt,
    replace_receipt,
)
from crm.supporters.models import Supporter
from tests.blns import STRINGS
from tests.payments.helpers import card_token, gift_form, give

CHARITY = {
    "CHARITY_NAME": "Enfants Protégés Canada",
    "CHARITY_ADDRESS": "100 Queen St, Ottawa ON K1P 1J9",
    "CHARITY_REGISTRATION_NUMBER": "123456789RR0001",
    "RECEIPT_LOCATION": "Ottawa, Ontario",
    "RECEIPT_SIGNATORY": "Marie Tremblay, Treasurer",
}
WHEN = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


@pytest.fixture
def app(make_app):
    return make_app(**CHARITY)


def pdf_text(pdf):
    """Return the text of every page of a PDF, with runs of white space made single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def make_gift(email="dana@example.org", amount_cents=10_000, language="en", kind="monthly", when=WHEN, **fields):
    """Add a succeeded gift (and its supporter, found by email) as the webhook would leave it."""
    supporter = db.session.scalar(db.select(Supporter).filter_by(email=email)) if email else None
    if supporter is None:
        supporter = Supporter(email=email or None, first_name="Dana", last_name="Ng", language=language)
        db.session.add(supporter)
        db.session.flush()
    values = {
        "first_name": "Dana",
        "last_name": "Ng",
        "email": email,
        "address_line1": "12 Elm Street",
        "city": "Toronto",
        "region": "ON",
        "postal_code": "M5V 2T6",
        "language": language,
        "kind": kind,
        "status": "succeeded",
        **fields,
    }
    donation = Donation(
        supporter=supporter, amount_cents=amount_cents, currency="cad", created_at=when, succeeded_at=when, **values
    )
    db.session.add(donation)
    db.session.flush()
    return donation


def test_receipt_pdf_carries_every_required_element(app):
    with app.app_context():
        gift = make_gift(kind="one_time", advantage_cents=2_500, advantage_description="Gala dinner ticket")
        receipt = issue_receipt([gift], now=WHEN)
        db.session.commit()
        assert (receipt.serial, receipt.year, receipt.number) == ("2026-000001", 2026, 1)
        assert (receipt.amount_cents, receipt.advantage_cents, receipt.eligible_cents) == (10_000, 2_500, 7_500)
        text = pdf_text(receipt.pdf)
    for element in (
        "Official receipt for income tax purposes",
        "Enfants Protégés Canada",
        "100 Queen St, Ottawa ON K1P 1J9",
        "Charitable registration number: 123456789RR0001",
        "Receipt no.: 2026-000001",
        "Place of issue: Ottawa, Ontario",
        "Date of issue: March 14, 2026",
        "Date the gift was received: March 14, 2026",
        "Dana Ng",
        "12 Elm Street",
        "Toronto ON M5V 2T6",
        "Total amount of the gift: $100.00",
        "Amount of the advantage: $25.00",
        "Description of the advantage: Gala dinner ticket",
        "Eligible amount of the gift for tax purposes: $75.00",
        "Marie Tremblay, Treasurer",
        "Authorized signature",
        "Canada Revenue Agency: canada.ca/charities-giving",
    ):
        assert element in text, element


def test_french_donor_gets_the_french_receipt(app):
    with app.app_context():
        gift = make_gift(email="eloise@example.org", kind="one_time", language="fr", first_name="Éloïse")
        receipt = issue_receipt([gift], now=WHEN)
        db.session.commit()
        assert receipt.language == "fr"
        text = pdf_text(receipt.pdf)
    for element in (
        "Reçu officiel aux fins de l'impôt sur le revenu",
        "Numéro d'enregistrement de l'organisme de bienfaisance : 123456789RR0001",
        "Numéro de reçu : 2026-000001",
        "Lieu de délivrance : Ottawa, Ontario",
        "Date de délivrance : 14 mars 2026",
        "Date de réception du don : 14 mars 2026",
        "Éloïse Ng",
        "Montant admissible du don aux fins de l'impôt",
        "Signature autorisée",
        "Agence du revenu du Canada : canada.ca/organismes-bienfaisance-dons",
    ):
        assert element in text, element
    assert "Official receipt" not in text


def test_any_name_prints(app):
    name = "Zoë Ångström-Łukasz Şahin Nguyễn"
    with app.app_context():
        gift = make_gift(kind="one_time", first_name=name, last_name="")
        text = pdf_text(issue_receipt([gift], now=WHEN).pdf)
    assert name in text


def test_redownload_after_an_address_change_is_byte_identical(app, client):
    with app.app_context():
        gift = make_gift(kind="one_time")
        receipt = issue_receipt([gift], now=WHEN)
        db.session.commit()
        url, frozen, gift_id = receipt_download_url(receipt, external=False), receipt.pdf, gift.id
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert 'filename="receipt-2026-000001.pdf"' in first.headers["Content-Disposition"]
    assert first.data == frozen
    with app.app_context():
        supporter = db.session.scalar(db.select(Supporter).filter_by(email="dana@example.org"))
        supporter.address_line1, supporter.city, supporter.postal_code = "99 New Road", "Halifax", "B3H 1A1"
        gift = db.session.get(Donation, gift_id)
        gift.address_line1, gift.city = "99 New Road", "Halifax"
        db.session.commit()
    again = client.get(url)
    assert again.status_code == 200
    assert again.data == first.data
    assert "12 Elm Street" in pdf_text(again.data)


def test_tampered_or_unknown_download_token_is_404(app, client):
    with app.app_context():
        receipt = issue_receipt([make_gift(kind="one_time")], now=WHEN)
        db.session.commit()
        url = receipt_download_url(receipt, external=False)
        other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="preference-centre")
        foreign = other_salt.dumps(receipt.id)
    token = url.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    tampered = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for bad in (tampered, "MQ.nope", foreign, "x" * 500, "%00", "<script>alert(1)</script>"):
        response = client.get(f"/receipts/{bad}")
        assert response.status_code == 404, bad
        assert response.mimetype == "text/html"
    assert client.get(url).status_code == 200


def test_cancel_and_replace_keeps_the_old_receipt_and_cites_it(app, client):
    later = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
    with app.app_context():
        gift = make_gift(kind="one_time")
        old = issue_receipt([gift], now=WHEN)
        db.session.commit()
        gift.last_name = "Ng-Barton"  # the donor asked for their full name
        new = replace_receipt(old, "Name corrected at the donor's request", now=later)
        db.session.commit()
        old_url = receipt_download_url(old, external=False)
        assert (old.status, old.cancel_reason, old.cancelled_at) == (
            "cancelled",
            "Name corrected at the donor's request",
            later,
        )
        assert (new.status, new.replaces_id, new.serial) == ("issued", old.id, "2026-000002")
        assert current_receipt(gift) == new
        assert "This receipt replaces receipt no. 2026-000001, which is cancelled." in pdf_text(new.pdf)
        assert "Dana Ng-Barton" in pdf_text(new.pdf)
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 2
        with pytest.raises(ReceiptError, match="already cancelled"):
            cancel_receipt(old, "again")
        with pytest.raises(ReceiptError, match="reason"):
            cancel_receipt(new, "   ")
    assert client.get(old_url).status_code == 410


def test_advantage_over_80_percent_gives_no_receipt(app):
    with app.app_context():
        over = make_gift(kind="one_time", amount_cents=10_000, advantage_cents=8_001)
        assert issue_receipt([over], now=WHEN) is None
        at_limit = make_gift(kind="one_time", amount_cents=10_000, advantage_cents=8_000)
        receipt = issue_receipt([at_limit], now=WHEN)
        assert receipt.eligible_cents == 2_000
        # No serial was spent on the gift that got no receipt.
        assert receipt.serial == "2026-000001"


def test_a_partial_refund_replaces_the_receipt_and_a_full_refund_cancels_it(app):
    with app.app_context():
        gift = make_gift(kind="one_time", amount_cents=10_000)
        first = issue_receipt([gift], now=WHEN)
        gift.refunded_cents, gift.status = 4_000, "partially_refunded"
        second = adjust_after_refund(gift, now=WHEN)
        assert first.status == "cancelled" and "Refund" in first.cancel_reason
        assert (second.amount_cents, second.eligible_cents, second.replaces_id) == (6_000, 6_000, first.id)
        gift.refunded_cents, gift.status = 10_000, "refunded"
        assert adjust_after_refund(gift, now=WHEN) is None
        assert second.status == "cancelled"
        assert current_receipt(gift) is None
        db.session.commit()


def test_asking_twice_for_a_gifts_receipt_gives_the_same_receipt(app):
    with app.app_context():
        gift = make_gift(kind="one_time")
        assert issue_receipt([gift], now=WHEN) is issue_receipt([gift], now=WHEN)
        assert db.session.get(ReceiptCounter, 2026).last_number == 1


def test_monthly_gift_waits_for_the_annual_receipt_and_its_thanks_says_so(app):
    with app.app_context():
        gift = make_gift(kind="monthly")
        complete_gift(gift, now=WHEN)
        db.session.commit()
        assert current_receipt(gift) is None
        email = db.session.scalar(db.select(OutboundEmail).filter_by(template="gift_thanks"))
        assert email.context["annual_receipt_year"] == 2026
        assert "attachments" not in email.context


def test_monthly_gifts_get_a_receipt_each_when_configured(make_app):
    app = make_app(RECEIPT_ANNUAL_FOR_MONTHLY=False, **CHARITY)
    with app.app_context():
        gift = make_gift(kind="monthly")
        complete_gift(gift, now=WHEN)
        db.session.commit()
        assert current_receipt(gift).kind == "single"


def test_offline_gift_without_email_gets_a_receipt_but_no_thanks(app):
    with app.app_context():
        gift = make_gift(email="", kind="one_time", method="cheque", offline_reference="cheque 1042")
        complete_gift(gift, now=WHEN)
        db.session.commit()
        assert current_receipt(gift) is not None
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_tribute_note_names_donor_and_honoured_person_without_the_amount(app, smtp_sink):
    from crm.mail.services.delivery import send_due

    app.config["MAIL_RATE_PER_MINUTE"] = 0
    app.config.update(MAIL_SERVER=smtp_sink.host, MAIL_PORT=smtp_sink.port)
    with app.app_context():
        gift = make_gift(
            kind="one_time",
            amount_cents=12_345,
            tribute_kind="memory",
            tribute_name="Grandpa Joe",
            tribute_notify_email="family@example.org",
            tribute_note="He loved helping kids.",
        )
        complete_gift(gift, now=WHEN)
        db.session.commit()
        assert send_due().sent == 2
    notes = [m for m in smtp_sink.parsed() if m["To"].addresses[0].addr_spec == "family@example.org"]
    (note,) = notes
    assert note["Subject"] == "Dana Ng made a gift in memory of Grandpa Joe"
    text = note.get_body(("plain",)).get_content()
    assert "He loved helping kids." in text
    assert "123.45" not in text and "123,45" not in text
    assert not list(note.iter_attachments())


def test_a_real_gift_is_receipted_and_the_thanks_carries_the_pdf(make_app, localstripe, smtp_sink):
    from crm.mail.services.delivery import send_due

    app = make_app(MAIL_RATE_PER_MINUTE=0, BASE_URL="https://crm.example", **CHARITY)
    client = app.test_client()
    response = give(client, gift_form(card_token(localstripe), amount="10000"))  # a French-speaking donor
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/receipts/[^"]+)"', page).group(1)
    with app.app_context():
        [donation] = db.session.scalars(db.select(Donation)).all()
        receipt = current_receipt(donation)
        assert receipt.serial.endswith("-000001") and receipt.eligible_cents == 10_000
        assert receipt.language == "fr" and receipt.donor_name == "Élise Côté"
        assert send_due().sent == 1
        frozen = receipt.pdf
    (message,) = smtp_sink.parsed()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"recu-{receipt.serial}.pdf"
    assert attachment.get_content() == frozen
    assert "Reçu officiel aux fins de l'impôt sur le revenu" in pdf_text(attachment.get_content())
    text = message.get_body(("plain",)).get_content()
    assert f"no {receipt.serial}, est joint à ce courriel" in text
    assert "https://crm.example/receipts/" in text
    assert client.get(link).data == frozen


def test_annual_receipts_command_issues_one_per_monthly_donor(app, runner):
    with app.app_context():
        for month in (1, 5, 11):
            make_gift(email="ana@example.org", amount_cents=2_000, when=datetime(2025, month, 3, 15, tzinfo=UTC))
        for month in (2, 3):
            make_gift(email="bo@example.org", amount_cents=1_500, when=datetime(2025, month, 9, 15, tzinfo=UTC))
        # Not counted: another year, a one-time gift (it has its own receipt), a refunded one.
        make_gift(email="ana@example.org", when=datetime(2026, 1, 3, 15, tzinfo=UTC))
        issue_receipt([make_gift(email="bo@example.org", kind="one_time", when=datetime(2025, 6, 1, tzinfo=UTC))])
        make_gift(email="cy@example.org", status="refunded", refunded_cents=10_000)
        db.session.commit()

    result = runner.invoke(args=["payments", "annual-receipts", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "2 receipt(s) issued." in result.output
    with app.app_context():
        annual = db.session.scalars(db.select(Receipt).filter_by(kind="annual").order_by(Receipt.id)).all()
        assert [(r.donor_name, r.amount_cents, len(r.donations)) for r in annual] == [
            ("Dana Ng", 6_000, 3),
            ("Dana Ng", 3_000, 2),
        ]
        ana = annual[0]
        assert (ana.received_on.isoformat(), ana.received_until.isoformat()) == ("2025-01-03", "2025-11-03")
        text = pdf_text(ana.pdf)
        assert "Annual receipt for the monthly gifts received in 2025." in text
        assert "January 3, 2025 to November 3, 2025" in text

    again = runner.invoke(args=["payments", "annual-receipts", "--year", "2025"])
    assert "0 receipt(s) issued." in again.output


def _issue_at_once(app, donation_ids):
    """Issue each gift's receipt in its own thread, app context, session and transaction."""
    errors = []
    start = threading.Barrier(len(donation_ids))

    def worker(donation_id):
        try:
            start.wait(timeout=60)
            with app.app_context():
                donation = db.session.get(Donation, donation_id)
                issue_receipt([donation], now=WHEN)
                db.session.commit()
        except Exception as error:  # reported by the test below
            errors.append(error)
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in donation_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _assert_gapless(app, count):
    with app.app_context():
        numbers = sorted(db.session.scalars(db.select(Receipt.number).filter_by(year=2026)).all())
        serials = set(db.session.scalars(db.select(Receipt.serial)).all())
        assert numbers == list(range(1, count + 1))
        assert len(serials) == count
        assert db.session.get(ReceiptCounter, 2026).last_number == count


def _gifts(app, count):
    with app.app_context():
        ids = [make_gift(email=f"donor{n}@example.org", kind="one_time").id for n in range(count)]
        db.session.commit()
        return ids


def test_200_concurrent_receipts_on_postgresql_have_distinct_serials_without_gaps(make_app):
    # 30 connections at a time (the server allows 100, shared with other runs); the other threads queue for one.
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0, "pool_timeout": 300}, **CHARITY)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks under 200 writers need PostgreSQL; SQLite runs the 20-writer test below")
    assert _issue_at_once(app, _gifts(app, 200)) == []
    _assert_gapless(app, 200)


def test_20_concurrent_receipts_have_distinct_serials_without_gaps(make_app):
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "pool_timeout": 120}, **CHARITY)
    assert _issue_at_once(app, _gifts(app, 20)) == []
    _assert_gapless(app, 20)


def test_a_rolled_back_receipt_gives_its_number_back(app):
    with app.app_context():
        gift_id = make_gift(kind="one_time").id
        db.session.commit()
        issue_receipt([db.session.get(Donation, gift_id)], now=WHEN)
        db.session.rollback()
        receipt = issue_receipt([db.session.get(Donation, gift_id)], now=WHEN)
        db.session.commit()
        assert receipt.serial == "2026-000001"


def test_hostile_download_tokens_are_404_never_500(app, client):
    strings = STRINGS
    for value in strings[::7]:
        response = client.get(f"/receipts/{quote(value, safe='')}" if value else "/receipts/%20")
        assert response.status_code == 404, value


def test_hostile_donor_names_and_addresses_print_on_the_receipt(app):
    strings = [s for s in STRINGS if s.strip()][::25]
    with app.app_context():
        for n, value in enumerate(strings):
            gift = make_gift(email=f"hostile{n}@example.org", kind="one_time", first_name=value[:100])
            gift.address_line1 = value[:200]
            receipt = issue_receipt([gift], now=WHEN)
            assert receipt.pdf.startswith(b"%PDF-") and len(pypdf.PdfReader(io.BytesIO(receipt.pdf)).pages) >= 1
        db.session.commit()


def test_a_receipt_replaced_before_the_thanks_is_sent_attaches_the_replacement(app, smtp_sink):
    from crm.mail.services.delivery import send_due

    app.config.update(MAIL_RATE_PER_MINUTE=0, MAIL_SERVER=smtp_sink.host, MAIL_PORT=smtp_sink.port)
    with app.app_context():
        gift = make_gift(kind="one_time")
        complete_gift(gift, now=WHEN)
        old = current_receipt(gift)
        new = replace_receipt(old, "Wrong address")
        db.session.commit()
        assert send_due().sent == 1
        serial, frozen = new.serial, new.pdf
    (attachment,) = list(smtp_sink.parsed()[0].iter_attachments())
    assert attachment.get_filename() == f"receipt-{serial}.pdf"
    assert attachment.get_content() == frozen


def test_dates_are_the_charitys_calendar_days(app):
    new_years_eve_in_toronto = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    with app.app_context():
        gift = make_gift(kind="one_time", when=new_years_eve_in_toronto)
        receipt = issue_receipt([gift], now=new_years_eve_in_toronto)
        assert receipt.received_on.isoformat() == "2025-12-31"
        assert receipt.serial == "2025-000001"
        text = pdf_text(receipt.pdf)
    assert "Date the gift was received: December 31, 2025" in text
    assert "Date of issue: December 31, 2025" in text


def test_the_same_gift_receipted_at_once_five_times_gets_one_receipt(make_app):
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "pool_timeout": 120}, **CHARITY)
    [gift_id] = _gifts(app, 1)
    assert _issue_at_once(app, [gift_id] * 5) == []
    _assert_gapless(app, 1)

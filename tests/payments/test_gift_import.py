"""Saving gift history from other systems: gifts, people, re-imports, bad rows, consent, the command line."""

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.mail.models import Enrolment, OutboundEmail
from crm.payments.models import Donation, Receipt, RecurringGift
from crm.payments.services.gift_import import import_gifts
from crm.payments.services.gift_rows import read_gift_file
from crm.payments.services.receipts import issue_annual_receipts, issue_receipt
from crm.supporters.models import ConsentRecord, Supporter
from tests.blns import STRINGS

DATA = Path(__file__).parent / "data"
FILES = sorted(path.name for path in DATA.glob("*.csv"))
NOW = datetime(2025, 6, 1, tzinfo=UTC)
HEADER = ["Email", "First Name", "Last Name", "Contribution ID", "Total Amount", "Receive Date", "Contribution Status",
          "Payment Method", "Campaign Title", "Currency"]  # fmt: skip


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def gift_row(number, email="ana@example.org", amount="50.00", day="2025-01-15", status="Completed", campaign=""):
    return [email, "Ana", "Lima", str(number), amount, day, status, "Credit Card", campaign, "CAD"]


def run(data, **options):
    options.setdefault("now", NOW)
    options.setdefault("create_campaigns", True)
    result = import_gifts(data, **options)
    db.session.commit()
    return result


def gifts():
    return db.session.scalars(select(Donation).order_by(Donation.id)).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- each format -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_each_format_imports_the_gifts_and_people_of_the_file(ctx, name):
    data = (DATA / name).read_bytes()
    _plan, rows = read_gift_file(data, now=NOW)
    expected = [row for row in rows if not row.errors]
    result = run(data)
    assert result.new + result.known + result.rejected == result.total_rows
    saved = gifts()
    assert len(saved) == result.new > 0
    assert all(gift.imported and gift.supporter_id for gift in saved)
    # The totals per person, by status, are the file's (gifts known twice in a file count once).
    by_key = {row.dedupe_key: row for row in expected}
    want, got = defaultdict(int), defaultdict(int)
    for row in by_key.values():
        want[row.email, row.status] += row.amount_cents
    for gift in saved:
        got[gift.supporter.email, gift.status] += gift.amount_cents
    assert got == want
    for gift in saved:
        row = next(row for row in by_key.values() if row.dedupe_key == gift.dedupe_key)
        assert (gift.created_at, gift.currency, gift.campaign, gift.kind) == (
            row.received_at, row.currency, row.campaign, row.kind,
        )  # fmt: skip
    emails = {row.email for row in expected}
    assert set(db.session.scalars(select(Supporter.email))) == emails
    # History: no receipt, no email, no sequence.
    assert count(Receipt) == count(OutboundEmail) == count(Enrolment) == 0


def test_civicrm_export_keeps_statuses_plans_receipt_numbers_and_campaigns(ctx):
    run((DATA / "civicrm_contribution_export.csv").read_bytes())
    by_id = {gift.original_id: gift for gift in gifts()}
    first, second = by_id["5001"], by_id["5002"]
    assert (first.amount_cents, first.status, first.campaign, first.old_receipt_number) == (
        5000, "succeeded", "Winter Appeal 2024", "INV-5001",
    )  # fmt: skip
    assert first.recurring_gift_id == second.recurring_gift_id is not None
    plan = db.session.get(RecurringGift, first.recurring_gift_id)
    assert (plan.imported, plan.source_system, plan.original_id, plan.status) == (True, "civicrm", "77", "cancelled")
    assert plan.stripe_subscription_id is None
    refunded = by_id["5004"]
    assert (refunded.status, refunded.refunded_cents, refunded.net_cents) == ("refunded", 10000, 0)
    assert by_id["5005"].status == "failed" and by_id["5006"].status == "cancelled"
    assert by_id["5007"].status == "pending" and by_id["5007"].succeeded_at is None
    # Never receipted here, whatever its status.
    assert first.receiptable_cents == 0
    assert issue_receipt([first], now=NOW) is None


def test_imported_monthly_gifts_get_no_annual_receipt(ctx):
    run((DATA / "civicrm_contribution_export.csv").read_bytes())
    assert db.session.scalar(select(func.count()).where(Donation.kind == "monthly")) == 2
    assert issue_annual_receipts(2024, now=NOW) == []
    assert count(Receipt) == 0


def test_anonymous_canadahelps_gifts_are_refused_with_the_reason(ctx):
    result = run((DATA / "canadahelps_donations.csv").read_bytes())
    assert result.rejected == 1
    assert "anonymous gift" in result.report
    assert all(gift.supporter_id for gift in gifts())


# --- re-imports --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_reimporting_the_same_file_changes_nothing(ctx, name):
    data = (DATA / name).read_bytes()
    first = run(data)
    before = [(gift.id, gift.status, gift.amount_cents) for gift in gifts()]
    people = count(Supporter)
    again = run(data)
    assert (again.new, again.updated) == (0, 0)
    assert again.known == first.new + first.known
    assert [(gift.id, gift.status, gift.amount_cents) for gift in gifts()] == before
    assert count(Supporter) == people


def test_an_overlapping_export_adds_only_the_new_gifts_and_updates_changed_statuses(ctx):
    rows = [gift_row(n, amount=f"{10 + n}.00", day=f"2025-01-{n:02d}") for n in range(1, 6)]
    run(csv_bytes(HEADER, rows[:3]))
    later = [*rows[:2], gift_row(3, amount="13.00", day="2025-01-03", status="Refunded"), *rows[3:]]
    result = run(csv_bytes(HEADER, later))
    assert (result.new, result.known, result.updated, result.rejected) == (2, 2, 1, 0)
    assert [gift.original_id for gift in gifts()] == ["1", "2", "3", "4", "5"]
    assert gifts()[2].status == "refunded"


def test_gifts_without_ids_are_known_by_donor_day_amount_and_method(ctx):
    header = ["Email", "Donation Amount", "Donation Date", "Payment Method"]
    rows = [["ana@example.org", "20", "2025-02-01", "Cheque"], ["ana@example.org", "20", "2025-02-02", "Cheque"]]
    run(csv_bytes(header, rows[:1]))
    result = run(csv_bytes(header, rows))
    assert (result.new, result.known) == (1, 1)
    assert count(Donation) == 2


# --- bad rows ----------------------------------------------------------------------------------


BAD_ROWS = {
    "no amount": (gift_row(1, amount=""), "amount"),
    "negative": (gift_row(2, amount="-5.00"), "negative"),
    "unparseable": (gift_row(3, amount="fifty"), "Not an amount"),
    "no date": (gift_row(4, day=""), "date"),
    "future": (gift_row(5, day="2031-01-01"), "future"),
    "unknown status": (gift_row(6, status="Mystery"), "Unknown status"),
    "foreign currency": ([*gift_row(7)[:-1], "USD"], "not accepted"),
}


def test_bad_rows_go_to_the_error_report_with_their_reason(ctx):
    rows = [row for row, _reason in BAD_ROWS.values()] + [gift_row(8)]
    result = run(csv_bytes(HEADER, rows))
    assert (result.new, result.rejected) == (1, len(BAD_ROWS))
    report = list(csv.reader(io.StringIO(result.report)))
    assert report[0][:2] == ["row", "errors"]
    reasons = {int(line[0]): line[1] for line in report[1:]}
    for number, (_row, reason) in enumerate(BAD_ROWS.values(), start=2):
        assert reason.lower() in reasons[number].lower(), (number, reasons[number])


def test_row_errors_speak_french(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        result = import_gifts(csv_bytes(HEADER, [gift_row(1, status="Mystère")]), now=NOW)
    assert "Statut inconnu" in result.report or "inconnu" in result.report.lower()


def test_unknown_campaigns_need_asking_and_known_ones_match_in_any_case(ctx):
    run(csv_bytes(HEADER, [gift_row(1, campaign="Winter Appeal")]))
    rows = [gift_row(2, campaign="WINTER appeal"), gift_row(3, campaign="Spring Gala")]
    result = run(csv_bytes(HEADER, rows), create_campaigns=False)
    assert (result.new, result.rejected) == (1, 1)
    assert "Spring Gala" in result.report
    assert [gift.campaign for gift in gifts()] == ["Winter Appeal", "Winter Appeal"]


def test_a_file_of_another_kind_is_refused_naming_what_was_expected(ctx):
    from crm.supporters.services.import_columns import ImportProblem

    with pytest.raises(ImportProblem, match="amount"):
        import_gifts(csv_bytes(["Email", "First Name"], [["ana@example.org", "Ana"]]), now=NOW)


def test_a_file_failing_halfway_keeps_what_was_saved(ctx):
    rows = [gift_row(n, day=f"2025-01-{n:02d}") for n in range(1, 7)]
    calls = []

    def each_chunk(result):
        db.session.commit()
        calls.append(result.new)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        import_gifts(csv_bytes(HEADER, rows), now=NOW, chunk_size=2, each_chunk=each_chunk)
    db.session.rollback()
    assert [gift.original_id for gift in gifts()] == ["1", "2", "3", "4"]
    result = run(csv_bytes(HEADER, rows))
    assert (result.new, result.known) == (2, 4)


def test_a_dry_run_saves_nothing(ctx):
    result = import_gifts((DATA / "civicrm_contribution_export.csv").read_bytes(), now=NOW, dry_run=True,
                          create_campaigns=True)  # fmt: skip
    db.session.rollback()
    assert result.new == 7 and result.people_new == 5
    assert count(Donation) == count(Supporter) == count(RecurringGift) == 0


# --- consent -----------------------------------------------------------------------------------


def test_implied_consent_runs_two_years_from_the_gift_date(ctx):
    old = (NOW - timedelta(days=2 * 365 + 2)).date().isoformat()
    recent = (NOW - timedelta(days=100)).date().isoformat()
    rows = [gift_row(1, email="old@example.org", day=old), gift_row(2, email="new@example.org", day=recent),
            gift_row(3, email="failed@example.org", day=recent, status="Failed")]  # fmt: skip
    result = run(csv_bytes(HEADER, rows))
    assert result.consents == 1
    records = db.session.scalars(select(ConsentRecord)).all()
    assert len(records) == 1
    record = records[0]
    gift = db.session.scalar(select(Donation).where(Donation.original_id == "2"))
    assert (record.supporter_id, record.basis, record.action, record.purpose) == (
        gift.supporter_id, "implied_gift", "grant", "all",
    )  # fmt: skip
    assert record.created_at == gift.created_at
    assert record.expires_at.date() == gift.created_at.replace(year=gift.created_at.year + 2).date()
    run(csv_bytes(HEADER, rows))
    assert count(ConsentRecord) == 1  # a re-import records no second consent


def test_a_pending_gift_completed_since_gives_consent_on_the_next_import(ctx):
    day = (NOW - timedelta(days=30)).date().isoformat()
    run(csv_bytes(HEADER, [gift_row(1, day=day, status="Pending")]))
    assert count(ConsentRecord) == 0
    result = run(csv_bytes(HEADER, [gift_row(1, day=day, status="Completed")]))
    assert (result.updated, result.consents) == (1, 1)
    assert gifts()[0].status == "succeeded" and gifts()[0].succeeded_at is not None


def test_two_years_and_a_day_ago_gives_no_consent(ctx):
    day = NOW.replace(year=NOW.year - 2) - timedelta(days=1)
    run(csv_bytes(HEADER, [gift_row(1, day=day.date().isoformat())]))
    assert count(Donation) == 1 and count(ConsentRecord) == 0


# --- naughty strings ---------------------------------------------------------------------------


def test_every_naughty_string_in_every_text_column_is_text_or_a_row_error(ctx):
    header = ["Email", "First Name", "Contribution ID", "Total Amount", "Receive Date", "Campaign Title",
              "Financial Type", "Source", "Soft Credit To", "Check Number", "Payment Method", "Appeal"]  # fmt: skip
    rows = [
        [f"p{n}@example.org", text, f"n{n}", "10", "2025-01-01", text, text, text, text, text, text, text]
        for n, text in enumerate(STRINGS)
    ]
    result = run(csv_bytes(header, rows))
    assert result.new + result.rejected == len(STRINGS)
    assert result.new > 0 and result.rejected > 0
    report = list(csv.reader(io.StringIO(result.report)))[1:]
    assert all(line[1].strip() for line in report)
    saved = {gift.original_id: gift for gift in gifts()}
    for n, text in enumerate(STRINGS):
        gift = saved.get(f"n{n}")
        if gift is not None:
            # Campaigns match in any case: "NULL" is filed under the "null" met first.
            kept = gift.campaign.casefold()
            assert kept == " ".join(text.split()).casefold() or kept in text.casefold(), (n, text, gift.campaign)


# --- the command line --------------------------------------------------------------------------


def test_the_command_line_imports_and_writes_the_error_report(app, runner, tmp_path):
    path = tmp_path / "canadahelps.csv"
    path.write_bytes((DATA / "canadahelps_donations.csv").read_bytes())
    dry = runner.invoke(args=["donations", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "new gifts would be added: 3" in dry.output
    with app.app_context():
        assert count(Donation) == 0
    errors = tmp_path / "report.csv"
    result = runner.invoke(args=["donations", "import", str(path), "--errors", str(errors), "--source", "CanadaHelps"])
    assert result.exit_code == 0, result.output
    assert "new gifts added: 3" in result.output and "rejected: 1" in result.output
    assert "anonymous gift" in errors.read_text(encoding="utf-8-sig")
    again = runner.invoke(args=["donations", "import", str(path), "--errors", str(errors)])
    assert "new gifts added: 0" in again.output and "already known: 3" in again.output
    with app.app_context():
        assert count(Donation) == 3


def test_the_command_line_refuses_a_file_of_another_kind(app, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(["Email", "First Name"], [["ana@example.org", "Ana"]]))
    result = runner.invoke(args=["donations", "import", str(path)])
    assert result.exit_code == 1
    assert "not a file of gifts" in result.output


# --- personal data -----------------------------------------------------------------------------


def test_an_imported_gift_is_exported_merged_and_erased_with_its_donor(ctx):
    from crm.supporters.services.privacy import erase_supporter, export_personal_data

    run((DATA / "civicrm_contribution_import.csv").read_bytes())
    gift = db.session.scalar(select(Donation).where(Donation.soft_credit_name != ""))
    donor = gift.supporter
    exported = export_personal_data(donor, None, now=NOW)
    assert gift.soft_credit_name in str(exported)
    erase_supporter(donor, None, now=NOW)
    db.session.commit()
    db.session.refresh(gift)
    assert (gift.soft_credit_name, gift.soft_credit_email, gift.email) == ("", "", "")
    assert gift.amount_cents > 0 and gift.imported


@pytest.mark.parametrize(
    ("written", "status"),
    [("Disputed", "disputed"), ("Contestée", "disputed"), ("Pending Refund", "refunded"),
     ("Refund pending", "refunded"), ("Cancelled", "cancelled"), ("Closed Won", "succeeded")],
)  # fmt: skip
def test_dispute_and_refund_statuses_are_kept_and_never_receipted(ctx, written, status):
    run(csv_bytes(HEADER, [gift_row(1, status=written)]))
    gift = gifts()[0]
    assert gift.status == status
    assert gift.receiptable_cents == 0
    assert gift.refunded_cents == (gift.amount_cents if status == "refunded" else 0)

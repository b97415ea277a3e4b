"""Reading gift files from other systems: recognised columns, parsed rows, row errors (no database writes).

The sample files in data/ carry the header rows the real exports write (CiviCRM's contribution
fields, NPSP's DataImport__c labels and API names, GiveWP's exporter, Donorbox's and CanadaHelps'
downloads), synthetic people, and the encodings and habits such files come in.
"""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm.payments.services.gift_columns import detect_system, guess_gift_targets
from crm.payments.services.gift_rows import GiftPlan, read_gift_file
from crm.supporters.services.import_columns import ImportProblem, guess_targets
from tests.blns import STRINGS

DATA = Path(__file__).parent / "data"
FORMATS = Path(__file__).resolve().parents[3] / "shared" / "data" / "import-formats"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def read(path_or_bytes, **options):
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    plan, rows = read_gift_file(data, now=NOW, **options)
    return plan, list(rows)


def csv_bytes(header, *rows, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def summary(row):
    return (row.email, row.amount_cents, row.currency, row.received_at, row.status, row.method, row.kind)


# --- recognition -------------------------------------------------------------------------------

RECOGNISED = {
    "civicrm_contribution_import.csv": ("civicrm", {
        "Email": "email", "Total Amount": "amount", "Receive Date": "received_on", "Financial Type": "fund",
        "Contribution Status": "status", "Payment Method": "method", "Source": "gift_source",
        "Transaction ID": "transaction_id", "Soft Credit To": "soft_credit_name", "Currency": "currency",
        "Invoice Number": "receipt_number", "First Name": "first_name",
    }),
    "civicrm_contribution_export.csv": ("civicrm", {
        "Contact ID": "", "Contribution ID": "external_id", "Contribution Date": "received_on",
        "Contribution Source": "gift_source", "Recurring Contribution ID": "recurring_id",
        "Campaign Title": "campaign", "Check Number": "reference", "Email": "email",
    }),
    "npsp_data_import_labels.csv": ("npsp", {
        "Donation Amount": "amount", "Donation Date": "received_on", "Donation Stage": "status",
        "Campaign Name": "campaign", "Payment Method": "method", "Contact1 Personal Email": "email",
        "Contact1 Work Email": "email", "Contact1 Preferred Email": "preferred_email",
        "Payment Check/Reference Number": "reference",
    }),
    "npsp_data_import_api.csv": ("npsp", {
        "npsp__Donation_Amount__c": "amount", "npsp__Donation_Date__c": "received_on",
        "npsp__Donation_Stage__c": "status", "npsp__Donation_Campaign_Name__c": "campaign",
        "npsp__Payment_Method__c": "method", "npsp__Contact1_Personal_Email__c": "email",
        "npsp__Contact1_Firstname__c": "first_name", "npsp__Contact1_Lastname__c": "last_name",
    }),
    "givewp_donations.csv": ("givewp", {
        "Donation ID": "external_id", "Donation Total": "amount", "Currency Code": "currency",
        "Donation Status": "status", "Form Title": "campaign", "Donation Date": "received_on",
        "Donation Time": "received_time", "Payment Gateway": "processor", "Email Address": "email",
        "Currency Symbol": "", "Form ID": "", "Donor ID": "",
    }),
    "donorbox_donations.csv": ("donorbox", {
        "Donor Email": "email", "Amount": "amount", "Currency": "currency", "Donated At": "received_on",
        "Campaign": "campaign", "Designation": "fund", "Receipt Id": "receipt_number", "Status": "status",
        "Stripe Charge Id": "transaction_id", "Pay Pal Transaction Id": "transaction_id",
        "Recurring Plan Id": "recurring_id", "Recurring Donation": "recurring", "Fundraiser": "soft_credit_name",
        "Amount in USD": "", "Net Amount": "", "Tax Deductible Amount": "", "Join Mailing List": "",
    }),
    "canadahelps_donations.csv": ("canadahelps", {
        "TRANSACTION NUMBER": "external_id", "DONATION DATE": "received_on", "DONATION TIME": "received_time",
        "AMOUNT": "amount", "MONTHLY GIFT ID": "recurring_id", "DONOR EMAIL ADDRESS": "email",
        "DONOR FIRST NAME": "first_name", "DONOR PROVINCE/STATE": "region", "DONOR POSTAL/ZIP CODE": "postal_code",
        "DONATION SOURCE": "gift_source", "PAYMENT METHOD": "method", "FEE": "", "DISBURSEMENT DATE": "",
    }),
}  # fmt: skip


@pytest.mark.parametrize("name", RECOGNISED)
def test_each_format_is_recognised(ctx, name):
    system, expected = RECOGNISED[name]
    plan, _rows = read(DATA / name)
    assert plan.system == system
    mapping = dict(zip(plan.headers, plan.targets, strict=True))
    assert {header: mapping[header] for header in expected} == expected


def test_the_shared_donorbox_export_is_recognised_as_the_sample_is(ctx):
    headers = next(csv.reader(io.StringIO((FORMATS / "donorbox_donations.csv").read_text(encoding="utf-8-sig"))))
    assert detect_system(headers) == "donorbox"
    mapping = dict(zip(headers, guess_gift_targets(headers), strict=True))
    assert {h: mapping[h] for h in RECOGNISED["donorbox_donations.csv"][1]} == RECOGNISED["donorbox_donations.csv"][1]


def test_the_supporter_import_learns_the_donor_columns_of_gift_exports():
    # One table of people's headers serves both imports: CanadaHelps' donor columns, NPSP's API names.
    headers = ["DONOR EMAIL ADDRESS", "DONOR FIRST NAME", "DONOR POSTAL/ZIP CODE", "npsp__Contact1_Personal_Email__c",
               "npsp__Home_City__c", "Contact1_Lastname__c", "Total Amount", "Source", "npsp__Unknown__c"]  # fmt: skip
    assert guess_targets(headers) == [
        "email", "first_name", "postal_code", "email", "city", "last_name", "", "source", "",
    ]  # fmt: skip
    assert guess_gift_targets(headers)[-3:] == ["amount", "gift_source", ""]


def test_a_file_of_people_is_refused_naming_the_columns_expected(ctx):
    with pytest.raises(ImportProblem) as refused:
        read(FORMATS / "civicrm_contacts.csv")
    message = str(refused.value)
    assert "not a file of gifts" in message
    assert "Total Amount" in message and "Receive Date" in message
    assert "email" not in message.split("no column for", 1)[1]  # it has one; only the gift columns are missing


# --- parsed rows -------------------------------------------------------------------------------


def test_civicrm_contribution_export(ctx):
    _plan, rows = read(DATA / "civicrm_contribution_export.csv")
    assert [summary(row) for row in rows] == [
        # Toronto left daylight time at 2 a.m. on 3 November 2024: 14:22 that afternoon is UTC-5.
        ("marie-eve.tremblay@example.org", 5000, "cad", utc(2024, 11, 3, 19, 22, 5), "succeeded", "card", "monthly"),
        ("marie-eve.tremblay@example.org", 5000, "cad", utc(2024, 12, 3, 19, 22, 7), "succeeded", "card", "monthly"),
        ("jean-francois.cote@example.org", 125000, "cad", utc(2024, 10, 15, 13, 5, 41), "succeeded", "cheque",
         "one_time"),
        ("siobhan.obrien@example.org", 10000, "cad", utc(2024, 9, 1, 14), "refunded", "card", "one_time"),
        ("liam.macdonald@example.org", 2500, "cad", utc(2024, 8, 20, 20, 45), "failed", "card", "one_time"),
        ("liam.macdonald@example.org", 3000, "cad", utc(2024, 8, 21, 12), "cancelled", "card", "one_time"),
        ("zoe.fraser-theriault@example.org", 4000, "cad", utc(2024, 7, 2, 16), "pending", "cheque", "one_time"),
    ]  # fmt: skip
    assert all(not row.errors for row in rows)
    first, _second, cheque = rows[:3]
    assert (first.original_id, first.transaction_id, first.recurring_id) == ("5001", "ch_5001", "77")
    assert (first.campaign, first.fund, first.source, first.receipt_number) == (
        "Winter Appeal 2024", "Donation", "Online donation", "INV-5001",
    )  # fmt: skip
    assert (cheque.reference, cheque.soft_credit_email, cheque.soft_credit_name) == (
        "1042", "siobhan.obrien@example.org", "",
    )  # fmt: skip
    assert cheque.person.values["first_name"] == "Jean-François"


def test_civicrm_contribution_import_saved_by_excel(ctx):
    plan, rows = read(DATA / "civicrm_contribution_import.csv")  # Windows-1252, semicolons, d/m/y, 1.250,00
    assert (plan.habits.day_first, plan.habits.decimal_mark) == (True, ",")
    assert [summary(row) for row in rows] == [
        ("ana.lima@example.org", 125000, "cad", utc(2024, 11, 13, 5), "succeeded", "cheque", "one_time"),
        ("ben.roy@example.org", 5000, "cad", utc(2024, 11, 3, 4), "succeeded", "card", "one_time"),
        ("chloe.tran@example.org", 7550, "cad", utc(2024, 12, 5, 19, 30), "refunded", "card", "one_time"),
        ("dev.patel@example.org", 2000, "cad", utc(2024, 10, 1, 4), "pending", "bank", "one_time"),
    ]
    assert rows[1].soft_credit_name == "Ana Lima" and rows[1].original_id == "ch_1001"
    assert rows[2].person.values["first_name"] == "Chloé"
    assert rows[3].fund == "Member Dues" and rows[3].currency == "cad"  # no currency: the charity's


@pytest.mark.parametrize("name", ["npsp_data_import_labels.csv", "npsp_data_import_api.csv"])
def test_npsp_data_import(ctx, name):
    _plan, rows = read(DATA / name)
    noemie = rows[0]
    assert summary(noemie) == (
        "noemie.levesque@example.org", 3500, "cad", utc(2024, 5, 9, 4), "succeeded", "cheque", "one_time",
    )  # fmt: skip
    assert noemie.campaign == "Spring Appeal 2024"
    lost = rows[-1]
    assert (lost.email, lost.status, lost.method, lost.amount_cents) == (
        "chloe.belanger-nguyen@example.org", "failed", "paypal", 7500,
    )  # fmt: skip
    assert not any(row.errors for row in rows)


def test_npsp_labels_take_the_preferred_email_and_stages(ctx):
    _plan, rows = read(DATA / "npsp_data_import_labels.csv")
    assert [(row.email, row.status, row.method) for row in rows[1:3]] == [
        ("etienne.leblanc@example.org", "succeeded", "card"),
        ("etienne.leblanc@example.org", "pending", ""),  # Pledged, no method
    ]
    assert rows[0].reference == "1042"
    assert rows[0].method == "cheque"  # "Donation Type: Major Gift" is no method


def test_givewp_donations_export(ctx):
    _plan, rows = read(DATA / "givewp_donations.csv")  # quoted, Windows-1252, "November 3, 2024" and 14:05
    heloise, refunded, renewal, dollars, abandoned = rows
    assert summary(heloise) == (
        "heloise.gagnon@example.org", 125000, "cad", utc(2024, 11, 3, 19, 5), "succeeded", "card", "one_time",
    )  # fmt: skip
    assert heloise.person.values["first_name"] == "Héloïse"
    assert (heloise.campaign, heloise.original_id) == ("Fonds d'urgence / Emergency Fund", "301")
    assert (refunded.status, refunded.method, refunded.received_at) == ("refunded", "paypal", utc(2024, 10, 1, 13, 30))
    assert renewal.status == "succeeded"
    assert dollars.errors == ["Gifts in USD are not accepted: this charity takes CAD."]
    assert dollars.amount_cents is None
    assert (abandoned.status, abandoned.method, abandoned.method_label) == ("cancelled", "", "offline")


def test_donorbox_export(ctx):
    _plan, rows = read(DATA / "donorbox_donations.csv")
    first, second, refunded = rows
    assert summary(first) == (
        "priya.shah@example.org", 5000, "cad", utc(2024, 11, 3, 19, 22, 5), "succeeded", "card", "monthly",
    )  # fmt: skip
    assert (first.recurring_id, second.recurring_id, first.receipt_number) == ("330021", "330021", "81234560")
    assert (first.original_id, first.fund) == ("ch_3PfAkE00Cd1000xYz", "General Fund")
    assert second.received_at == utc(2024, 12, 3, 19, 22, 7)  # 12/03/24 is December: the file writes m/d/y
    # 23:48 on New Year's Eve in Toronto is already 2025 in UTC.
    assert summary(refunded) == (
        "tom.wu@example.org", 125000, "cad", utc(2025, 1, 1, 4, 48, 10), "refunded", "paypal", "one_time",
    )  # fmt: skip
    assert (refunded.soft_credit_name, refunded.original_id) == ("Maya Wu", "7XF00000AB1234567")


def test_the_shared_donorbox_file(ctx):
    plan, rows = read(FORMATS / "donorbox_donations.csv")
    assert plan.habits.day_first is False and plan.habits.month_first_dates == 3
    kept = [row.amount_cents for row in rows if not row.errors]
    assert kept == [5000, 5000, 25000, 10000, 125000, 7500, 50000, 1500]
    errors = {row.number: row.errors for row in rows if row.errors}
    assert errors[8] == ["No email address."]
    assert errors[9][0].startswith("Not a valid email address")
    assert len(errors) == 2


def test_canadahelps_donation_report(ctx):
    _plan, rows = read(DATA / "canadahelps_donations.csv")
    one_time, october, november, anonymous = rows
    assert summary(one_time) == (
        "grace.kim@example.org", 10000, "cad", utc(2024, 11, 3, 19, 5), "succeeded", "card", "one_time",
    )  # fmt: skip
    assert (one_time.original_id, one_time.source) == ("1000000001", "Charity Profile")
    assert [(row.kind, row.recurring_id, row.method) for row in (october, november)] == [
        ("monthly", "MG-778", "paypal"),
        ("monthly", "MG-778", "paypal"),
    ]
    assert october.received_at == utc(2024, 10, 1, 10)  # 06:00 daylight time
    # ANON in every donor column is no donor: the gift cannot be placed on anyone's record.
    assert anonymous.errors == ["No email address."]
    assert anonymous.person.values["first_name"] == "" and anonymous.amount_cents == 1500


# --- habits of a file --------------------------------------------------------------------------

HEADER = ["Email", "Total Amount", "Receive Date"]


def test_the_day_order_is_guessed_from_the_dates_that_only_fit_one_way(ctx):
    day_first = csv_bytes(HEADER, ["a@example.org", "10", "03/11/2024"], ["b@example.org", "10", "25/12/2024"])
    month_first = csv_bytes(HEADER, ["a@example.org", "10", "03/11/2024"], ["b@example.org", "10", "12/25/2024"])
    plan, rows = read(day_first)
    assert plan.habits.day_first is True
    assert [row.received_at.date().isoformat() for row in rows] == ["2024-11-03", "2024-12-25"]
    plan, rows = read(month_first)
    assert plan.habits.day_first is False
    assert [row.received_at.date().isoformat() for row in rows] == ["2024-03-11", "2024-12-25"]


def test_ambiguous_dates_alone_read_month_first_unless_staff_say_otherwise(ctx):
    only_ambiguous = csv_bytes(HEADER, ["a@example.org", "10", "03/11/2024"])
    plan, rows = read(only_ambiguous)
    assert (plan.habits.day_first, rows[0].received_at) == (False, utc(2024, 3, 11, 4))
    plan, rows = read(only_ambiguous, day_first=True)
    assert (plan.habits.day_first, rows[0].received_at) == (True, utc(2024, 11, 3, 4))


def test_a_date_that_contradicts_the_files_order_is_a_row_error(ctx):
    mixed = csv_bytes(HEADER, *[["a@example.org", "10", "25/12/2024"]] * 2, ["b@example.org", "10", "12/25/2024"])
    plan, rows = read(mixed)
    assert (plan.habits.day_first_dates, plan.habits.month_first_dates) == (2, 1)
    assert rows[2].errors == ["Not a date we can read: “12/25/2024” (for example 2024-11-03 or November 3, 2024)."]


def test_a_file_writing_decimals_with_a_point_reads_1_250_as_a_dollar_and_a_quarter(ctx):
    points = csv_bytes(HEADER, ["a@example.org", "50.00", "2024-01-01"], ["b@example.org", "1.250", "2024-01-01"])
    commas = csv_bytes(HEADER, ["a@example.org", "1.250", "2024-01-01"], ["b@example.org", "5", "2024-01-01"])
    assert [row.amount_cents for row in read(points)[1]] == [5000, 125]
    assert [row.amount_cents for row in read(commas)[1]] == [125000, 500]


# --- row errors --------------------------------------------------------------------------------

BAD = [
    ({"Total Amount": ""}, "No amount."),
    ({"Total Amount": "-25.00"}, "The amount “-25.00” is negative: only gifts received are imported."),
    ({"Total Amount": "(25.00)"}, "The amount “(25.00)” is negative: only gifts received are imported."),
    ({"Total Amount": "0.00"}, "The amount is zero."),
    ({"Total Amount": "twenty"}, "Not an amount: “twenty”."),
    ({"Total Amount": "1e6"}, "Not an amount: “1e6”."),
    ({"Total Amount": "NaN"}, "Not an amount: “NaN”."),
    ({"Total Amount": "12.3456"}, "The amount “12.3456” has fractions of a cent."),
    ({"Total Amount": "99999999999999"}, "The amount “99999999999999” is too large."),
    ({"Total Amount": "21474836.48"}, "The amount “21474836.48” is too large."),
    ({"Total Amount": "EUR 10", "Currency": ""}, "Gifts in EUR are not accepted: this charity takes CAD."),
    ({"Currency": "USD"}, "Gifts in USD are not accepted: this charity takes CAD."),
    ({"Currency": "dollars"}, "Unknown currency “dollars” (use a code such as CAD)."),
    ({"Currency": "USD", "Total Amount": "CA$ 10"}, "The amount is in CAD but the currency column says USD."),
    ({"Receive Date": ""}, "No date."),
    ({"Receive Date": "2024-02-30"}, "Not a date we can read: “2024-02-30” (for example 2024-11-03 or November 3,"),
    ({"Receive Date": "soon"}, "Not a date we can read: “soon” (for example 2024-11-03 or November 3, 2024)."),
    ({"Receive Date": "2025-06-02"}, "The date “2025-06-02” is in the future."),
    ({"Receive Date": "1899-12-31"}, "The date “1899-12-31” is before 1900."),
    ({"Receive Date": "2024-11-03 25:00"}, "Not a time we can read: “2024-11-03 25:00”."),
    ({"Receive Date": "2024-11-03 13:00 PM"}, "Not a time we can read: “2024-11-03 13:00 PM”."),
    ({"Contribution Status": "On hold"},
     "Unknown status “On hold” (expected Completed, Refunded, Failed, Pending or Cancelled)."),
    ({"Email": "not-an-email"}, "Not a valid email address: An email address must have an @-sign."),
    ({"Soft Credit To": "a@b@example.org"}, "Not a valid soft credit email address: "),
    ({"Campaign": "x" * 201}, "Campaign is longer than 200 characters."),
    ({"Transaction ID": "t" * 256}, "Payment transaction id is longer than 255 characters."),
]  # fmt: skip
GOOD = {
    "Email": "ana.lima@example.org", "Total Amount": "50.00", "Receive Date": "2024-11-03", "Currency": "CAD",
    "Contribution Status": "Completed", "Soft Credit To": "", "Campaign": "", "Transaction ID": "",
}  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_cells_are_row_errors_with_a_message(ctx, change, message):
    cells = {**GOOD, **change}
    _plan, rows = read(csv_bytes(list(cells), list(cells.values())))
    assert len(rows[0].errors) == 1, rows[0].errors
    assert rows[0].errors[0].startswith(message)


def test_a_row_hears_of_every_problem_at_once_and_blank_lines_are_left_out(ctx):
    header = [*HEADER, "Currency", "Contribution Status"]
    plan, rows = read(csv_bytes(header, ["", "ten", "yesterday", "dollars", "maybe"], ["", "", "", "", ""]))
    assert plan.blank_rows == 1 and len(rows) == 1
    assert rows[0].errors == [
        "No email address.",
        "Not an amount: “ten”.",
        "Unknown currency “dollars” (use a code such as CAD).",
        "Not a date we can read: “yesterday” (for example 2024-11-03 or November 3, 2024).",
        "Unknown status “maybe” (expected Completed, Refunded, Failed, Pending or Cancelled).",
    ]


def test_the_good_row_of_those_is_good(ctx):
    _plan, rows = read(csv_bytes(list(GOOD), list(GOOD.values())))
    assert rows[0].errors == [] and summary(rows[0])[:5] == (
        "ana.lima@example.org", 5000, "cad", utc(2024, 11, 3, 4), "succeeded",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("written", "cents"),
    [("1,250.00", 125000), ("1.250,00", 125000), ("$50", 5000), ("50 $", 5000), ("1\u00a0250,00\u00a0$", 125000),
     ("CA$ 12.50", 1250), ("CAD 7", 700), ("1,250", 125000), ("2,5", 250), ("1'250.00", 125000)],
)  # fmt: skip
def test_amounts_as_exports_write_them(ctx, written, cents):
    _plan, rows = read(csv_bytes(HEADER, ["a@example.org", written, "2024-01-01"]))
    assert (rows[0].errors, rows[0].amount_cents, rows[0].currency) == ([], cents, "cad")


@pytest.mark.parametrize(
    ("written", "moment"),
    [("2024-11-03", utc(2024, 11, 3, 4)), ("November 3, 2024", utc(2024, 11, 3, 4)),
     ("Sunday, November 3, 2024", utc(2024, 11, 3, 4)), ("3 novembre 2024", utc(2024, 11, 3, 4)),
     ("le 1er août 2024", utc(2024, 8, 1, 4)), ("2024-11-03 14:05:00", utc(2024, 11, 3, 19, 5)),
     ("2024-11-03T14:05:00Z", utc(2024, 11, 3, 14, 5)), ("2024-11-03T14:05:00-08:00", utc(2024, 11, 3, 22, 5)),
     ("2024/11/03", utc(2024, 11, 3, 4)), ("3.11.2024", utc(2024, 11, 3, 4)),
     ("Nov. 3, 2024 2:05 PM", utc(2024, 11, 3, 19, 5)), ("20241103", utc(2024, 11, 3, 4)),
     ("20241103140500", utc(2024, 11, 3, 19, 5)), ("11/03/2024 2:05 pm", utc(2024, 11, 3, 19, 5)),
     ("2024-07-01 14h05", utc(2024, 7, 1, 18, 5))],
)  # fmt: skip
def test_dates_as_exports_write_them_in_the_charitys_zone(ctx, written, moment):
    _plan, rows = read(csv_bytes(HEADER, ["a@example.org", "10", written]))
    assert (rows[0].errors, rows[0].received_at) == ([], moment)


def test_the_charitys_zone_is_the_setting(make_app):
    app = make_app(RECEIPT_TIMEZONE="America/Vancouver")
    with app.test_request_context():
        _plan, rows = read(csv_bytes(HEADER, ["a@example.org", "10", "2024-11-03"]))
    assert rows[0].received_at == utc(2024, 11, 3, 7)


def test_statuses_of_every_system_map_to_five(ctx):
    written = {
        "Completed": "succeeded", "complete": "succeeded", "Closed Won": "succeeded", "succeeded": "succeeded",
        "paid": "succeeded", "Terminé": "succeeded", "Refunded": "refunded", "Remboursé": "refunded",
        "Chargeback": "refunded", "Failed": "failed", "Closed Lost": "failed", "Pending": "pending",
        "In Progress": "pending", "Pledged": "pending", "Cancelled": "cancelled", "canceled": "cancelled",
        "Abandoned": "cancelled", "": "succeeded",
    }  # fmt: skip
    header = [*HEADER, "Contribution Status"]
    _plan, rows = read(csv_bytes(header, *[["a@example.org", "10", "2024-01-01", status] for status in written]))
    assert [row.status for row in rows] == list(written.values())
    assert not any(row.errors for row in rows)


# --- keys --------------------------------------------------------------------------------------


def test_a_gift_is_known_by_its_system_and_id(ctx):
    _plan, first = read(DATA / "civicrm_contribution_export.csv")
    _plan, again = read(DATA / "civicrm_contribution_export.csv")
    assert [row.dedupe_key for row in first] == [row.dedupe_key for row in again]
    assert len({row.dedupe_key for row in first}) == len(first)
    # Another system's gift with the same id is another gift.
    plan = GiftPlan([*HEADER, "Contribution ID"], system="givewp", now=NOW)
    other = plan.parse(2, ["marie-eve.tremblay@example.org", "50.00", "2024-11-03 14:22:05", "5001"])
    assert other.dedupe_key != first[0].dedupe_key


def test_without_an_id_a_gift_is_known_by_donor_day_amount_and_method(ctx):
    _plan, labels = read(DATA / "npsp_data_import_labels.csv")
    _plan, api = read(DATA / "npsp_data_import_api.csv")
    # The same two gifts in an export by labels and one by API names: the same keys.
    assert labels[0].dedupe_key == api[0].dedupe_key == labels[0].match_key
    assert labels[-1].dedupe_key == api[-1].dedupe_key
    header = ["Email", "Amount", "Donation Date", "Payment Method"]
    gift = ["Noemie.Levesque@Example.org", "35", "2024-05-09 18:30", "cheque"]  # the address's case, the time
    _plan, rows = read(csv_bytes(header, gift, [*gift[:2], "2024-05-10", "cheque"], [*gift[:3], "cash"]))
    assert rows[0].dedupe_key == labels[0].dedupe_key
    assert len({labels[0].dedupe_key, rows[1].dedupe_key, rows[2].dedupe_key}) == 3


# --- naughty strings ---------------------------------------------------------------------------

TEXT_COLUMNS = {
    "Campaign": "campaign", "Fund": "fund", "Appeal": "appeal", "Source": "source", "Contribution ID": "original_id",
    "Recurring Contribution ID": "recurring_id", "Receipt Number": "receipt_number", "Check Number": "reference",
    "Soft Credit To": "soft_credit_name", "Payment Method": "method_label",
}  # fmt: skip
TYPED_COLUMNS = [
    "Email", "First Name", "Last Name", "Country", "Total Amount", "Receive Date", "Donation Time", "Currency",
    "Contribution Status", "Soft Credit Email", "Payment Gateway", "Recurring",
]  # fmt: skip
BASE = {
    "Email": "blns@example.org", "First Name": "Ana", "Last Name": "Lima", "Country": "CA", "Total Amount": "10",
    "Receive Date": "2024-01-01", "Donation Time": "", "Currency": "", "Contribution Status": "",
    "Soft Credit Email": "", "Payment Gateway": "", "Recurring": "", **dict.fromkeys(TEXT_COLUMNS, ""),
}  # fmt: skip


@pytest.mark.parametrize("column", [*TEXT_COLUMNS, *TYPED_COLUMNS])
def test_every_naughty_string_in_every_column_is_text_or_a_row_error(ctx, column):
    rows_in = [[*{**BASE, column: value}.values()] for value in STRINGS]
    _plan, rows = read(csv_bytes(list(BASE), *rows_in))
    by_number = {row.number: row for row in rows}
    kept = 0
    for number, value in enumerate(STRINGS, start=2):
        row = by_number[number]
        assert all(isinstance(error, str) and error for error in row.errors)
        if row.errors:
            continue
        kept += 1
        assert row.amount_cents > 0 and row.received_at.tzinfo is UTC and row.currency == "cad"
        assert row.status in ("succeeded", "refunded", "failed", "pending", "cancelled")
        if column in TEXT_COLUMNS and not (column == "Soft Credit To" and "@" in value):
            assert getattr(row, TEXT_COLUMNS[column]) == " ".join(value.replace("\x00", "").split())
    if column in TEXT_COLUMNS or column in ("First Name", "Last Name"):
        assert kept > 0.9 * len(STRINGS), "a naughty string is still text"

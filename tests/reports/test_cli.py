"""`flask reports list` and `flask reports export`: the issue's JSON keys, formula-safe CSV, audited."""

import csv
import io
import json
from datetime import UTC, datetime

from crm.audit import AuditEvent
from crm.extensions import db
from crm.reports.exporting import REPORT_NAMES
from crm.reports.retention import JSON_KEYS
from tests import factories


def _history(app):
    with app.app_context():
        factories.gift("kept@example.org", 5000, datetime(2024, 5, 1, tzinfo=UTC))
        factories.gift("kept@example.org", 6000, datetime(2025, 5, 1, tzinfo=UTC))
        factories.gift("gone@example.org", 3000, datetime(2025, 5, 1, tzinfo=UTC), first_name="=HYPERLINK(1)")
        db.session.commit()


def test_list_names_every_report(runner):
    result = runner.invoke(args=["reports", "list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(REPORT_NAMES)
    assert "rfm        not built yet" in result.output


def test_retention_json_has_exactly_the_issues_keys(app, runner):
    _history(app)
    result = runner.invoke(args=["reports", "export", "retention", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, repr(result.exception)
    figures = json.loads(result.output)
    assert list(figures) == list(JSON_KEYS)
    assert (figures["donors"], figures["retained"], figures["new"], figures["total_cents"]) == (2, 1, 1, 9000)
    assert figures["retention_rate"] == 1.0 and figures["repeat_donor_retention_rate"] is None
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="export", target_type="report"))
        assert event.actor_id is None and event.changes["report"] == "retention" and event.changes["year"] == 2025


def test_retention_csv_is_the_five_years(app, runner, tmp_path):
    _history(app)
    out = tmp_path / "retention.csv"
    result = runner.invoke(args=["reports", "export", "retention", "--year", "2025", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [row["year"] for row in rows] == ["2021", "2022", "2023", "2024", "2025"]
    assert rows[-1]["net_cents"] == "4000" and rows[0]["retention_rate"] == ""


def test_lybunt_json_lists_people_with_their_email_and_csv_is_formula_safe(app, runner):
    _history(app)
    result = runner.invoke(args=["reports", "export", "lybunt", "--year", "2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert sorted(person["email"] for person in listed) == ["gone@example.org", "kept@example.org"]
    assert {person["prior_total_cents"] for person in listed} == {6000, 3000}
    text = runner.invoke(args=["reports", "export", "lybunt", "--year", "2026", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row["first_name"] for row in rows} == {"", "'=HYPERLINK(1)"}
    assert {row["currency"] for row in rows} == {"cad"} and {row["may_email_appeal"] for row in rows} == {"false"}
    sybunt = runner.invoke(args=["reports", "export", "sybunt", "--year", "2026", "--format", "json"])
    assert sybunt.exit_code == 0 and json.loads(sybunt.output) == []


def test_reports_not_built_yet_say_so(runner):
    result = runner.invoke(args=["reports", "export", "rfm"])
    assert result.exit_code == 2 and "not built yet" in result.output


def test_civicrm_convention_counts_calendar_years_and_sybunt_includes_last_year(app, runner):
    _history(app)
    with app.app_context():
        factories.gift("old@example.org", 700, datetime(2021, 1, 10, tzinfo=UTC))
        db.session.commit()
    args = ["reports", "export", "sybunt", "--year", "2026", "--format", "json"]
    fep = json.loads(runner.invoke(args=args).output)
    civicrm = json.loads(runner.invoke(args=[*args, "--convention", "civicrm"]).output)
    assert [p["email"] for p in fep] == ["old@example.org"]
    assert {p["email"] for p in civicrm} == {"old@example.org", "kept@example.org", "gone@example.org"}


def test_a_fiscal_year_start_that_is_no_date_is_a_clear_error(make_app):
    runner = make_app(FISCAL_YEAR_START="13-40").test_cli_runner()
    result = runner.invoke(args=["reports", "export", "retention", "--format", "json"])
    assert result.exit_code == 1 and "FISCAL_YEAR_START must be MM-DD" in result.output

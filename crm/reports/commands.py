"""`flask reports list` and `flask reports export NAME`: the reports from the command line."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from crm.audit import record_audit
from crm.extensions import db
from crm.reports.exporting import BUILT, DESCRIPTIONS, REPORT_NAMES, build_report, default_year, to_csv, to_json
from crm.reports.years import YearError, rule_from_config
from crm.utc import utcnow

reports_cli = AppGroup("reports", help="Marketing reports: retention, lapsed donors and more.")
NOT_BUILT = 2  # the exit code of a report named by the issue that does not exist yet


@reports_cli.command("list")
def list_command():
    """Name the reports, and say which are built."""
    for name in REPORT_NAMES:
        click.echo(f"{name:<10} {DESCRIPTIONS.get(name, 'not built yet')}")


@reports_cli.command("export")
@click.argument("name", type=click.Choice(REPORT_NAMES))
@click.option("--year", type=click.IntRange(1900, 9999), help="Fiscal year, named by the year it ends in.")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option(
    "--convention",
    type=click.Choice(("fep", "civicrm")),
    default="fep",
    show_default=True,
    help="civicrm: calendar years, and SYBUNT includes last year's donors, as CiviCRM's reports do.",
)
def export_command(name, year, fmt, output, convention):
    """Export report NAME for one year (retention: the last year ended; lybunt, sybunt: this year)."""
    if name not in BUILT:
        click.echo(f"The {name} report is not built yet.", err=True)
        sys.exit(NOT_BUILT)
    config = current_app.config
    try:
        rule = rule_from_config(config, calendar=convention == "civicrm")
    except YearError as error:
        raise click.ClickException(str(error)) from error
    now = utcnow()
    year = year or default_year(name, rule, now)
    built = build_report(name, year=year, rule=rule, currency=config["CURRENCY"], now=now, convention=convention)
    text = to_json(built) if fmt == "json" else to_csv(built.table)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    changes = {"report": name, "year": year, "format": fmt, "convention": convention, "rows": len(built.table)}
    record_audit(None, "export", "report", None, changes, now=now)
    db.session.commit()

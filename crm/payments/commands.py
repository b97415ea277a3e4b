"""`flask payments ...`: reconcile with Stripe, and issue annual receipts; `flask donations import`."""

import click
from flask import current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.import_cli import import_file_options, write_error_report
from crm.money import from_cents
from crm.payments.services.gift_import import ImportProblem, import_gifts
from crm.payments.services.receipts import issue_annual_receipts
from crm.payments.services.reconcile import reconcile

payments_cli = AppGroup("payments", help="Gifts, Stripe and receipts.")
donations_cli = AppGroup("donations", help="Gift history from other systems.")


@payments_cli.command("reconcile")
@click.option("--days", default=3, show_default=True, type=click.IntRange(1, 90), help="How far back to read.")
def reconcile_command(days):
    """Read recent PaymentIntents and invoices from Stripe and repair what the database missed."""
    changes = reconcile(days=days)
    db.session.commit()
    for line in changes:
        click.echo(line)
    click.echo(f"{len(changes)} change(s).")


@payments_cli.command("annual-receipts")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="The calendar year to receipt.")
def annual_receipts_command(year):
    """Issue one consolidated receipt per monthly donor for the year."""
    # Commit each receipt as it is issued: a long run must not hold the year's serial counter.
    receipts = issue_annual_receipts(year, each=lambda receipt: db.session.commit())
    db.session.commit()
    for receipt in receipts:
        amount = f"{from_cents(receipt.eligible_cents)} {receipt.currency.upper()}"
        click.echo(f"{receipt.serial} {receipt.donor_name} {amount}")
    click.echo(f"{len(receipts)} receipt(s) issued.")


def _print_summary(file, result, saved=True):
    would = "" if saved else "would be "
    click.echo(f"{'Imported' if saved else 'Dry run of'} {file} ({result.system}):")
    click.echo(f"  rows read: {result.total_rows}")
    click.echo(f"  new gifts {would}added: {result.new}")
    click.echo(f"  already known: {result.known}")
    click.echo(f"  {would}updated (status changed): {result.updated}")
    click.echo(f"  rejected: {result.rejected}")
    click.echo(f"  people {would}created: {result.people_new}, already known: {result.people_known}")
    if result.new_campaigns or result.new_designations:
        click.echo(f"  new campaigns: {len(result.new_campaigns)}, new funds: {len(result.new_designations)}")
    if saved:
        click.echo(f"  implied consents recorded: {result.consents}")
    click.echo(f"  blank lines skipped: {result.blank}")


@donations_cli.command("import")
@import_file_options(
    dry_run_help="Check every row and print the counts; save nothing.",
    source_help="The system the file came from, when it cannot be told from its columns.",
)
@click.option("--create-campaigns", is_flag=True, help="Create the campaigns and funds not known yet.")
def import_donations_command(file, dry_run, source, errors_path, create_campaigns):
    """Import the gift history in the CSV FILE (CiviCRM, Salesforce NPSP, GiveWP, Donorbox, CanadaHelps)."""
    # Each chunk of gifts is committed as it is written: a failure later keeps what was saved.
    done = []

    def each_chunk(result):
        if not dry_run:
            db.session.commit()
        done.append(result.new)

    try:
        result = import_gifts(
            file.read_bytes(),
            filename=file.name,
            source=source,
            dry_run=dry_run,
            create_campaigns=create_campaigns,
            each_chunk=each_chunk,
        )
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except ImportProblem as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("gift import of %s failed", file)
        saved = done[-1] if done and not dry_run else 0
        raise click.ClickException(
            f"The import stopped ({error}); the {saved} new gift(s) saved before it stay saved. "
            "Import the file again to add the rest: the gifts already saved are recognised."
        ) from error
    _print_summary(file, result, saved=not dry_run)
    write_error_report(file, errors_path, result.report, result.rejected)

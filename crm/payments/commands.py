"""`flask payments ...`: reconcile with Stripe, and issue annual receipts."""

import click
from flask.cli import AppGroup

from crm.extensions import db
from crm.money import from_cents
from crm.payments.services.receipts import issue_annual_receipts
from crm.payments.services.reconcile import reconcile

payments_cli = AppGroup("payments", help="Gifts, Stripe and receipts.")


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

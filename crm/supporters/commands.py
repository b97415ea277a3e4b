"""`flask supporters ...`: import supporters from a CSV file on the command line."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.import_cli import import_file_options, write_error_report
from crm.supporters.services import SupporterError
from crm.supporters.services.imports import check_import, fail_import, open_file_import, run_import

supporters_cli = AppGroup("supporters", help="Manage supporter records.")


def _mapping(value):
    if value == "auto":
        return None
    try:
        mapping = json.loads(Path(value).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"{value}: {error}", param_hint="--mapping") from error
    if not isinstance(mapping, dict):
        raise click.BadParameter('a JSON object {"column header": "field"}', param_hint="--mapping")
    return mapping


@supporters_cli.command("import")
@import_file_options(
    dry_run_help="Check every row and print the counts; write no supporter.",
    source_help="Source of new supporters when the file has no source column.",
)
@click.option("--mapping", default="auto", show_default=True, help='"auto", or a JSON file {"column header": "field"}.')
def import_command(file, dry_run, source, errors_path, mapping):
    """Import supporters from the CSV FILE (UTF-8 or Windows-1252; comma, semicolon or tab)."""
    try:
        batch = open_file_import(file, source=source, mapping=_mapping(mapping))
        db.session.commit()
    except SupporterError as error:
        raise click.ClickException(str(error)) from error
    batch_id = batch.id
    try:
        counts = check_import(batch) if dry_run else run_import(batch)
        db.session.commit()
    except SupporterError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("supporter import %s failed", batch_id)
        fail_import(batch_id, f"{type(error).__name__}: {error}")
        db.session.commit()
        raise click.ClickException(f"The import failed and was rolled back: nothing was imported ({error}).") from error
    verb = ("would create", "would update") if dry_run else ("created", "updated")
    click.echo(f"{'Dry run of' if dry_run else 'Imported'} {file} (batch {batch_id}):")
    click.echo(f"  rows read: {counts.total_rows}")
    click.echo(f"  {verb[0]}: {counts.created}")
    click.echo(f"  {verb[1]}: {counts.updated}")
    click.echo(f"  merged with an earlier row (same email): {counts.merged}")
    click.echo(f"  blank lines skipped: {counts.skipped}")
    click.echo(f"  rows with errors: {counts.errors}")
    write_error_report(file, errors_path, batch.error_report, counts.errors)

"""`flask supporters ...`: import supporters from a CSV file on the command line."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from crm.exports import BOM
from crm.extensions import db
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
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", default="auto", show_default=True, help='"auto", or a JSON file {"column header": "field"}.')
@click.option("--dry-run", is_flag=True, help="Check every row and print the counts; write no supporter.")
@click.option("--source", default="", help="Source of new supporters when the file has no source column.")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the error report (default FILE.errors.csv).",
)
def import_command(file, mapping, dry_run, source, errors_path):
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
    if counts.errors:
        target = errors_path or file.with_name(file.name + ".errors.csv")
        target.write_text(BOM + batch.error_report, encoding="utf-8")
        click.echo(f"Error report: {target}")
    else:
        click.echo("No errors.")

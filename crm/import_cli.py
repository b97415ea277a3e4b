"""What the file import commands share (`flask supporters import`, `flask donations import`).

The same FILE argument and --dry-run, --source and --errors options, and the same error report:
written beside the file (FILE.errors.csv) unless --errors names another place.
"""

from pathlib import Path

import click

from crm.exports import BOM


def import_file_options(dry_run_help, source_help):
    """Decorate an import command with FILE, --dry-run, --source and --errors (as `errors_path`)."""

    def decorate(command):
        for option in reversed(
            (
                click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
                click.option("--dry-run", is_flag=True, help=dry_run_help),
                click.option("--source", default="", help=source_help),
                click.option(
                    "--errors",
                    "errors_path",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Where to write the error report (default FILE.errors.csv).",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


def write_error_report(file, errors_path, report, has_errors):
    """Write the error report CSV (UTF-8 with a BOM, for spreadsheets) and say where; or say there were none."""
    if not has_errors:
        click.echo("No errors.")
        return
    target = errors_path or file.with_name(file.name + ".errors.csv")
    target.write_text(BOM + report, encoding="utf-8")
    click.echo(f"Error report: {target}")

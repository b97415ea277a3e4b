"""`flask mail send-due` (one pass) and `flask mail worker` (a loop)."""

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from crm.extensions import db
from crm.mail.services.delivery import send_due, worker_name
from crm.mail.services.sequences import advance_sequences

mail_cli = AppGroup("mail", help="Send the emails in the outbox.")


def _report(result):
    return (
        f"claimed {result.claimed}, sent {result.sent}, retried {result.retried}, "
        f"failed {result.failed}, skipped {result.skipped}"
    )


@mail_cli.command("send-due")
@click.option("--limit", type=int, default=None, help="Most messages per batch (MAIL_BATCH_SIZE).")
def send_due_command(limit):
    """Send every message that is due, then exit."""
    limit = limit or current_app.config["MAIL_BATCH_SIZE"]
    worker = worker_name()
    advance_sequences()
    db.session.commit()
    while True:
        result = send_due(limit=limit, worker=worker)
        if result.claimed:
            click.echo(_report(result))
        if result.claimed < limit:
            break


@mail_cli.command("worker")
@click.option("--poll", type=float, default=5.0, show_default=True, help="Seconds to wait when nothing is due.")
def worker_command(poll):
    """Send due messages and advance sequences until stopped (SIGTERM or Ctrl-C)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    worker = worker_name()
    limit = current_app.config["MAIL_BATCH_SIZE"]
    click.echo(f"mail worker {worker} started")
    try:
        while not stopping:
            advance_sequences()
            db.session.commit()
            result = send_due(limit=limit, worker=worker)
            if result.claimed:
                click.echo(_report(result))
            else:
                time.sleep(poll)
    except KeyboardInterrupt:
        pass
    click.echo("mail worker stopped")

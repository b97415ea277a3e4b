"""Worker processes: a killed worker's rows are sent after its lease, and two workers never send twice."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.outbox import enqueue_email
from crm.utc import utcnow

ROOT = Path(__file__).resolve().parents[2]


def worker_env(app, smtp_sink, **extra):
    env = {
        **os.environ,
        "FLASK_APP": "app.py",
        "FLASK_DEBUG": "1",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": smtp_sink.host,
        "MAIL_PORT": str(smtp_sink.port),
        "BASE_URL": "https://crm.example",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def flask(*args, env):
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def queue_notifications(count):
    for n in range(count):
        context = {"sender_name": f"Sender {n}", "sender_email": "s@example.org", "details": ""}
        enqueue_email(f"note:{n}", "events_notify", f"team{n}@example.org", purpose="internal", context=context)
    db.session.commit()


def test_rows_of_a_killed_worker_are_sent_after_the_lease_and_none_twice(app, ctx, smtp_sink):
    queue_notifications(30)
    env = worker_env(app, smtp_sink, MAIL_RATE_PER_MINUTE=300, MAIL_LEASE_SECONDS=2, MAIL_BATCH_SIZE=100)
    worker = flask("mail", "worker", "--poll", "0.2", env=env)
    try:
        smtp_sink.wait_for(8, timeout=60)
        time.sleep(0.05)  # between two sends: the worker paces itself at 5 a second
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=10)
    sent_before = len(smtp_sink.messages)
    assert 8 <= sent_before < 30
    db.session.expire_all()
    stranded = db.session.scalars(db.select(OutboundEmail).filter_by(status="sending")).all()
    assert len(stranded) == 30 - sent_before, "the dead worker's claimed rows wait for their lease"
    assert send_due(now=utcnow()).claimed == 0, "not before the lease runs out"

    result = send_due(now=utcnow() + timedelta(seconds=3))
    assert result.sent == 30 - sent_before
    recipients = sorted(address for envelope in smtp_sink.messages for address in envelope.rcpt_tos)
    assert recipients == sorted(f"team{n}@example.org" for n in range(30))


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="concurrent workers need PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite is for one worker in development",
)
def test_two_workers_at_once_send_each_of_500_messages_exactly_once(app, ctx, smtp_sink):
    queue_notifications(500)
    # Paced at 100 a second each, so the two overlap for several seconds.
    env = worker_env(app, smtp_sink, MAIL_RATE_PER_MINUTE=6000, MAIL_BATCH_SIZE=25)
    workers = [flask("mail", "send-due", env=env) for _ in range(2)]
    outputs = [w.communicate(timeout=300)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert all("sent" in output for output in outputs), outputs
    recipients = sorted(address for envelope in smtp_sink.messages for address in envelope.rcpt_tos)
    assert recipients == sorted(f"team{n}@example.org" for n in range(500))
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).where(OutboundEmail.status == "sent")) == 500

"""Mail throughput: messages per second to a local aiosmtpd sink, one reused connection per batch
against one connection per message, side by side in one run.

    .venv/bin/python bench/mail.py --messages 2000

The sink runs in its own process (scripts/smtp_sink.py --quiet), the database is a fresh SQLite
file (or a new PostgreSQL database on the server --database-url names, dropped afterwards), and
the worker code is the real one (crm.mail.services.delivery).
"""

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from crm import create_app  # noqa: E402
from crm.config import TestConfig  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.mail.models import OutboundEmail  # noqa: E402
from crm.mail.services import delivery  # noqa: E402
from crm.mail.services.outbox import enqueue_email  # noqa: E402
from tests.databases import temporary_database  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port):
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP sink did not start")


def queue(count, prefix):
    for n in range(count):
        context = {"sender_name": f"Sender {n}", "sender_email": "s@example.org", "details": "Topic: test"}
        enqueue_email(f"{prefix}:{n}", "events_notify", f"team{n}@example.org", purpose="internal", context=context)
    db.session.commit()


def run(count, prefix, reuse):
    queue(count, prefix)
    original = delivery.SmtpConnection.send

    def one_connection_each(self, message):
        try:
            return original(self, message)
        finally:
            self.quit()

    if not reuse:
        delivery.SmtpConnection.send = one_connection_each
    try:
        started = time.perf_counter()
        sent = 0
        while True:
            result = delivery.send_due(limit=500)
            sent += result.sent
            if result.claimed == 0:
                break
        elapsed = time.perf_counter() - started
    finally:
        delivery.SmtpConnection.send = original
    assert sent == count, f"sent {sent} of {count}"
    return count / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "smtp_sink.py"), "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        with tempfile.TemporaryDirectory() as tmp, temporary_database(Path(tmp), args.database_url, "crm_bench") as url:
            config = TestConfig(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RATE_PER_MINUTE=0)
            app = create_app(config)
            with app.app_context():
                upgrade()
                db.session.execute(db.delete(OutboundEmail))
                db.session.commit()
                reused = run(args.messages, "reuse", reuse=True)
                separate = run(args.messages, "separate", reuse=False)
                db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    engine = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{args.messages} messages per run, {engine}, sink in its own process")
    print(f"{'one connection per batch':<28}{reused:>10.0f} messages/s")
    print(f"{'one connection per message':<28}{separate:>10.0f} messages/s")
    print(f"{'ratio':<28}{reused / separate:>10.2f} x")


if __name__ == "__main__":
    main()

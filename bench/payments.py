"""Payments throughput: official receipts issued per second against the PDF render alone, and Stripe
webhook deliveries per second for new events against duplicates of one event, side by side in one run.

    .venv/bin/python bench/payments.py
    .venv/bin/python bench/payments.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The database is a fresh SQLite file (or a new PostgreSQL database on the server --database-url
names, dropped afterwards), migrated with the real migrations; the code is the real one:
issue_receipt (serial, PDF, stored row) with a commit per receipt, and the webhook view through the
Flask test client (signature check, record_stripe_event, commit). On PostgreSQL the receipts are
also issued by several threads at once, each with its own app context and session, and the
serials are checked to have no gap and no duplicate.
"""

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from crm import create_app  # noqa: E402
from crm.config import TestConfig  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.payments.models import Donation, Receipt, ReceiptCounter, StripeEvent  # noqa: E402
from crm.payments.receipt_pdf import build_receipt_pdf  # noqa: E402
from crm.payments.services.receipts import _charity, issue_receipt, receipt_zone  # noqa: E402
from crm.supporters.models import Supporter  # noqa: E402
from tests.databases import temporary_database  # noqa: E402
from tests.payments.helpers import WEBHOOK_URL, event_payload, sign  # noqa: E402

WHEN = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)  # every receipt falls in 2026: one serial counter
FIRST = ["Élise", "Jean-François", "Zoë", "Mohammed", "Nguyễn", "Siobhan", "Aïcha", "Björn"]
LAST = ["Côté", "O'Brien", "Bélanger-Nguyen", "Tremblay", "Wong", "Fraser-Thériault"]


def make_gifts(count, batch):
    """Add `count` succeeded one-time gifts, each of its own donor, as the webhook leaves them; return their ids."""
    gifts = []
    for n in range(count):
        first, last, language = FIRST[n % len(FIRST)], LAST[n % len(LAST)], "fr" if n % 2 else "en"
        supporter = Supporter(
            email=f"donor{batch}.{n}@example.org", first_name=first, last_name=last, language=language
        )
        gift = Donation(
            supporter=supporter,
            amount_cents=2_500 + 100 * (n % 50),
            currency="cad",
            kind="one_time",
            status="succeeded",
            first_name=first,
            last_name=last,
            email=supporter.email,
            address_line1=f"{n + 1} rue Saint-Denis",
            city="Montréal",
            region="QC",
            postal_code="H2X 3K2",
            language=language,
            created_at=WHEN,
            succeeded_at=WHEN,
        )
        db.session.add(gift)
        gifts.append(gift)
    db.session.commit()
    return [gift.id for gift in gifts]


def issue_one(donation_id):
    issue_receipt([db.session.get(Donation, donation_id)], now=WHEN)
    db.session.commit()


def issue_serially(ids):
    """Issue each gift's receipt in turn, one commit each; return receipts per second."""
    started = time.perf_counter()
    for donation_id in ids:
        issue_one(donation_id)
    return len(ids) / (time.perf_counter() - started)


def issue_in_threads(app, ids, threads):
    """Issue the gifts' receipts from `threads` threads at once, each its own session; return receipts per second."""
    todo = queue.SimpleQueue()
    for donation_id in ids:
        todo.put(donation_id)
    errors = []
    start = threading.Barrier(threads + 1)

    def worker():
        with app.app_context():
            db.session.execute(db.select(1))  # connect before the clock starts
            start.wait(timeout=60)
            try:
                while True:
                    try:
                        donation_id = todo.get_nowait()
                    except queue.Empty:
                        return
                    issue_one(donation_id)
            except Exception as error:  # reported after the run
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    start.wait(timeout=60)
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} thread errors, the first: {errors[0]!r}")
    return len(ids) / elapsed


def check_gapless(count):
    """Fail unless the year's receipts are numbered 1..count, each serial once, and the counter agrees."""
    numbers = sorted(db.session.scalars(db.select(Receipt.number).filter_by(year=WHEN.year)).all())
    serials = set(db.session.scalars(db.select(Receipt.serial)).all())
    last = db.session.get(ReceiptCounter, WHEN.year).last_number
    if numbers != list(range(1, count + 1)) or len(serials) != count or last != count:
        raise SystemExit(f"serials are not gapless: {len(numbers)} numbers, {len(serials)} serials, counter {last}")
    return True


def render_alone(receipts):
    """Render the issued receipts' PDFs again, nothing else; return PDFs per second."""
    charity, territory, zone = _charity(), current_app.config["MONEY_TERRITORY"], receipt_zone()
    started = time.perf_counter()
    pdfs = [build_receipt_pdf(receipt, charity, territory, zone) for receipt in receipts]
    elapsed = time.perf_counter() - started
    # The render is deterministic: the bytes must be those frozen at issue.
    if any(pdf != receipt.pdf for pdf, receipt in zip(pdfs, receipts, strict=True)):
        raise SystemExit("a re-rendered PDF differs from the stored one")
    return len(receipts) / elapsed


def post_all(client, deliveries):
    """POST each (payload, signature) to the webhook; return deliveries per second."""
    started = time.perf_counter()
    for payload, signature in deliveries:
        response = client.post(
            WEBHOOK_URL, data=payload, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}
        )
        if response.status_code != 200:
            raise SystemExit(f"webhook answered {response.status_code}: {response.get_data(as_text=True)}")
    return len(deliveries) / (time.perf_counter() - started)


def webhook_run(app, count):
    """Time `count` new events of an ignored type against `count` deliveries of one event; return both rates."""
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    client = app.test_client()

    def delivery(event_id, n):
        payload = event_payload(event_id, "customer.created", {"id": f"cus_bench{n}", "object": "customer"})
        return payload, sign(payload, secret)

    fresh = [delivery(f"evt_bench_new_{n}", n) for n in range(count)]
    duplicate = delivery("evt_bench_duplicate", 0)
    post_all(client, [duplicate])  # stored once, before the clock starts
    new_rate = post_all(client, fresh)
    duplicate_rate = post_all(client, [duplicate] * count)
    with app.app_context():
        stored = db.session.scalar(db.select(db.func.count()).select_from(StripeEvent))
    if stored != count + 1:
        raise SystemExit(f"{stored} events stored, expected {count + 1}")
    return new_rate, duplicate_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=150)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4, help="issuing threads at once (PostgreSQL only)")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    postgres = args.database_url.startswith("postgresql")
    load = f"{os.getloadavg()[0]:.1f}"

    with tempfile.TemporaryDirectory() as tmp, temporary_database(Path(tmp), args.database_url, "crm_bench") as url:
        engine_options = {"pool_pre_ping": True, "pool_size": args.threads + 2, "max_overflow": 0}
        app = create_app(TestConfig(url, MEDIA_ROOT=tmp, SQLALCHEMY_ENGINE_OPTIONS=engine_options))
        with app.app_context():
            upgrade()
            issue_serially(make_gifts(1, "warm-up"))  # loads fonts, locale data and statements once
            one_thread = issue_serially(make_gifts(args.receipts, "serial"))
            receipts = db.session.scalars(db.select(Receipt).where(Receipt.number > 1).order_by(Receipt.id)).all()
            size = sum(len(receipt.pdf) for receipt in receipts) / len(receipts)
            rendered = render_alone(receipts)
            check_gapless(1 + args.receipts)
            threaded = None
            if postgres:
                ids = make_gifts(args.receipts, "threads")
                db.session.remove()
                threaded = issue_in_threads(app, ids, args.threads)
                check_gapless(1 + 2 * args.receipts)
            db.session.remove()
        new_rate, duplicate_rate = webhook_run(app, args.events)
        with app.app_context():
            db.engine.dispose()

    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"{engine}; load average before {load}, after {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    print(f"{args.receipts} receipts per run, mean PDF {size:,.0f} bytes; {args.events} webhook deliveries per run")
    rows = [("receipts issued, 1 thread (serial, PDF, row, commit)", one_thread, one_thread)]
    rows.append(("PDF render alone", rendered, one_thread))
    if threaded is not None:
        rows.append((f"receipts issued, {args.threads} threads at once (serials gapless)", threaded, one_thread))
    rows.append(("webhook, new event (customer.created, stored)", new_rate, new_rate))
    rows.append(("webhook, duplicate delivery of one event", duplicate_rate, new_rate))
    print("| measure | per second | ms each | ratio |")
    print("|---|---:|---:|---:|")
    for name, rate, base in rows:
        print(f"| {name} | {rate:,.1f} | {1000 / rate:.2f} | {rate / base:.2f}x |")
    print(f"serial, row and commit alone: about {1000 / one_thread - 1000 / rendered:.1f} ms per receipt")


if __name__ == "__main__":
    main()

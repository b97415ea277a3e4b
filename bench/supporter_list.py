"""Time the staff supporter list at scale, next to a bare Flask handler in the same run.

    .venv/bin/python bench/supporter_list.py --rows 200000
    .venv/bin/python bench/supporter_list.py --rows 200000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Fills a fresh SQLite file (and a fresh PostgreSQL database when --database-url or TEST_DATABASE_URL
names a server) through the real migrations, with bulk inserts (SQLAlchemy Core, lists of dicts),
then requests the list page with Flask's test client as a signed-in staff user and prints the
median milliseconds per request, and the ratio to a handler that returns a constant string.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from crm import create_app  # noqa: E402
from crm.accounts.services import create_user  # noqa: E402
from crm.config import TestConfig  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.supporters.models import ConsentRecord, Supporter, Tag, supporter_tags  # noqa: E402
from crm.supporters.models.people import fold, phone_key, postal_key  # noqa: E402
from tests.databases import temporary_database  # noqa: E402

FIRST = ["Élise", "Marie", "Jean", "Luc", "Amélie", "Noah", "Olivia", "Liam", "Chloé", "Gabriel", "Zoé", "Thomas"]
FIRST += ["Emma", "William", "Léa", "Félix", "Ava", "Samuel", "Maëlle", "Jacob", "Aiko", "Priya", "Omar", "Ngozi"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné", "Smith"]
LAST += ["Brown", "Wilson", "MacDonald", "Campbell", "Anderson", "Leblanc", "Pelletier", "Bélanger", "Lévesque"]
LAST += ["Nguyen", "Singh", "Wong", "Chen", "O'Brien", "Martin", "Thompson", "Bergeron", "Ouellet", "Girard"]
SOURCES = ["newsletter-form", "fundraiser-interest", "media-inquiry", "events-inquiry", "import", "gala-2025", ""]
CITIES = [
    ("Montréal", "QC", "H2X 1Y4"),
    ("Toronto", "ON", "M5V 2T6"),
    ("Ottawa", "ON", "K1P 5J2"),
    ("Halifax", "NS", ""),
]
TAGS = [f"tag-{n:02d}" for n in range(20)] + ["Volunteer", "Major donor", "Board", "Media contact", "Bénévole"]
WORDING = "Yes, email me news and updates about protecting children online. I can unsubscribe at any time."
CHUNK = 10_000
PASSWORD = secrets.token_urlsafe(24)


def supporter_rows(count, rng, start):
    for n in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, region, postal = rng.choice(CITIES)
        phone = f"514-555-{n % 10_000:04d}" if n % 3 else ""
        created = start + timedelta(seconds=n * 600 + rng.randrange(600))
        yield {
            "id": n,
            "email": f"{fold(first)}.{fold(last).replace(' ', '')}.{n}@example.org".replace("'", ""),
            "first_name": first,
            "last_name": last,
            "phone": phone,
            "organization": "",
            "address_line1": f"{n} rue Principale" if n % 2 else "",
            "address_line2": "",
            "city": city,
            "region": region,
            "postal_code": postal,
            "country": "CA",
            "language": "fr" if n % 10 < 3 else "en",
            "source": rng.choice(SOURCES),
            # Derived keys, exactly as Supporter.refresh_keys computes them.
            "search_name": fold(f"{first} {last}")[:210],
            "postal_key": postal_key(postal),
            "phone_key": phone_key(phone),
            "created_at": created,
            "updated_at": created,
        }


def consent_rows(count, rng, start):
    for n in range(1, count + 1):
        given = start + timedelta(seconds=n * 600 + 60)
        roll = rng.random()
        if roll < 0.55:
            yield _grant(n, "newsletter", "express", given, None)
            if rng.random() < 0.15:
                yield _withdraw(n, "newsletter", given + timedelta(days=rng.randrange(1, 400)))
        elif roll < 0.75:
            yield _grant(n, "all", "implied_gift", given, given + timedelta(days=730))
        elif roll < 0.80:
            yield _withdraw(n, "all", given)


def _grant(supporter_id, purpose, basis, when, expires):
    return {
        "supporter_id": supporter_id,
        "purpose": purpose,
        "action": "grant",
        "basis": basis,
        "wording": WORDING if basis == "express" else "",
        "wording_version": "2026-11-v1" if basis == "express" else "",
        "form": "newsletter",
        "language": "en",
        "ip_address": "203.0.113.7",
        "user_agent": "",
        "reference": "",
        "created_at": when,
        "expires_at": expires,
    }


def _withdraw(supporter_id, purpose, when):
    return {
        "supporter_id": supporter_id,
        "purpose": purpose,
        "action": "withdraw",
        "basis": None,
        "wording": "",
        "wording_version": "",
        "form": "unsubscribe",
        "language": "en",
        "ip_address": "",
        "user_agent": "",
        "reference": "",
        "created_at": when,
        "expires_at": None,
    }


def tag_rows(count, rng, tag_ids):
    for n in range(1, count + 1):
        if rng.random() < 0.35:
            for tag_id in rng.sample(tag_ids, rng.choice((1, 1, 2, 3))):
                yield {"supporter_id": n, "tag_id": tag_id}


def insert_in_chunks(table, rows):
    chunk = []
    total = 0
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            db.session.execute(insert(table), chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(table), chunk)
        total += len(chunk)
    return total


def fill(app, rows, seed=20261129):
    """Fill the database with `rows` supporters, their consent records and tags; return the staff user."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(seconds=rows * 600 + 86_400)
    with app.app_context():
        began = time.perf_counter()
        insert_in_chunks(Supporter.__table__, supporter_rows(rows, rng, start))
        db.session.execute(insert(Tag.__table__), [{"id": n, "name": name} for n, name in enumerate(TAGS, 1)])
        links = insert_in_chunks(supporter_tags, tag_rows(rows, rng, list(range(1, len(TAGS) + 1))))
        consents = insert_in_chunks(ConsentRecord.__table__, consent_rows(rows, rng, start))
        user = create_user("bench-staff@example.org", PASSWORD, role="staff")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Identity sequences do not move with explicit ids; the app inserts after us.
            with db.engine.begin() as conn:
                conn.execute(text("SELECT setval(pg_get_serial_sequence('supporters', 'id'), :n)"), {"n": rows})
                conn.execute(text("SELECT setval(pg_get_serial_sequence('tags', 'id'), :n)"), {"n": len(TAGS)})
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        print(
            f"  filled {rows:,} supporters, {consents:,} consent records, {links:,} tag links "
            f"in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        return user.session_token


CASES = [
    ("bare Flask handler (constant string)", "/bench/bare"),
    ("first page", "/staff/supporters/"),
    ("name search 'cote'", "/staff/supporters/?q=cote"),
    ("email search (one match)", "/staff/supporters/?q=.12345%40"),
    ("tag filter", "/staff/supporters/?tag=Volunteer"),
    ("consent filter (newsletter)", "/staff/supporters/?consent=subscribed%3Anewsletter"),
    ("consent filter (withdrawn)", "/staff/supporters/?consent=withdrawn"),
    ("language + date range", "/staff/supporters/?language=fr&signed_up_from=2024-01-01&signed_up_to=2024-12-31"),
    ("page 100", "/staff/supporters/?page=100"),
    ("sorted by name", "/staff/supporters/?sort=name"),
    ("sorted by name, page 100", "/staff/supporters/?sort=name&page=100"),
    ("sorted by email", "/staff/supporters/?sort=email"),
    ("oldest first", "/staff/supporters/?sort=created"),
]


def measure(app, token, repeat):
    """Return [(label, url, median ms)] for every case, requested `repeat` times in turn."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    timings = {url: [] for _, url in CASES}
    for _, url in CASES:  # warm up: templates, query plans, caches
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for _ in range(repeat):
        for _, url in CASES:
            began = time.perf_counter()
            response = client.get(url)
            timings[url].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return [(label, url, statistics.median(timings[url])) for label, url in CASES]


def make_bench_app(url):
    app = create_app(TestConfig(url, RATELIMIT_ENABLED=False))

    @app.get("/bench/bare")
    def bare():
        return "ok"

    return app


def run(url, engine_name, rows, repeat):
    print(f"\n{engine_name}: {rows:,} supporters", flush=True)
    app = make_bench_app(url)
    with app.app_context():
        upgrade()
    token = fill(app, rows)
    results = measure(app, token, repeat)
    bare = results[0][2]
    print(f"  {'request':<42} {'median ms':>10} {'x bare':>8}")
    for label, _, median in results:
        print(f"  {label:<42} {median:>10.1f} {median / bare:>8.1f}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="supporters to create (default 200000)")
    parser.add_argument("--repeat", type=int, default=15, help="requests per case (default 15)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", ""),
        help="a PostgreSQL server to bench too (a fresh database is created and dropped); default TEST_DATABASE_URL",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="bench PostgreSQL only")
    args = parser.parse_args(argv)

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite", args.rows, args.repeat)
    if args.database_url:
        with tempfile.TemporaryDirectory() as tmp, temporary_database(Path(tmp), args.database_url, "crm_bench") as url:
            run(url, "PostgreSQL", args.rows, args.repeat)


if __name__ == "__main__":
    main()

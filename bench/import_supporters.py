"""Benchmark `flask supporters import` on a realistic 100,000-row CSV, against a plain csv.reader pass.

    .venv/bin/python bench/import_supporters.py                      # SQLite (a fresh file)
    .venv/bin/python bench/import_supporters.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With --database-url (or TEST_DATABASE_URL) PostgreSQL is measured too, in a new database created
beside the one named and dropped afterwards. Each database is fresh and migrated; the import runs
through the real CLI command, then again (every row now known: the update path).
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from crm import create_app
from crm.config import Config
from crm.extensions import db
from crm.supporters.commands import supporters_cli
from crm.supporters.models import Supporter
from tests.databases import temporary_database

FIRST = [
    "Marie-Ève",
    "Jean-François",
    "Élise",
    "Zoë",
    "Chloé",
    "Noémie",
    "Siobhan",
    "Liam",
    "Ana",
    "Mohammed",
    "Nguyễn",
    "Olivia",
    "François",
    "Hélène",
    "Jérôme",
    "Aïcha",
    "Björn",
    "Ñuria",
    "Priya",
    "Wei",
]
LAST = [
    "Tremblay",
    "Côté",
    "O'Brien",
    "Bélanger-Nguyen",
    "Lévesque",
    "Gagnon",
    "Roy",
    "Smith",
    "MacDonald",
    "Wong",
    "Fraser-Thériault",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Patel",
    "Singh",
    "Leblanc",
    "Pelletier",
]
CITIES = [
    ("Montréal", "QC", "H2X 3K2"),
    ("Québec", "QC", "G1R 1N9"),
    ("Toronto", "ON", "M5J 0B8"),
    ("Halifax", "NS", "B3J 1Z7"),
    ("Vancouver", "BC", "V6B 2W9"),
    ("Moncton", "NB", "E1C 1E6"),
]
LANGUAGES = ["fr_CA", "en_CA", "French", "English", "Français", ""]
TAGS = ["donor", "volunteer; gala-2024", "Bulletin FR", "", "", "Major Donor, donor"]
HEADERS = ["Email", "First Name", "Last Name", "Phone", "Street Address", "City", "State", "Postal Code",
           "Country", "Preferred Language", "Tag(s)", "No Bulk Emails (User Opt Out)"]  # fmt: skip


def ascii_fold(value):
    return "".join(c for c in unicodedata.normalize("NFKD", value) if c.isascii() and c.isalnum()).lower()


def make_csv(path, rows, seed=2024):
    """Write `rows` data lines: mixed-case emails, accents, ~2% duplicates, ~1% bad emails, ~0.5% blank lines."""
    rng = random.Random(seed)
    emails = []
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            roll = rng.random()
            if roll < 0.005:
                handle.write("\r\n")
                continue
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if roll < 0.025 and emails:
                email = " " + rng.choice(emails).upper() + " "  # the same person typed another way
            elif roll < 0.035:
                email = f"{ascii_fold(first)}.{ascii_fold(last)}{i}@example,com"
            else:
                email = f"{ascii_fold(first)}.{ascii_fold(last)}{i}@example{i % 7}.org"
                email = email.capitalize() if i % 3 == 0 else email
                emails.append(email)
            city, region, postal = rng.choice(CITIES)
            writer.writerow([
                email, first, last, f"+1 514 555 {i % 10000:04d}", f"{rng.randint(1, 9999)} rue Saint-Denis",
                city, region, postal, "Canada", rng.choice(LANGUAGES), rng.choice(TAGS),
                "1" if rng.random() < 0.01 else "0",
            ])  # fmt: skip


def csv_reader_seconds(path):
    """Time the floor: read, decode and split every row with csv.reader, nothing else."""
    started = time.perf_counter()
    text_ = path.read_bytes().decode("utf-8-sig")
    count = sum(1 for _row in csv.reader(io.StringIO(text_, newline="")))
    return time.perf_counter() - started, count


def fresh_database(kind, base_url, folder):
    return temporary_database(folder, base_url if kind != "sqlite" else "", prefix="crm_bench")


def run_import(url, csv_path, folder):
    config = Config({"SECRET_KEY": "bench", "DATABASE_URL": url, "MEDIA_ROOT": str(folder)}, production=False)
    app = create_app(config)
    if "supporters" not in app.cli.commands:
        app.cli.add_command(supporters_cli)
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    timings = []
    for _pass in ("first", "again"):
        started, cpu = time.perf_counter(), time.process_time()
        result = runner.invoke(args=["supporters", "import", str(csv_path), "--source", "bench"])
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
        if result.exit_code != 0:
            raise SystemExit(f"import failed:\n{result.output}\n{result.exception!r}")
        output = result.output
    with app.app_context():
        supporters = db.session.scalar(db.select(db.func.count()).select_from(Supporter))
        db.engine.dispose()
    return timings, supporters, output


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    args = parser.parse_args()
    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "supporters.csv"
        make_csv(csv_path, args.rows)
        floor, lines = csv_reader_seconds(csv_path)
        print(f"file: {args.rows} rows ({lines} csv records), {csv_path.stat().st_size / 1e6:.1f} MB")
        print(f"csv.reader pass: {floor:.2f} s")
        kinds = ["sqlite"] + (["postgresql"] if args.database_url else [])
        results = []
        for kind in kinds:
            with fresh_database(kind, args.database_url, folder) as url:
                (first, again), supporters, output = run_import(url, csv_path, folder)
            results.append((kind, first, again, supporters))
            print(f"\n{kind}: {supporters} supporters; last run's output:\n{output.rstrip()}")
        print(f"\nload average before: {load}; after: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
        print(
            "| database | rows | import s | rows/s | Python CPU s | re-import s | csv.reader s | import / csv.reader |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for kind, (first, cpu), (again, _cpu), _supporters in results:
            print(
                f"| {kind} | {args.rows:,} | {first:.1f} | {args.rows / first:,.0f} | {cpu:.1f} | {again:.1f} | "
                f"{floor:.2f} | {first / floor:.0f}x |"
            )


if __name__ == "__main__":
    main()

"""Benchmark the worst field a public form accepts to parse against a normal post (issue 11 §4).

    .venv/bin/python bench/form_limits.py [--rounds 20]

In-process (Flask's test client, SQLite, rate limits off). For /account/login, /account/signup
and /donate it times a normal post, a post whose email field is as long as a plain form may be
(just under MAX_FORM_BYTES: parsed, then refused by the length check), and a 9 MB email (refused
with 413 before parsing). Before the fix the 9 MB field cost 4–5 s of CPU per request.
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from crm import create_app
from crm.config import TestConfig

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def median_ms(client, url, data, rounds):
    times = []
    for _ in range(rounds):
        token = TOKEN_RE.search(client.get(url).get_data(as_text=True)).group(1)
        started = time.perf_counter()
        status = client.post(url, data={**data, "csrf_token": token}).status_code
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig(f"sqlite:///{folder}/bench.sqlite3", RATELIMIT_ENABLED=False))
        with app.app_context():
            upgrade()
        limit = app.config["MAX_FORM_BYTES"]
        client = app.test_client()
        cases = {
            "normal": "ana@example.org",
            "longest parsed": "a" * (limit - 2048) + "@example.org",
            "9 MB": "a" * (9 * 1024 * 1024) + "@example.org",
        }
        print(f"{'form':<16}" + "".join(f"{name:>22}" for name in cases) + f"{'worst / normal':>16}")
        for url in ("/account/login", "/account/signup", "/donate"):
            row = {}
            for name, email in cases.items():
                data = {"email": email, "password": "a long password 1", "confirm": "a long password 1"}
                row[name] = median_ms(client, url, data, args.rounds)
            worst = max(ms for ms, _status in row.values())
            cells = "".join(f"{f'{ms:.2f} ms ({status})':>22}" for ms, status in row.values())
            print(f"{url:<16}{cells}{worst / row['normal'][0]:>15.1f}×")


if __name__ == "__main__":
    main()

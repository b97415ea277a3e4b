"""Load test: the public pages and a mix of form posts under gunicorn with production settings.

    .venv/bin/python bench/load.py [--seconds 60] [--connections 64] [--workers 2]
                                   [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Starts gunicorn as the Procfile does (production settings: FLASK_DEBUG=0, a 64-byte SECRET_KEY,
rate limits in Redis at 127.0.0.1:6379 db 14), on a fresh database with the demo data (seeded
with FLASK_DEBUG=1 beforehand, as the demo refuses production; SQLite in
a temporary folder unless --database-url is given: that database is emptied first). Then
`--connections` virtual visitors loop for `--seconds`: each request is a public page, or a form
they first GET (its cookie and hidden fields) and then post, as a browser does.

Two settings differ from a real deployment, so that the posts reach the database instead of the
limits: FORM_MIN_SECONDS=0 (a visitor here posts at once, which the spam check would quietly
drop) and public-form and login limits of a million an hour (all visitors share 127.0.0.1).

Prints requests/s, the status codes, and p50/p95/p99/max latency per kind of request; exits 1 on
any 5xx or a failed request. Figures in docs/performance.md.
"""

import argparse
import asyncio
import html
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port, wait_for_port  # noqa: E402

HIDDEN_RE = re.compile(r'<input [^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')
ITEM_RE = re.compile(r'<h3><a href="(/catalog/[a-z0-9-]+)"')
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) LoadTest/1.0"
PAGES = ["/", "/donate", "/catalog", "ITEM", "/newsletter", "/fundraise/learn-more", "/guide"]
FORMS = {
    "/newsletter": lambda n: {"email": f"load{n}@example.org", "first_name": "Ana", "language": "en", "consent": "y"},
    "/fundraise/learn-more": lambda n: {
        "first_name": "Bea",
        "last_name": "Tremblay",
        "email": f"lead{n}@example.org",
        "event_kind": "polar_dip",
        "planned_on": "2027-01-01",
        "message": "Our team jumps in the lake.",
    },
    "/contact/events": lambda n: {
        "name": "Dev Patel",
        "email": f"dev{n}@example.org",
        "topic": "partnership or sponsorship",
        "message": "We would like to sponsor the polar dip.",
    },
    "/account/login": lambda n: {"email": f"nobody{n}@example.org", "password": "not the password at all"},
}
# Out of 100 requests: pages people share and browse, and forms (each a GET and a POST).
MIX = [("page", 80), ("/newsletter", 8), ("/fundraise/learn-more", 5), ("/contact/events", 4), ("/account/login", 3)]


def production_environment(database_url, folder, workers):
    return {
        **os.environ,
        "FLASK_DEBUG": "0",
        "SECRET_KEY": "b" * 64,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "MEDIA_ROOT": str(Path(folder) / "media"),
        "BASE_URL": "https://crm.example",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
        "FORM_MIN_SECONDS": "0",
        "PUBLIC_FORM_LIMIT": "1000000 per hour",
        "LOGIN_LIMIT_PER_ADDRESS": "1000000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute",
    }


def prepare_database(env, database_url):
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
    if not database_url.startswith("sqlite"):
        from sqlalchemy import create_engine, text

        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    for command in (["db", "upgrade"], ["demo", "seed"]):  # the demo data refuses production settings
        subprocess.run([*flask, *command], cwd=ROOT, env={**env, "FLASK_DEBUG": "1"}, check=True, capture_output=True)
    import redis

    redis.Redis.from_url(env["RATELIMIT_STORAGE_URI"]).flushdb()


class Visitor:
    """One browser: its own cookies (sent by hand: production cookies are Secure, this is http)."""

    def __init__(self, http, base, results, counter):
        self.http, self.base, self.results, self.counter, self.cookies = http, base, results, counter, {}

    async def request(self, kind, method, path, data=None):
        headers = {"User-Agent": BROWSER, "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            async with self.http.request(
                method, self.base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                body = await response.text()
                status = response.status
                for cookie in response.headers.getall("Set-Cookie", []):
                    name, _, rest = cookie.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
        except (TimeoutError, aiohttp.ClientError) as error:
            body, status = "", f"error: {type(error).__name__}"
        self.results[kind].append((time.perf_counter() - started, status))
        return status, body

    async def run(self, until, item):
        while time.perf_counter() < until:
            kind = random.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            if kind == "page":
                path = random.choice(PAGES)
                await self.request(
                    "GET " + ("/catalog/<item>" if path == "ITEM" else path), "GET", item if path == "ITEM" else path
                )
                continue
            _status, page = await self.request(f"GET {kind}", "GET", kind)
            hidden = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(page)}
            self.counter[0] += 1
            await self.request(f"POST {kind}", "POST", kind, {**hidden, **FORMS[kind](self.counter[0])})


async def _load(base, seconds, connections):
    results = defaultdict(list)
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
        async with http.get(base + "/catalog") as response:
            item = ITEM_RE.search(await response.text()).group(1)
        counter = [0]
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(Visitor(http, base, results, counter).run(until, item) for _ in range(connections)))
        return results, time.perf_counter() - started


def percentile_ms(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))] * 1000


def _percentiles(times):
    return " | ".join(f"{percentile_ms(times, share):.0f}" for share in (0.5, 0.95, 0.99))


def _report(results, elapsed):
    every = [entry for entries in results.values() for entry in entries]
    statuses = Counter(status for _, status in every)
    print(
        f"{len(every)} requests in {elapsed:.0f} s: {len(every) / elapsed:.0f}/s; "
        f"statuses {dict(sorted(statuses.items(), key=str))}"
    )
    print("| request | count | p50 ms | p95 ms | p99 ms | max ms | statuses |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind in sorted(results, key=lambda k: (not k.startswith("GET"), k)):
        times = [t for t, _ in results[kind]]
        codes = dict(Counter(s for _, s in results[kind]))
        print(f"| {kind} | {len(times)} | {_percentiles(times)} | {max(times) * 1000:.0f} | {codes} |")
    times = [t for t, _ in every]
    print(f"| all | {len(times)} | {_percentiles(times)} | {max(times) * 1000:.0f} | |")
    return sum(n for status, n in statuses.items() if not isinstance(status, int) or status >= 500)


class Server:
    """A gunicorn started by `serve()`: its base URL, and after it stopped what it wrote to stderr."""

    def __init__(self, base):
        self.base, self.errors = base, ""

    @property
    def tracebacks(self):
        return self.errors.count("Traceback")


@contextmanager
def serve(env, workers, module="app:app"):
    """gunicorn as the Procfile runs it (the settings in gunicorn.conf.py, `workers` workers) serving `module`."""
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), module]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(f"http://127.0.0.1:{port}")
    try:
        wait_for_port(port, process)
        yield server
    finally:
        process.terminate()
        server.errors = process.communicate(timeout=30)[1].decode(errors="replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/load.sqlite3"
        env = production_environment(database_url, folder, args.workers)
        prepare_database(env, database_url)
        with serve(env, args.workers) as server:
            engine = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
            print(f"gunicorn, {args.workers} workers, production settings, {engine}; {args.connections} connections")
            results, elapsed = asyncio.run(_load(server.base, args.seconds, args.connections))
        failures = _report(results, elapsed)
        print(f"server tracebacks: {server.tracebacks}")
        if server.tracebacks:
            print(server.errors[-4000:])
        sys.exit(1 if failures or server.tracebacks else 0)


if __name__ == "__main__":
    main()

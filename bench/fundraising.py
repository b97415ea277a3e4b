"""Public fundraising pages under gunicorn with production settings, as ratios to a bare Flask handler.

    .venv/bin/python bench/fundraising.py [--seconds 8] [--rounds 2] [--connections 32] [--workers 2]
                                          [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_fundraising]

The server is started as bench/load.py starts it (its `production_environment`, `prepare_database`
and `serve`: FLASK_DEBUG=0, a 64-byte SECRET_KEY, rate limits in Redis, the demo data on a fresh
database; SQLite in a temporary folder unless --database-url is given, and that database is emptied
first). Before it starts, this script adds one "busiest" page to the demo's "do it yourself"
campaign with BUSIEST_GIFTS succeeded gifts on its wall (made with the app's own models and
credited with credit_gift, as a real gift is). A second gunicorn, same settings and workers, serves
bench/bare_app.py: a Flask handler returning a constant HTML string, the floor to compare with.

Then, for each URL in turn, `--connections` anonymous visitors (no cookies) GET it in a loop; the
`--seconds` per URL are split into `--rounds` slices taken in turn (bare, page, busiest, campaign,
team, bare, page, ...), so a burst of other work on the machine hits every URL alike. Every answer
must be a 200 holding the page's title (as the template escapes it). Prints requests/s, p50 and p99
per URL, and the ratio of its requests/s to the bare handler's (the range over the rounds in
brackets, each round against the bare handler's own figure in that round); exits 1 on any wrong
answer or server traceback. Figures in docs/performance.md.
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from markupsafe import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import percentile_ms, prepare_database, production_environment, serve

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) LoadTest/1.0"
BUSIEST_SLUG = "busiest-page"
BUSIEST_GIFTS = 500
# (label, path, title the answer must hold); the fundraising titles are read from the database.
TARGETS = [
    ("bare Flask handler", "BARE", "Bare handler"),
    ("fundraiser page /fundraisers/jordans-birthday", "/fundraisers/jordans-birthday", None),
    (f"busiest page ({BUSIEST_GIFTS} gifts) /fundraisers/{BUSIEST_SLUG}", f"/fundraisers/{BUSIEST_SLUG}", None),
    ("campaign page /campaigns/polar-dip-2027", "/campaigns/polar-dip-2027", None),
    ("team page /teams/frozen-falcons", "/teams/frozen-falcons", None),
]


def seed_busiest(env):
    """Add the busiest page, live, with BUSIEST_GIFTS counted gifts; return {path: title} of the fundraising URLs."""
    os.environ.update(env)  # the app reads DATABASE_URL and the rest from the environment
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from crm import create_app
    from crm.config import Config
    from crm.extensions import db
    from crm.fundraising.models import Campaign, FundraiserPage, Team
    from crm.fundraising.services.credits import credit_gift
    from crm.supporters.services.intake import find_or_create_supporter
    from tests import factories

    app = create_app(Config(env, production=True))
    now = datetime.now(UTC)
    with app.app_context():
        campaign = db.session.scalar(db.select(Campaign).filter_by(slug="do-it-yourself"))
        fundraiser = find_or_create_supporter("busiest@bench.example", now=now, first_name="Sam", last_name="Busy")[0]
        page = FundraiserPage(
            campaign=campaign,
            occasion=campaign.occasions[0],
            supporter=fundraiser,
            slug=BUSIEST_SLUG,
            title="Sam's very busy page",
            story="Everyone gave.\n\n**Thank you**, all 500 of you: [read why](https://example.org/why).",
            goal_cents=1_000_000,
            currency=campaign.currency,
            language="en",
            created_at=now - timedelta(days=30),
        )
        db.session.add(page)
        db.session.flush()
        page.submit(now - timedelta(days=30))
        if page.status == "pending":
            page.approve(now - timedelta(days=30))
        for n in range(BUSIEST_GIFTS):
            given = now - timedelta(days=29) + timedelta(minutes=80 * n)
            shown = n % 4 != 0  # a quarter anonymous
            donation = factories.gift(
                f"donor{n}@bench.example",
                amount_cents=1000 + 500 * (n % 20),
                created_at=given,
                first_name=f"Donor{n}",
                succeeded_at=given,
                show_on_wall=shown,
                wall_name=f"Donor number {n}" if shown else "",
                message=f"Go, Sam! Gift {n}." if n % 3 == 0 else "",
            )
            credit_gift(donation, campaign, page, now=given, hide_amount=n % 7 == 0)
        db.session.commit()
        titles = {
            f"/fundraisers/{slug}": title
            for slug, title in db.session.execute(db.select(FundraiserPage.slug, FundraiserPage.title))
        }
        titles["/campaigns/polar-dip-2027"] = db.session.scalar(
            db.select(Campaign.name_en).filter_by(slug="polar-dip-2027")
        )
        titles["/teams/frozen-falcons"] = db.session.scalar(db.select(Team.name).filter_by(slug="frozen-falcons"))
        db.engine.dispose()
    return titles


async def _visitor(http, url, title, until, times, wrong):
    headers = {"User-Agent": BROWSER, "Accept-Language": "en"}
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            async with http.get(url, headers=headers, allow_redirects=False) as response:
                body = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as error:
            body, status = "", f"error: {type(error).__name__}"
        times.append(time.perf_counter() - started)
        if status != 200 or title not in body:
            wrong.append(status)


async def _measure(http, url, title, seconds, connections):
    """(seconds taken, latencies, wrong answers) of `connections` visitors getting `url` for `seconds`."""
    times, wrong = [], []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_visitor(http, url, title, until, times, wrong) for _ in range(connections)))
    return time.perf_counter() - started, times, wrong


async def _run(targets, seconds, rounds, connections):
    """Every target in turn, `rounds` times; {label: {"rates": [per round], "times": [...], "wrong": [...]}}."""
    results = {label: {"rates": [], "elapsed": 0.0, "times": [], "wrong": []} for label, _url, _title in targets}
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
        for _label, url, title in targets:  # warm up: templates compiled, translations loaded, connections open
            await _measure(http, url, title, 1, connections)
        for _round in range(rounds):
            for label, url, title in targets:
                elapsed, times, wrong = await _measure(http, url, title, seconds / rounds, connections)
                results[label]["rates"].append(len(times) / elapsed)
                results[label]["elapsed"] += elapsed
                results[label]["times"] += times
                results[label]["wrong"] += wrong
    return results


def _rate(result):
    return len(result["times"]) / result["elapsed"]


def _report(results):
    bare = next(iter(results.values()))
    print("| request | requests | requests/s | p50 ms | p99 ms | x bare (rounds) | wrong answers |")
    print("|---|---:|---:|---:|---:|---|---:|")
    wrong = 0
    for label, result in results.items():
        times = result["times"]
        rate = _rate(result)
        ratios = [mine / floor for mine, floor in zip(result["rates"], bare["rates"], strict=True)]
        p50, p99 = percentile_ms(times, 0.5), percentile_ms(times, 0.99)
        print(
            f"| {label} | {len(times)} | {rate:.0f} | {p50:.0f} | {p99:.0f} "
            f"| {rate / _rate(bare):.2f} ({min(ratios):.2f} to {max(ratios):.2f}) "
            f"| {len(result['wrong'])} |"
        )
        wrong += len(result["wrong"])
    return wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="seconds of load per URL, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/fundraising.sqlite3"
        env = production_environment(database_url, folder, args.workers)
        started = time.perf_counter()
        prepare_database(env, database_url)
        titles = seed_busiest(env)
        print(f"demo data and the busiest page made in {time.perf_counter() - started:.0f} s")
        with serve(env, args.workers, "bench.bare_app:app") as bare, serve(env, args.workers) as site:
            targets = [
                (label, bare.base + "/", str(escape(title)))
                if path == "BARE"
                else (label, site.base + path, str(escape(titles[path])))
                for label, path, title in TARGETS
            ]
            engine = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
            print(
                f"gunicorn, {args.workers} workers each, production settings, {engine}; {args.connections} "
                f"connections, anonymous GETs; {args.seconds:g} s per URL in {args.rounds} rounds"
            )
            results = asyncio.run(_run(targets, args.seconds, args.rounds, args.connections))
        wrong = _report(results)
        tracebacks = bare.tracebacks + site.tracebacks
        print(f"server tracebacks: {tracebacks}")
        if tracebacks:
            print((bare.errors + site.errors)[-4000:])
        sys.exit(1 if wrong or tracebacks else 0)


if __name__ == "__main__":
    main()

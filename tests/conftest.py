"""Shared fixtures on real parts: SQLite or PostgreSQL, localstripe, an SMTP sink, Chromium."""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import requests
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.routing.rules import Rule
from werkzeug.serving import make_server

from crm import create_app
from crm.accounts.services import create_user
from crm.config import TestConfig
from crm.extensions import db
from crm.mail.services.sequences import install_default_sequences
from crm.utc import utcnow
from tests import factories
from tests.databases import temporary_database
from tests.helpers import REDIS_URL, SmtpSink, log_in

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process=None, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout}s")


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A database for the whole run, migrated once to the newest revision."""
    with temporary_database(tmp_path_factory.mktemp("db"), os.environ.get("TEST_DATABASE_URL", "")) as url:
        app = create_app(TestConfig(url))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def fresh_database(tmp_path):
    """An empty, unmigrated database of the engine under test."""
    with temporary_database(tmp_path, os.environ.get("TEST_DATABASE_URL", "")) as url:
        yield url


RESTART_SEQUENCES = """
SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname = current_schema()
"""


def empty_tables(app):
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # DELETE from the tables a test filled, foreign-key triggers off for the transaction,
                # then every sequence back to 1: what TRUNCATE ... RESTART IDENTITY did, in 2% of its
                # time (TRUNCATE makes new files for every table and index: ~0.9 s a test, CI's budget).
                probe = " UNION ALL ".join(f"(SELECT '{name}' FROM {name} LIMIT 1)" for name in tables)
                filled = conn.execute(text(probe)).scalars().all()
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for name in filled:
                    conn.execute(text(f"DELETE FROM {name}"))
                conn.execute(text(RESTART_SEQUENCES))
            else:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # rows that point at their own table
                for name in reversed(tables):
                    conn.execute(text(f"DELETE FROM {name}"))
        # Reference data the migrations add, back for the next test.
        install_default_sequences()
        db.session.commit()
        db.engine.dispose()


# --- the application -------------------------------------------------------------------------


def _share_url_builders():
    """Compile each URL rule's builder once per test process, not once per app.

    Every test builds its own app, and werkzeug writes and compiles a Python function to build the
    URLs of each of its ~735 rules (0.35 s an app: a third of a quick test's time, minutes of CI).
    That function depends only on the rule's text and parsed parts (it reads the converters from
    the rule it is bound to), so apps share it. Rules with defaults fold them in: compiled as before.
    """
    compile_builder = Rule._compile_builder
    builders = {}

    def shared(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_share_url_builders()


@pytest.fixture
def make_app(request, database, tmp_path):
    """Build an app on the test database; keyword arguments override its settings."""
    apps = []
    companions = {"MEDIA_ROOT": str(tmp_path / "media")}  # uploads never land in the checkout's instance/
    if "localstripe" in request.fixturenames:
        stripe = request.getfixturevalue("localstripe")
        companions.update(STRIPE_API_BASE=stripe.url, STRIPE_JS_URL=stripe.js_url)
    if "smtp_sink" in request.fixturenames:
        sink = request.getfixturevalue("smtp_sink")
        companions.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)

    def factory(**overrides):
        app = create_app(TestConfig(database, **{**companions, **overrides}))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        empty_tables(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user; return its id, email, password and role (plain values, no session)."""
    counter = iter(range(1, 10_000))

    def factory(email=None, password=DEFAULT_PASSWORD, role="fundraiser", **fields):
        email = email or f"user{next(counter)}@example.org"
        with app.app_context():
            user = create_user(email, password, role=role)
            for name, value in fields.items():
                setattr(user, name, value)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=user.email, password=password, role=user.role)

    return factory


@pytest.fixture
def make_client(app, make_user):
    """Log a new user of `role` in on a fresh test client; return (client, user). flaskr's auth fixture, once."""

    def factory(role="staff", **fields):
        user = make_user(role=role, **fields)
        client = app.test_client()
        log_in(client, user.email, user.password)
        return client, user

    return factory


@pytest.fixture
def make_supporter(app):
    """tests.factories.supporter: a supporter, inside the test's app context (flushed, not committed)."""
    return factories.supporter


@pytest.fixture
def make_gift(app):
    """tests.factories.gift: a succeeded gift and its supporter, inside the test's app context."""
    return factories.gift


@pytest.fixture
def make_item(app):
    """tests.factories.item: a catalog item, inside the test's app context."""
    return factories.item


@pytest.fixture
def make_order(app):
    """tests.factories.order: a catalog order with its lines and cards, inside the test's app context."""
    return factories.order


# --- companions: localstripe, SMTP sink, live server ----------------------------------------


@pytest.fixture(scope="session")
def localstripe():
    """localstripe from scratch on a free loopback port, for the whole run."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}"
        yield SimpleNamespace(url=url, js_url=f"{url}/js.stripe.com/v3/", port=port)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def _smtp_controller():
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(_smtp_controller):
    """A real SMTP server (aiosmtpd) that keeps what it receives; empty at the start of a test."""
    _smtp_controller.reset()
    if _smtp_controller._controller is None:
        _smtp_controller.start()  # a test stopped it to play an outage
    return _smtp_controller


def _bodies_read_whole(app):
    """Serve each response read whole and closed before its first byte is written.

    Werkzeug's development server skips closing a response whose client hung up while it drains
    the request (a browser dropping a favicon fetch), and the open file is then a ResourceWarning
    in whichever test runs next. Production servers close it; here the body is read at once.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, _bodies_read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def stripe_webhook(localstripe, live_server):
    """Register the live app's webhook endpoint with localstripe, signed with the app's secret."""
    url = f"{live_server.url}/payments/stripe/webhook"
    secret = live_server.app.config["STRIPE_WEBHOOK_SECRET"]
    response = requests.post(
        f"{localstripe.url}/_config/webhooks/test", data={"url": url, "secret": secret}, timeout=10
    )
    response.raise_for_status()
    yield SimpleNamespace(url=url, secret=secret)
    # localstripe cannot forget a webhook: point it at a closed port so later tests get nothing.
    requests.post(
        f"{localstripe.url}/_config/webhooks/test",
        data={"url": "http://127.0.0.1:9/closed", "secret": secret},
        timeout=10,
    )


@pytest.fixture
def redis_store():
    """A Redis database for this test only (its keys under a fresh prefix), or a skip outside CI."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("CI runs the shared rate-limit and page-cache tests against Redis at 127.0.0.1:6379: start it")
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"crm-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


# --- browser ---------------------------------------------------------------------------------


@pytest.fixture
def one_clock_minute(monkeypatch):
    """Hold the clock that buckets account emails "one a minute" at the middle of this minute.

    Otherwise requests sent at hh:mm:59.9 and hh:mm+1:00.1 fall in two minutes and rightly queue
    two emails, and a test of "repeated requests queue one" fails once a minute boundary in sixty.
    """
    now = utcnow().replace(second=30, microsecond=0)
    monkeypatch.setattr("crm.mail.followups.utcnow", lambda: now)
    return now


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; never a downloaded browser (no network here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}

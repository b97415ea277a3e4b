"""Helpers for tests: CSRF tokens, logging in, an SMTP sink."""

import re
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

CSRF_RE = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own; each test keys under its own prefix


def csrf_token(client, url):
    """GET `url` and return the CSRF token of its form."""
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def post_form(client, url, data, **kwargs):
    """POST `data` to the form at `url` with a fresh CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)}, **kwargs)


def log_in(client, email, password, **kwargs):
    return post_form(client, "/account/login", {"email": email, "password": password}, **kwargs)


def session_data(client):
    """Return the session the client's cookie holds (decoded, as the app sees it)."""
    with client.session_transaction() as session:
        return dict(session)


def attribution_of(client):
    """Return where the client's visit came from, as its attribution cookie says."""
    from crm.supporters.attribution import COOKIE_NAME, decode_attribution

    cookie = client.get_cookie(COOKIE_NAME)
    return {name: value for name, value in decode_attribution(cookie.value if cookie else "").items() if value}


class SmtpSink:
    """An aiosmtpd server keeping every message it receives.

    `refuse` maps an address to an SMTP answer ("550 5.1.1 No such user") given at RCPT time.
    """

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.messages = []
        self.refuse = {}
        self._lock = threading.Lock()
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(envelope)
        return "250 2.0.0 Message accepted for delivery"

    def start(self):
        self._controller = Controller(self, hostname=self.host, port=self.port, enable_SMTPUTF8=True)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self):
        with self._lock:
            self.messages.clear()
        self.refuse.clear()

    def parsed(self):
        """Return the messages received, parsed (email.message.EmailMessage)."""
        with self._lock:
            return [message_from_bytes(envelope.content, policy=default_policy) for envelope in self.messages]

    def wait_for(self, count, timeout=10):
        """Wait until `count` messages have arrived; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

"""localstripe behind a pass-through that keeps idempotency keys as Stripe does, for the payments tests.

The fixtures `stripe_calls` and `behind_stripe` are shared through tests/payments/conftest.py.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import requests

IDEMPOTENCY_ERROR = 400  # Stripe's answer to a key sent again with other parameters or to another endpoint


class _Recorder(BaseHTTPRequestHandler):
    """Pass every request on to localstripe, note its method, path and Idempotency-Key, and keep keys as Stripe does.

    localstripe has no idempotency of its own. Stripe saves the answer to the first POST with a key
    (once the endpoint ran: not a refusal of its parameters, 400, nor a conflict, 409 or 429) and
    gives it back, with `Idempotent-Replayed: true` and without doing anything, to a POST with the
    same key, endpoint and parameters; the same key with other parameters or on another endpoint is
    answered 400 idempotency_error. Keys belong to the account (the API key) that sent them.
    """

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key")
        path = self.path.split("?")[0]
        self.server.seen.append((self.command, path, key))
        if self.command != "POST" or not key:
            return self._answer(*self._upstream(body))
        params = sorted(parse_qsl(body.decode(), keep_blank_values=True))
        scope = (self.headers.get("Authorization"), key)
        with self.server.lock:  # one request of a key at a time
            saved = self.server.saved.get(scope)
            if saved is None:
                status, content_type, content = self._upstream(body)
                if status not in (400, 409, 429):
                    self.server.saved[scope] = (path, params, status, content_type, content)
                if path in self.server.unanswered:  # done at Stripe, then the connection drops
                    self.server.unanswered.remove(path)
                    self.close_connection = True
                    return None
                return self._answer(status, content_type, content)
        first_path, first_params, status, content_type, content = saved
        if first_path != path or first_params != params:
            self.server.refused.append((path, key))
            return self._answer(*_idempotency_error(key, first_path, path))
        self.server.replayed.append((path, key))
        return self._answer(status, content_type, content, replayed=True)

    def _upstream(self, body):
        skip = {"host", "content-length", "connection", "accept-encoding"}
        answer = requests.request(
            self.command,
            self.server.upstream + self.path,
            data=body,
            headers={name: value for name, value in self.headers.items() if name.lower() not in skip},
            timeout=30,
        )
        return answer.status_code, answer.headers.get("Content-Type", "application/json"), answer.content

    def _answer(self, status, content_type, content, replayed=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, *_args):
        pass


def _idempotency_error(key, first_path, path):
    """Stripe's 400 for a key used again with other parameters (or on another endpoint)."""
    if first_path != path:
        message = (
            f"Keys for idempotent requests can only be used for the same endpoint they were first used for "
            f"('{first_path}' vs '{path}'). Try using a key other than '{key}' if you meant to execute a "
            "different request."
        )
    else:
        message = (
            "Keys for idempotent requests can only be used with the same parameters they were first used with. "
            f"Try using a key other than '{key}' if you meant to execute a different request."
        )
    body = json.dumps({"error": {"type": "idempotency_error", "message": message}}).encode()
    return IDEMPOTENCY_ERROR, "application/json", body


@pytest.fixture
def stripe_calls(localstripe):
    """localstripe behind a pass-through that keeps idempotency keys as Stripe does (see _Recorder).

    `seen`: every (method, path, Idempotency-Key) sent; `replayed` and `refused`: the (path, key) of
    the POSTs answered with a saved answer, and with an idempotency_error; `unanswered`: paths whose
    next keyed POST is done, then left without an answer.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.upstream, server.seen, server.lock = localstripe.url, [], threading.Lock()
    server.saved, server.replayed, server.refused, server.unanswered = {}, [], [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}",
        seen=server.seen,
        replayed=server.replayed,
        refused=server.refused,
        unanswered=server.unanswered,  # a path put here is done once with no answer (the connection drops)
    )
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def behind_stripe(make_app, stripe_calls, smtp_sink):
    """An app talking to localstripe through the pass-through that keeps idempotency keys as Stripe does."""
    return make_app(STRIPE_API_BASE=stripe_calls.url, RATELIMIT_ENABLED=False, MAIL_RATE_PER_MINUTE=0)

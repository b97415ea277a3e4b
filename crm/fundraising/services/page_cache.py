"""Whole public pages (a fundraiser's page, a team's, a campaign's) kept for anonymous visitors.

A shared page is read by many people who are not logged in, and for them it is the same HTML:
so the rendered page is kept, keyed by the view, the address and the language. A visitor who is
logged in, or has a message waiting to be flashed, or asks with any other query string, always
gets a page rendered for them and never one from here (nor is theirs kept): what a logged-in
person sees never reaches anyone else.

Every kept page carries the *generation* it was rendered in. Any commit that changed a gift, a
credit, a page, a team, a campaign or an occasion (through the ORM or an ORM UPDATE/DELETE)
moves the generation on, so every kept page is stale at once (a change rolled back may move it
on too: one render more, never a stale page); and nothing is kept longer than
CACHE_SECONDS, which bounds what time alone changes (a campaign reaching its end date). With
RATELIMIT_STORAGE_URI=redis://… (several processes) the pages and the generation live in that
Redis, shared, and each process keeps a copy of what it served until Redis says the generation
moved (see RedisStore); otherwise in this process. A Redis that does not answer only means rendering.
"""

import threading
import time
from collections import OrderedDict
from contextlib import suppress
from functools import wraps

import redis
from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import limiter
from crm.payments.models import Donation

CACHE_SECONDS = 60
MEMORY_ENTRIES = 2048
MAX_NUMBER = 1000
KEY_PREFIX = "crm:fundraising:page-cache:"
REDIS_TIMEOUT_SECONDS = 0.25
_CHANGED = "fundraising_page_cache_changed"


class MemoryStore:
    """Kept pages of one process, the oldest forgotten first past MEMORY_ENTRIES."""

    def __init__(self, size=MEMORY_ENTRIES, seconds=CACHE_SECONDS):
        self.size, self.seconds = size, seconds
        self.entries = OrderedDict()
        self.generation = 0
        self.lock = threading.Lock()

    def get(self, key):
        """(html or None, the generation a page rendered now belongs to)."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None, self.generation
            generation, expires, html = entry
            if generation != self.generation or expires < time.time():
                del self.entries[key]
                return None, self.generation
            self.entries.move_to_end(key)
            return html, generation

    def put(self, key, html, generation, expires=None):
        with self.lock:
            if generation != self.generation:
                return  # something changed while it was rendered
            self.entries[key] = (generation, expires or time.time() + self.seconds, html)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def adopt(self, generation):
        """Take the generation another process set: what was kept before it is stale."""
        with self.lock:
            if generation != self.generation:
                self.generation = generation
                self.entries.clear()

    def bump(self):
        with self.lock:
            self.generation += 1
            self.entries.clear()


class RedisStore:
    """Kept pages shared by every process, in the Redis that already holds the rate limits.

    Each process also keeps a copy of what it served (`local`), valid while the generation in Redis
    stays what it was. Redis tells the process when the generation changes (client tracking,
    broadcast for that key, sent to a connection of the process's own), so a kept page costs no
    round trip at all and a commit in any process still makes every kept page stale at once. While
    that connection is not up, the generation is read from Redis on every request instead.
    """

    def __init__(self, url, seconds=CACHE_SECONDS, prefix=KEY_PREFIX):
        options = {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
        self.client = redis.Redis.from_url(url, **options)
        self.watch_pool = redis.ConnectionPool.from_url(url, protocol=2, **options)
        self.watch = self.watch_id = None
        self.seconds, self.prefix = seconds, prefix
        self.generation_key = prefix + "generation"
        self.local = MemoryStore(seconds=seconds)
        self.local.generation = None

    def _watching(self):
        """A connection Redis sends a message to whenever the generation key changes."""
        connection = self.watch_pool.make_connection()
        try:
            connection.connect()
            connection.send_command("CLIENT", "ID")
            self.watch_id = connection.read_response()
            connection.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", self.watch_id, "BCAST", "PREFIX", self.generation_key
            )
            connection.read_response()
            connection.send_command("SUBSCRIBE", "__redis__:invalidate")
            connection.read_response()
        except (redis.RedisError, OSError):
            connection.disconnect()  # half set up: not left open
            raise
        return connection

    def _unchanged(self):
        """True when Redis has said nothing about the generation since this process last read it."""
        if self.watch is None:
            with suppress(redis.RedisError, OSError):
                self.watch = self._watching()
            return False  # (re)connected: read the generation once
        changed = False
        try:
            while self.watch.can_read(timeout=0):
                self.watch.read_response()
                changed = True
        except (redis.RedisError, OSError):
            self.watch.disconnect()
            self.watch = None
            return False
        return not changed

    def _current(self):
        if self._unchanged() and self.local.generation is not None:
            return self.local.generation
        current = self.client.get(self.generation_key) or b"0"
        self.local.adopt(current)
        return current

    def get(self, key):
        current = self._current()
        html, _ = self.local.get(key)
        if html is not None:
            return html, current
        entry = self.client.get(self.prefix + key)
        if entry is None:
            return None, current
        generation, _, rest = entry.partition(b"\n")
        expires, _, html = rest.partition(b"\n")
        if generation != current or not expires.isdigit():
            return None, current
        self.local.put(key, html, current, expires=int(expires))
        return html, current

    def put(self, key, html, generation):
        html = html.encode() if isinstance(html, str) else html
        expires = int(time.time()) + self.seconds
        self.client.set(self.prefix + key, b"%b\n%d\n%b" % (generation, expires, html), ex=self.seconds)
        self.local.put(key, html, generation, expires=expires)

    def bump(self):
        self.local.adopt(None)  # even if Redis does not answer, nothing kept here before is served again
        self.local.adopt(str(self.client.incr(self.generation_key)).encode())


def store(app=None):
    """This app's store, made on first use."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("fundraising_page_cache")
    if found is None:
        uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        prefix = KEY_PREFIX + app.config.get("RATELIMIT_KEY_PREFIX", "")
        found = RedisStore(uri, prefix=prefix) if uri.startswith(("redis://", "rediss://")) else MemoryStore()
        found = app.extensions.setdefault("fundraising_page_cache", found)
    return found


def cache_key(number_arg):
    """The key of this request's page, or None when this visitor must get a page rendered for them.

    The only query string kept is `number_arg` (the wall's or the list's page), written plainly
    (?wall=2, never ?wall=02 or ?wall=2&x=1), so the keys are bounded by the pages that exist.
    """
    asked = request._get_current_object()  # one lookup of the proxy, not one per attribute
    if asked.method != "GET" or "_flashes" in session or _logged_in(asked):
        return None
    args = asked.args
    if args and (set(args) - {number_arg} or len(args.getlist(number_arg)) > 1):
        return None
    number = args.get(number_arg, "1")
    if not (number.isascii() and number.isdigit() and str(int(number)) == number and 1 <= int(number) <= MAX_NUMBER):
        return None
    return f"{asked.endpoint}:{get_locale()}:{asked.path}?{number_arg}={number}"


def _logged_in(asked):
    """Whether someone is logged in; a visitor with neither a login session nor a remember cookie is not.

    Flask-Login looks for the user in that order (the session's _user_id, then the remember cookie),
    so loading no user is asked of it only when it could find one.
    """
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember not in asked.cookies:
        return False
    return current_user.is_authenticated


@limiter.request_filter
def _reading_a_kept_page():
    """A GET of a kept page carries no rate limit: spare it Flask-Limiter's lookup of none.

    Only forms are limited here, on POST (`crm.supporters.spam`, `crm.accounts.limits`), and a kept
    page costs less to serve than that lookup; tests/fundraising/test_page_cache.py checks no limit
    was put on these views.
    """
    view = current_app.view_functions.get(request.endpoint)
    return request.method == "GET" and getattr(view, "kept_for_anonymous", False)


def kept_for_anonymous(number_arg):
    """Serve the view's page from the store to anonymous visitors; keep what it renders for them."""

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            key = cache_key(number_arg)
            if key is None:
                return view(**kwargs)
            kept = store()
            try:
                html, generation = kept.get(key)
            except redis.RedisError:
                return view(**kwargs)
            if html is not None:
                return html
            response = view(**kwargs)
            if isinstance(response, str):
                with suppress(redis.RedisError):
                    kept.put(key, response, generation)
            return response

        wrapper.kept_for_anonymous = True
        return wrapper

    return decorate


# --- what moves the generation on --------------------------------------------------------------


def _watched(cls):
    return cls is Donation or cls.__module__.startswith("crm.fundraising.models")


def _after_flush(session, flush_context):
    if not session.info.get(_CHANGED):
        changed = (*session.new, *session.dirty, *session.deleted)
        session.info[_CHANGED] = any(_watched(type(instance)) for instance in changed)


def _do_orm_execute(state):
    writes = state.is_update or state.is_delete or state.is_insert
    if writes and state.bind_mapper is not None and _watched(state.bind_mapper.class_):
        state.session.info[_CHANGED] = True


def _after_commit(session):
    if session.info.pop(_CHANGED, False):
        try:
            store().bump()
        except redis.RedisError:
            current_app.logger.warning("page cache: the generation could not be moved on (Redis)")
        except RuntimeError:
            pass  # no app: nothing is kept outside one


def connect():
    """Watch every session's commits (once per process, however many apps it builds)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
        ("after_commit", _after_commit),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

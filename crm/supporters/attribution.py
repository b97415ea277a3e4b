"""Where a visitor came from: the first landing page's ?src= and UTM tags, kept in a cookie.

First touch wins within a browser session: the landing page that started the visit is what a
later signup or inquiry is credited to, whatever pages the visitor saw in between.

The tags live in their own cookie, not in the signed session: they are what the visitor's own
links said (anyone may type ?utm_source= too), so signing them proves nothing, and a first
visit to a shared page then costs no session to sign (a kept fundraiser page is served with
no session at all). What is read back is cleaned and cut to size like a query string.
"""

import base64
import binascii
import json
from functools import lru_cache
from urllib.parse import urlsplit

from flask import after_this_request, current_app, g, request
from flask_babel import get_locale
from werkzeug.http import dump_cookie

from crm.supporters.visits import SIZES, UTM_FIELDS, Visit, clean_value

COOKIE_NAME = "visit"
# Private or technical pages are never a landing page (signed links must not end up in reports).
SKIPPED_PREFIXES = ("/static/", "/staff/", "/account/", "/preferences/", "/language/")
# A cookie holds about 4 KB at most: keep the stored tags well below that.
COOKIE_BUDGET = 1500


def _external_referrer():
    referrer = request.referrer or ""
    host = urlsplit(referrer).netloc
    return referrer if host and host != request.host else ""


def _fit_budget(values):
    # Non-ASCII is stored as \uXXXX escapes (6 characters at most each); halve the longest value until the whole fits.
    if sum(len(name) + 6 * len(value) + 6 for name, value in values.items()) <= COOKIE_BUDGET:
        return values
    while len(json.dumps(values)) > COOKIE_BUDGET:
        longest = max(values, key=lambda name: len(json.dumps(values[name])))
        values[longest] = values[longest][: len(values[longest]) // 2]
    return values


def encode_attribution(values):
    """The cookie's value for these tags: JSON in URL-safe base64 (no quoting, no separators)."""
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


def decode_attribution(value):
    """The tags a cookie holds, cleaned and cut to size; {} for anything else."""
    try:
        stored = json.loads(base64.urlsafe_b64decode((value or "").encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {name: clean_value(str(stored.get(name) or ""), size) for name, size in SIZES.items()}


def capture_attribution():
    """Remember the first landing page of the visit, its tags and its outside referrer."""
    asked = request._get_current_object()  # one lookup of the proxy, not one per attribute
    if asked.method != "GET" or asked.endpoint in (None, "static") or COOKIE_NAME in asked.cookies:
        return
    if asked.path.startswith(SKIPPED_PREFIXES):
        return
    args = asked.args
    raw = {
        "source": args.get("src", ""),
        **{name: args.get(name, "") for name in UTM_FIELDS},
        "landing_page": asked.path,
        "referrer": _external_referrer(),
    }
    values = {name: clean_value(value, SIZES[name]) for name, value in raw.items() if value}
    g.attribution = _fit_budget({name: value for name, value in values.items() if value})

    @after_this_request
    def remember(response):
        config = current_app.config
        secure, samesite = config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_SAMESITE"]
        response.headers.add("Set-Cookie", _cookie_header(encode_attribution(g.attribution), secure, samesite))
        return response


@lru_cache(maxsize=512)
def _cookie_header(value, secure, samesite):
    """The Set-Cookie header for a visit's tags (the same for every first visit from the same link).

    No expiry: it ends with the browser session, as the session does.
    """
    return dump_cookie(COOKIE_NAME, value, path="/", secure=secure, httponly=True, samesite=samesite)


def current_attribution():
    """Return the AttributionMixin fields for a signup, gift or inquiry made in this visit."""
    if "attribution" in g:  # captured by this very request
        return {name: clean_value(str(g.attribution.get(name, "")), size) for name, size in SIZES.items()}
    return decode_attribution(request.cookies.get(COOKIE_NAME))


def current_visit():
    """Return the Visit (language, address, browser, attribution) of the request being handled."""
    return Visit(
        language=str(get_locale()),
        ip_address=request.remote_addr or "",
        user_agent=clean_value(request.user_agent.string, 300),
        attribution=current_attribution(),
    )

"""Where a visitor came from: the first landing page's ?src= and UTM tags, kept in the session.

First touch wins within a session: the landing page that started the visit is what a later
signup or inquiry is credited to, whatever pages the visitor saw in between.
"""

import json
from urllib.parse import urlsplit

from flask import request, session
from flask_babel import get_locale

from crm.supporters.visits import SIZES, UTM_FIELDS, Visit, clean_value

SESSION_KEY = "attribution"
# Private or technical pages are never a landing page (signed links must not end up in reports).
SKIPPED_PREFIXES = ("/static/", "/staff/", "/account/", "/preferences/", "/language/")
# The session lives in a cookie (about 4 KB at most): keep the stored tags well below that.
SESSION_BUDGET = 1500


def _external_referrer():
    referrer = request.referrer or ""
    host = urlsplit(referrer).netloc
    return referrer if host and host != request.host else ""


def _fit_budget(values):
    # Non-ASCII is stored as \uXXXX escapes; halve the longest value until the whole fits.
    while len(json.dumps(values)) > SESSION_BUDGET:
        longest = max(values, key=lambda name: len(json.dumps(values[name])))
        values[longest] = values[longest][: len(values[longest]) // 2]
    return values


def capture_attribution():
    """Remember the first landing page of the session, its tags and its outside referrer."""
    if request.method != "GET" or request.endpoint in (None, "static") or SESSION_KEY in session:
        return
    if request.path.startswith(SKIPPED_PREFIXES):
        return
    args = request.args
    raw = {
        "source": args.get("src", ""),
        **{name: args.get(name, "") for name in UTM_FIELDS},
        "landing_page": request.path,
        "referrer": _external_referrer(),
    }
    values = {name: clean_value(value, SIZES[name]) for name, value in raw.items()}
    session[SESSION_KEY] = _fit_budget({name: value for name, value in values.items() if value})


def current_attribution():
    """Return the AttributionMixin fields for a signup or inquiry made in this session."""
    stored = session.get(SESSION_KEY) or {}
    if not isinstance(stored, dict):
        stored = {}
    return {name: clean_value(str(stored.get(name, "")), size) for name, size in SIZES.items()}


def current_visit():
    """Return the Visit (language, address, browser, attribution) of the request being handled."""
    return Visit(
        language=str(get_locale()),
        ip_address=request.remote_addr or "",
        user_agent=clean_value(request.user_agent.string, 300),
        attribution=current_attribution(),
    )

"""Response headers, the session id, and safe redirect targets."""

import secrets
from urllib.parse import urlsplit

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

SESSION_ID_KEY = "sid"
PRIVATE_PATHS = ("/staff/", "/account/")


def content_security_policy(extra=None):
    """Return the CSP: same origin only, plus sources a view adds in `g.csp_extra`."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    }
    for directive, sources in (extra or {}).items():
        kept = [s for s in directives.get(directive, []) if s != "'none'"]
        directives[directive] = kept + [s for s in sources if s not in kept]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


DEFAULT_POLICY = content_security_policy()  # what most pages send: built once


def set_security_headers(response):
    """Add the security headers to every response."""
    # A view may replace the whole policy (g.csp_policy) for a document it frames itself.
    extra = g.get("csp_extra")
    policy = g.get("csp_policy") or (content_security_policy(extra) if extra else DEFAULT_POLICY)
    headers = response.headers
    headers["Content-Security-Policy"] = policy
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = g.get("frame_options", "DENY")
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    asked = request._get_current_object()
    if asked.path.startswith(PRIVATE_PATHS):
        # Staff screens and a person's account hold personal data: no browser or proxy keeps a copy
        # (the back button after logout, a shared computer, a caching proxy).
        response.headers["Cache-Control"] = "no-store"
    if asked.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def limit_form_size():
    """Cap a plain form post far below the upload limit, before anything reads its body.

    A 9 MB field once cost seconds of CPU in the validators; now the body is refused with 413
    before it is parsed. Multipart uploads keep MAX_CONTENT_LENGTH (their text parts are held
    to MAX_FORM_MEMORY_SIZE by Werkzeug).
    """
    # JSON is Stripe's signed webhook, read as raw bytes, never as a form.
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype not in (
        "multipart/form-data",
        "application/json",
    ):
        config = current_app.config
        request.max_content_length = min(
            config["MAX_FORM_BYTES"], config["MAX_CONTENT_LENGTH"] or config["MAX_FORM_BYTES"]
        )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signing serializer built once per set of keys.

    Flask builds a new serializer twice a request (opening and saving the session), and building
    one serializes a probe object to check its type: about a tenth of a kept public page's time.
    """

    def __init__(self):
        self.serializers = {}

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self.serializers.get(keys)
        if found is None:
            found = self.serializers.setdefault(keys, super().get_signing_serializer(app))
        return found


def ensure_session_id(response):
    """Give every stored session an id of its own, so a new one is visible at login."""
    if session and SESSION_ID_KEY not in session:
        session[SESSION_ID_KEY] = secrets.token_urlsafe(24)
    return response


def start_new_session():
    """Drop everything in the session and give it a new id (against session fixation)."""
    session.clear()
    session[SESSION_ID_KEY] = secrets.token_urlsafe(24)


def safe_next_url(target, fallback):
    """Return `target` if it is a path on this site, else `fallback`."""
    if not target or not isinstance(target, str):
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


def is_production():
    """Return True when running without debug or testing."""
    return not current_app.debug and not current_app.testing

"""Limits on the public forms: each form its own budget per address, counted on what it accepts.

A household, an office or a school shares one address; a newsroom sends many inquiries in a
morning, a class signs up together. So each form (newsletter, inquiries, a gift, the checkout...)
has its own count per address, `PUBLIC_FORM_LIMIT` (default "60 per hour;20 per minute": an hour's
budget and a burst), and only a sending that was taken counts: one that stored something (a
signup, an inquiry, a gift, a declined card, which keeps card testing slow) or was answered as
done. A form sent back for a typo counts nothing. The counts live in the limiter's storage
(`RATELIMIT_STORAGE_URI`: Redis shares them between processes).

When a form's budget is spent, the form is not lost behind an error page: it is shown again,
status 429, with what was typed (never the card: it lives in Stripe's field) and how long to wait.
The check is a validator of the bot trap every public form declares (crm.supporters.spam), so the
form is refused like any other wrong answer, before anything is stored.
"""

import time
from functools import wraps

from flask import current_app, g, has_request_context, make_response, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse_many
from sqlalchemy import event
from sqlalchemy.orm import Session
from wtforms.validators import ValidationError

from crm.errors import wait_message
from crm.extensions import limiter

SCOPE = "public-form"
DEFAULT_LIMIT = "60 per hour;20 per minute"


def _identifiers():
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [*([prefix] if prefix else []), SCOPE, request.endpoint or "", get_remote_address() or "?"]


def _limits():
    return list(parse_many(current_app.config.get("PUBLIC_FORM_LIMIT") or DEFAULT_LIMIT))


@event.listens_for(Session, "after_commit")
def _note_commit(session):
    if has_request_context() and "form_commits" in g:
        g.form_commits += 1


def _wait_seconds(item, identifiers):
    reset, _remaining = limiter.limiter.get_window_stats(item, *identifiers)
    seconds = max(1, int(reset - time.time()) + 1)
    # Nearly a whole window reads as the window ("an hour"), not "60 minutes".
    return item.get_expiry() if seconds > item.get_expiry() * 0.95 else seconds


def public_form_limit(view):
    """Give a public form's POSTs their own budget per address, spent only by a sending it took."""

    @wraps(view)
    def limited(*args, **kwargs):
        if request.method != "POST" or not limiter.enabled:
            return view(*args, **kwargs)
        items, identifiers = _limits(), _identifiers()
        spent = next((item for item in items if not limiter.limiter.test(item, *identifiers)), None)
        g.form_limit_wait = _wait_seconds(spent, identifiers) if spent is not None else None
        g.form_commits = 0
        response = make_response(view(*args, **kwargs))
        if spent is not None:
            if response.status_code == 400:  # shown again, as the trap's validator refused it
                response.status_code = 429
                response.headers["Retry-After"] = str(g.form_limit_wait)
        elif response.status_code < 400 or g.form_commits:
            for item in items:
                limiter.limiter.hit(item, *identifiers)
        return response

    return limited


def check_form_limit(form, field):
    """Refuse the form while its budget for this address is spent, saying how long to wait."""
    seconds = g.get("form_limit_wait") if has_request_context() else None
    if seconds is None:
        return
    message = " ".join(
        (
            str(_l("Many forms have been sent from your address (a shared office or school network, perhaps).")),
            wait_message(seconds),
            str(_l("What you typed is kept below.")),
        )
    )
    if message not in form.form_errors:
        form.form_errors.append(message)
    raise ValidationError(message)

"""Keeping bots out of the public forms without third-party services.

Three checks: a honeypot field people never see, a signed timestamp (a person needs a few
seconds to fill a form), and a per-form, per-address limit on what is accepted (crm.supporters.form_limits,
checked by the honeypot field's validator, which every public form declares). A caught bot is answered exactly
like a person (the thank-you page) but nothing is stored, so it learns nothing.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import HiddenField, StringField

from crm.supporters.form_limits import check_form_limit, public_form_limit
from crm.utc import utcnow

__all__ = ["honeypot_field", "looks_like_spam", "public_form_limit", "started_field"]

HONEYPOT_CLASS = "hp-field"
_SALT = "crm.public-form-started"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_stamp():
    """Return a signed token of the moment the form was shown."""
    return _serializer().dumps("form")


def stamp_age(token, now=None):
    """Return how many seconds ago the token was issued, or None if it is missing or forged."""
    if not isinstance(token, str) or not token:
        return None
    try:
        _, issued = _serializer().loads(token, return_timestamp=True)
    except BadData:
        return None
    return ((now or utcnow()) - issued).total_seconds()


def honeypot_field():
    """Return the trap field; declare it last in a form (people never see it, bots fill it)."""
    return StringField(
        _l("Leave this field empty"),
        validators=[check_form_limit],
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )


def started_field():
    """Return the hidden field holding the signed time the form was shown."""
    return HiddenField(default=issue_stamp)


def looks_like_spam(form, now=None):
    """Return True if the honeypot is filled in, or the form came back too fast or unsigned."""
    if form.website.data:
        return True
    age = stamp_age(form.started.data, now)
    return age is None or age < current_app.config.get("FORM_MIN_SECONDS", 3)

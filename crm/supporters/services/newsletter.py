"""Newsletter double opt-in: the subscription becomes consent when the emailed link is followed."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from crm.extensions import db
from crm.supporters.models import Signup, Supporter
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import add_activity
from crm.supporters.services.preferences import PreferenceLinkError
from crm.supporters.signals import subscription_confirmed
from crm.supporters.wording import WORDING
from crm.utc import utcnow


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-confirm")


def hold_newsletter_consent(signup, shown, ip_address="", user_agent=""):
    """Keep the ticked box's words and where it was ticked on the signup, until confirmed."""
    signup.consent_wording, signup.consent_version = shown.text, shown.version
    signup.consent_ip, signup.consent_user_agent = (ip_address or "")[:45], (user_agent or "")[:300]


def _language_of(signup):
    """The language the held words were shown in (a page in English may sign up for French emails)."""
    texts = WORDING.get(("newsletter", signup.consent_version), {})
    return next((code for code, text in texts.items() if text == signup.consent_wording), signup.language)


def make_confirmation_token(signup_id):
    """Return the signed token of a signup's confirmation link."""
    return _serializer().dumps(int(signup_id))


def read_confirmation_token(token):
    """Return the signup a confirmation token names; PreferenceLinkError if it was altered."""
    try:
        signup = db.session.get(Signup, int(_serializer().loads(token)))
    except (BadSignature, TypeError, ValueError, OverflowError) as error:
        raise PreferenceLinkError("invalid") from error
    if signup is None or not signup.consent_version:
        raise PreferenceLinkError("invalid")
    return signup


def _current_record(supporter):
    seen = set()
    while supporter.merged_into_id and supporter.id not in seen:
        seen.add(supporter.id)
        supporter = db.session.get(Supporter, supporter.merged_into_id)
    return supporter


def confirm_newsletter(signup, ip_address="", user_agent="", now=None):
    """Turn the held consent into an express consent record, once; return it (None if done before)."""
    if signup.confirmed_at is not None:
        return None
    now = now or utcnow()
    supporter = _current_record(db.session.get(Supporter, signup.supporter_id))
    if supporter.erased_at:
        return None
    record = grant_consent(
        supporter,
        "newsletter",
        "express",
        wording=signup.consent_wording,
        wording_version=signup.consent_version,
        form=f"{signup.form} + email confirmation",
        language=_language_of(signup),
        ip_address=signup.consent_ip,
        user_agent=signup.consent_user_agent,
        reference=f"signup:{signup.id}; confirmed from {ip_address or '?'}"[:100],
        now=now,
    )
    signup.confirmed_at = now
    add_activity(supporter, "signup", "Confirmed the newsletter subscription", {"signup": signup.id}, now=now)
    db.session.flush()
    subscription_confirmed.send(supporter=supporter, signup=signup)
    return record

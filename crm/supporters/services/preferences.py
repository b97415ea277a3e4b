"""The preference centre: a signed link per person (no login), and the changes made there."""

from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from crm.extensions import db
from crm.supporters.models import PURPOSES, Supporter
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import consent_state, grant_consent, withdraw_consent
from crm.supporters.services.intake import add_activity
from crm.utc import utcnow

FORM = "preference_centre"


class PreferenceLinkError(SupporterError):
    """The link was altered, or is too old."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="preference-centre")


def link_lifetime():
    """Return how long a preference link works (at least 60 days, as CASL asks)."""
    return timedelta(days=max(60, current_app.config.get("PREFERENCE_LINK_DAYS", 90)))


def make_preference_token(supporter, now=None):
    """Return a signed token naming the supporter and when it was issued."""
    issued = int((now or utcnow()).timestamp())
    return _serializer().dumps({"s": supporter.id, "t": issued})


def read_preference_token(token, now=None):
    """Return the supporter a token names (following merges); raise PreferenceLinkError."""
    try:
        data = _serializer().loads(token)
        supporter_id, issued = int(data["s"]), datetime.fromtimestamp(int(data["t"]), UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError) as error:
        raise PreferenceLinkError("invalid") from error
    if (now or utcnow()) - issued > link_lifetime():
        raise PreferenceLinkError("expired")
    supporter = db.session.get(Supporter, supporter_id)
    seen = set()
    while supporter is not None and supporter.merged_into_id and supporter.id not in seen:
        seen.add(supporter.id)
        supporter = db.session.get(Supporter, supporter.merged_into_id)
    if supporter is None:
        raise PreferenceLinkError("invalid")
    return supporter


def current_subscriptions(supporter, now=None):
    """Return {purpose: True/False}: may the person get this kind of email now."""
    return {purpose: consent_state(supporter, purpose, now).allowed for purpose in PURPOSES}


def update_preferences(supporter, wanted, language, *, shown=None, ip_address="", user_agent="", now=None):
    """Apply the choices made in the preference centre; return the purposes that changed.

    A newly ticked box is express consent with the exact words shown next to it (`shown`,
    {purpose: ShownWording} of the page that was sent: its language, not the emails' `language`
    chosen in the same request); an unticked one is a withdrawal. Every change is a consent record.
    """
    shown = shown or {}
    now = now or utcnow()
    current = current_subscriptions(supporter, now)
    changed = []
    for purpose in PURPOSES:
        if wanted.get(purpose) and not current[purpose]:
            words = shown.get(purpose)
            if words is None:
                raise SupporterError(f"the words shown for {purpose!r} are missing")
            grant_consent(
                supporter,
                purpose,
                "express",
                wording=words.text,
                wording_version=words.version,
                form=FORM,
                language=words.language,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
            changed.append(purpose)
        elif not wanted.get(purpose) and current[purpose]:
            withdraw_consent(supporter, purpose, form=FORM, ip_address=ip_address, user_agent=user_agent, now=now)
            changed.append(purpose)
    if language and language != supporter.language:
        add_activity(supporter, "edit", f"language: {supporter.language} -> {language}", {"form": FORM}, now=now)
        supporter.language = language
    return changed


def unsubscribe_everything(supporter, *, form=FORM, ip_address="", user_agent="", now=None):
    """Withdraw consent for every purpose at once."""
    return withdraw_consent(supporter, "all", form=form, ip_address=ip_address, user_agent=user_agent, now=now)

"""What each signal queues: the follow-up emails of signups, inquiries and accounts.

Receivers run inside the transaction of the event that caused them, so the email and its
cause are committed together (or not at all).
"""

import hashlib

from blinker import signal
from flask import current_app
from flask_babel import get_locale

from crm.accounts.signals import password_reset_requested, signup_requested
from crm.mail.services.outbox import enqueue_email
from crm.mail.services.sequences import enrol, stop_enrolments
from crm.supporters import signals as supporters
from crm.utc import utcnow

FUNDRAISER_SEQUENCE = "fundraiser_follow_up"


def _to_supporter(key, template, supporter, purpose="transactional", **context):
    return enqueue_email(
        key,
        template,
        supporter.email,
        to_name=supporter.display_name,
        supporter=supporter,
        language=supporter.language,
        purpose=purpose,
        context=context,
    )


def _to_team(key, template, address, **context):
    return enqueue_email(key, template, address, purpose="internal", language="en", context=context)


def _details(record, fields):
    return "\n".join(f"{label}: {getattr(record, name) or '-'}" for name, label in fields)


def on_signed_up(sender=None, supporter=None, signup=None, **extra):
    if signup.awaits_confirmation:
        # Double opt-in: the newsletter box counts once the person follows this email's link.
        # One a day per person however often the form is sent (the first link confirms).
        day = utcnow().date().isoformat()
        _to_supporter(
            f"newsletter-confirm:supporter:{supporter.id}:{day}", "newsletter_confirm", supporter, signup_id=signup.id
        )
    if signup.form == "fundraiser_interest":
        # Sent under the implied consent the request gives, so it carries an unsubscribe link.
        _to_supporter(
            f"guide:supporter:{supporter.id}",
            "fundraiser_guide",
            supporter,
            purpose="fundraiser_tips",
            attachments=["guide_pdf"],
        )
        details = _details(signup, [("event_kind", "Event"), ("planned_on", "Planned date"), ("message", "Message")])
        _to_team(
            f"fundraiser-lead:signup:{signup.id}",
            "fundraiser_lead",
            current_app.config["EVENTS_TEAM_EMAIL"],
            lead_name=supporter.display_name,
            lead_email=supporter.email,
            lead_phone=supporter.phone or "-",
            details=details,
        )
        enrol(supporter, FUNDRAISER_SEQUENCE)


INQUIRY_FIELDS = {
    "media": [
        ("outlet", "Outlet"),
        ("deadline", "Deadline"),
        ("phone", "Phone"),
        ("topic", "Topic"),
        ("message", "Message"),
    ],
    "events": [("topic", "Topic"), ("message", "Message")],
}


def on_subscription_confirmed(sender=None, supporter=None, signup=None, **extra):
    _to_supporter(f"newsletter-welcome:supporter:{supporter.id}", "newsletter_welcome", supporter, purpose="newsletter")


def on_inquiry_received(sender=None, supporter=None, inquiry=None, **extra):
    team = current_app.config["MEDIA_CONTACT_EMAIL" if inquiry.kind == "media" else "EVENTS_TEAM_EMAIL"]
    _to_supporter(f"{inquiry.kind}-ack:inquiry:{inquiry.id}", f"{inquiry.kind}_ack", supporter, topic=inquiry.topic)
    _to_team(
        f"{inquiry.kind}-notify:inquiry:{inquiry.id}",
        f"{inquiry.kind}_notify",
        team,
        sender_name=inquiry.name,
        sender_email=inquiry.email,
        details=_details(inquiry, INQUIRY_FIELDS[inquiry.kind]),
    )


def on_consent_withdrawn(sender=None, supporter=None, purpose=None, **extra):
    if purpose in ("all", "fundraiser_tips"):
        stop_enrolments(supporter, "unsubscribed", trigger="fundraiser_interest")


def on_page_started(sender=None, supporter=None, **extra):
    stop_enrolments(supporter, "started_fundraiser_page", trigger="fundraiser_interest")


def on_password_reset_requested(sender=None, user=None, **extra):
    # One email per account per minute, however often the form is sent.
    minute = int(utcnow().timestamp() // 60)
    enqueue_email(
        f"password-reset:user:{user.id}:{minute}",
        "password_reset",
        user.email,
        language=str(get_locale() or "en"),
        purpose="transactional",
        context={"user_id": user.id},
    )


def on_signup_requested(sender=None, email=None, user=None, next_url="", **extra):
    # A link to finish, or a note to the owner that they have an account: one a minute per address.
    # The link goes on to where they were going (next_url, a path on this site) from any browser.
    minute = int(utcnow().timestamp() // 60)
    address_key = hashlib.sha256(email.encode()).hexdigest()[:16]
    enqueue_email(
        f"account-signup:{address_key}:{minute}",
        "account_signup" if user is None else "account_exists",
        email,
        language=str(get_locale() or "en"),
        purpose="transactional",
        context={"next_url": next_url} if next_url else None,
    )


def connect():
    """Subscribe the receivers (weakly referenced module functions stay alive)."""
    supporters.signed_up.connect(on_signed_up)
    supporters.inquiry_received.connect(on_inquiry_received)
    supporters.subscription_confirmed.connect(on_subscription_confirmed)
    supporters.consent_withdrawn.connect(on_consent_withdrawn)
    signal("fundraising.page_started").connect(on_page_started)
    password_reset_requested.connect(on_password_reset_requested)
    signup_requested.connect(on_signup_requested)

"""What the public forms do: newsletter signup, fundraiser interest, media and events inquiries.

Each one finds or creates the one record of the person, keeps the row as typed with its source,
records the consent given (with the exact words shown), notes it on the timeline, and announces
it with a signal once the rows are flushed. Nothing is emailed from here.
"""

from dataclasses import dataclass

from crm.extensions import db
from crm.normalize import normalize_email
from crm.supporters.models import INQUIRY_KINDS, Inquiry, Signup
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import add_activity, find_or_create_supporter
from crm.supporters.services.newsletter import hold_newsletter_consent
from crm.supporters.signals import inquiry_received, signed_up
from crm.supporters.visits import supporter_source
from crm.utc import utcnow

EVENT_KINDS = ("birthday", "polar_dip", "run_walk", "in_memory", "other")


@dataclass(frozen=True)
class ShownWording:
    """The exact words of a consent box the person ticked, their version, and the language they were shown in."""

    text: str
    version: str
    language: str = ""


def split_name(name):
    """Return (first, last) from a full name typed in one field: the first word, then the rest."""
    first, _, last = (name or "").strip().partition(" ")
    return first[:100], last.strip()[:100]


def _intake(visit, email, now, **profile):
    if not normalize_email(email):
        raise SupporterError("an email address is required")
    return find_or_create_supporter(email, source=supporter_source(visit.attribution), now=now, **profile)


def _details(record, conflicts, **extra):
    details = {"id": record.id, **extra}
    if conflicts:
        details["conflicts"] = conflicts
    return details


def sign_up_for_newsletter(visit, email, *, first_name="", language="en", consent, now=None):
    """Sign someone up for the newsletter; consent counts once they confirm by email. Return the Signup."""
    now = now or utcnow()
    if consent is None:
        raise SupporterError("the newsletter needs express consent")
    supporter, _, conflicts = _intake(visit, email, now, first_name=first_name, language=language)
    signup = Signup(
        supporter_id=supporter.id,
        form="newsletter",
        language=language,
        created_at=now,
        **visit.attribution_fields(),
    )
    hold_newsletter_consent(signup, consent, visit.ip_address, visit.user_agent)
    db.session.add(signup)
    db.session.flush()
    add_activity(supporter, "signup", "Signed up for the newsletter", _details(signup, conflicts), now=now)
    db.session.flush()
    signed_up.send(supporter=supporter, signup=signup)
    return signup


def register_fundraiser_interest(
    visit,
    email,
    *,
    first_name,
    last_name,
    event_kind,
    phone="",
    planned_on=None,
    message="",
    newsletter_consent=None,
    now=None,
):
    """Record that someone wants to learn about starting a fundraiser; return the Signup.

    The inquiry itself gives implied consent (6 months) for the follow-up tips; the newsletter
    needs its own ticked box (`newsletter_consent`, the words shown, or None).
    """
    now = now or utcnow()
    if event_kind not in EVENT_KINDS:
        raise SupporterError(f"unknown kind of event {event_kind!r}")
    supporter, _, conflicts = _intake(
        visit, email, now, first_name=first_name, last_name=last_name, phone=phone, language=visit.language
    )
    signup = Signup(
        supporter_id=supporter.id,
        form="fundraiser_interest",
        language=visit.language,
        event_kind=event_kind,
        planned_on=planned_on,
        message=message or "",
        created_at=now,
        **visit.attribution_fields(),
    )
    db.session.add(signup)
    db.session.flush()
    grant_consent(
        supporter,
        "fundraiser_tips",
        "implied_inquiry",
        form="fundraiser_interest",
        language=visit.language,
        ip_address=visit.ip_address,
        user_agent=visit.user_agent,
        now=now,
    )
    if newsletter_consent is not None:
        hold_newsletter_consent(signup, newsletter_consent, visit.ip_address, visit.user_agent)
    details = _details(signup, conflicts, event_kind=event_kind, newsletter=newsletter_consent is not None)
    add_activity(supporter, "signup", "Asked to learn more about starting a fundraiser", details, now=now)
    db.session.flush()
    signed_up.send(supporter=supporter, signup=signup)
    return signup


def receive_inquiry(visit, kind, email, *, name, phone="", outlet="", deadline=None, topic="", message="", now=None):
    """Record a media or events inquiry for staff to answer; return the Inquiry."""
    now = now or utcnow()
    if kind not in INQUIRY_KINDS:
        raise SupporterError(f"unknown kind of inquiry {kind!r}")
    first_name, last_name = split_name(name)
    supporter, _, conflicts = _intake(
        visit,
        email,
        now,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        organization=outlet,
        language=visit.language,
    )
    inquiry = Inquiry(
        supporter_id=supporter.id,
        kind=kind,
        name=name,
        email=email.strip(),
        phone=phone,
        outlet=outlet,
        deadline=deadline,
        topic=topic,
        message=message,
        language=visit.language,
        created_at=now,
        **visit.attribution_fields(),
    )
    db.session.add(inquiry)
    db.session.flush()
    summary = f"{'Media' if kind == 'media' else 'Events'} inquiry: {topic}"
    add_activity(supporter, "inquiry", summary, _details(inquiry, conflicts, kind=kind), now=now)
    db.session.flush()
    inquiry_received.send(supporter=supporter, inquiry=inquiry)
    return inquiry

"""The emails of fundraiser pages: a gift came in, a milestone was reached, staff decided, coaching, teams.

Receivers of the fundraising signals; they run inside the transaction of the event (the email
and its cause are committed together) and never commit. Everything sent to a fundraiser names a
donor only as the donor chose for the wall, and never carries the donor's email address.
"""

from datetime import UTC, datetime, time

from flask_babel import lazy_gettext as _l

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import FundraiserPage
from crm.fundraising.models.campaigns import OCCASION_LABELS
from crm.fundraising.services.totals import page_total
from crm.i18n import money_in
from crm.mail.models import OutboundEmail
from crm.mail.services.editor import PreviewChoice, offer_preview_choice
from crm.mail.services.outbox import cancel_email, enqueue_email
from crm.mail.services.sequences import (
    DEFAULT_SEQUENCES,
    event_step_plan,
    find_enrolment,
    set_enrolment_state,
    stop_enrolment,
    stop_enrolments,
)
from crm.mail.services.sequences import enrol as enrol_in_sequence
from crm.mail.signals import enrolment_moved
from crm.supporters import signals as supporters
from crm.utc import utcnow

COACHING_SEQUENCE = "fundraiser_page_coaching"
COACHING_TRIGGER = "fundraiser_page_published"
PAGE_SUBJECT = "fundraiser_page:"
# A page's coaching stopped because the page closed lets its event emails come back if it reopens.
PAGE_CLOSED = "page_closed"
PAGE_HIDDEN = "page_hidden"  # why a hidden page's coaching is paused
DECISIONS = ("approved", "declined", "hidden", "unhidden", "edits_approved", "edits_declined", "offline_rejected")


def _to_fundraiser(key, template, page, **context):
    """Queue a transactional message to the page's fundraiser, in the page's language."""
    fundraiser = page.supporter
    if fundraiser is None or not fundraiser.email:
        return None
    return enqueue_email(
        key,
        template,
        fundraiser.email,
        to_name=fundraiser.display_name,
        supporter=fundraiser,
        language=page.language or fundraiser.language,
        purpose="transactional",
        context={"page_id": page.id, "page_slug": page.slug, "page_title": page.title, **context},
    )


def wall_name(donation):
    """The donor's name as they chose to show it ("" for anonymous: the copy says so in its language)."""
    return donation.wall_name.strip() if donation.show_on_wall and donation.wall_name else ""


def on_page_gift_credited(sender=None, page_gift=None, now=None, **extra):
    page = page_gift.page
    if page is None:
        return  # a gift to the campaign alone
    now = now or utcnow()
    donation = page_gift.donation
    _to_fundraiser(
        f"page-gift:{page_gift.id}",
        "fundraiser_page_gift",
        page,
        donor_name=wall_name(donation),
        # A donor who hid their amount from the page hid it from the fundraiser too.
        amount="" if page_gift.hide_amount else money_in(donation.amount_cents, donation.currency, page.language),
        donor_message=donation.message or "",
    )
    page_gift.notified_at = page_gift.notified_at or now
    queue_milestone(page)


def queue_milestone(page):
    """Email the highest milestone reached since the last one emailed (once each); return it or 0."""
    total, _ = page_total(page)
    milestone = page.next_milestone(total)
    if milestone <= 0:
        return 0
    _to_fundraiser(
        f"page-milestone:{page.id}:{milestone}",
        "fundraiser_page_milestone",
        page,
        milestone=milestone,
        raised=money_in(total, page.currency, page.language),
        goal=money_in(page.goal_cents, page.currency, page.language),
    )
    page.milestone = milestone
    return milestone


def on_page_decided(sender=None, page=None, decision=None, reason="", now=None, **extra):
    if decision not in DECISIONS:
        return
    now = now or utcnow()
    _to_fundraiser(
        f"page-decided:{page.id}:{decision}:{now.isoformat()}",
        "fundraiser_page_decision",
        page,
        decision=decision,
        reason=reason or "",
        amount=extra.get("amount", ""),  # of a reported cash or cheque gift staff did not verify
    )
    # This page's coaching waits while staff hide it ("share it with five people" would lead nowhere).
    # Unhiding resumes only that pause: a series staff paused themselves stays paused.
    enrolment = page_coaching(page) if decision in ("hidden", "unhidden") else None
    if enrolment is not None and decision == "hidden" and enrolment.can_move_to("paused"):
        set_enrolment_state(enrolment, "paused", now, reason=PAGE_HIDDEN)
    elif enrolment is not None and decision == "unhidden" and enrolment.stopped_reason == PAGE_HIDDEN:
        set_enrolment_state(enrolment, "active", now)
    if decision in ("hidden", "unhidden", "approved"):
        schedule_event_emails(page, now)


def coaching_subject(page):
    """What a page's coaching enrolment is about: each page has its own series."""
    return f"{PAGE_SUBJECT}{page.id}"


def page_coaching(page):
    """The coaching enrolment of this page, or None (a page live before each page had its own)."""
    if page.supporter is None:
        return None
    return find_enrolment(page.supporter, COACHING_SEQUENCE, coaching_subject(page))


def on_page_published(sender=None, page=None, now=None, **extra):
    # One coaching series per page (a second page of another occasion has its own); it speaks of this page.
    enrol_in_sequence(
        page.supporter, COACHING_SEQUENCE, now=now, context=coaching_context(page), subject_key=coaching_subject(page)
    )
    schedule_event_emails(page, now)


def on_enrolment_moved(sender=None, enrolment=None, now=None, **extra):
    # Staff paused, resumed or stopped a page's coaching: its event emails follow (cancelled, or planned again).
    if enrolment.sequence.key != COACHING_SEQUENCE or not enrolment.subject_key.startswith(PAGE_SUBJECT):
        return
    page = db.session.get(FundraiserPage, int(enrolment.subject_key.removeprefix(PAGE_SUBJECT)))
    if page is not None:
        schedule_event_emails(page, now)


def _numbered(prefix, middle=""):
    """A dedupe key: `prefix`, `middle`, and how many messages were queued under `prefix` before.

    So a thing that may happen again (a date moved back, a page asking again once turned away) is
    a new message each time, and the same one twice is still one.
    """
    sent = db.session.scalar(
        db.select(db.func.count(OutboundEmail.id)).where(OutboundEmail.dedupe_key.startswith(prefix))
    )
    return f"{prefix}{middle}{sent}"


EVENT_HOUR_UTC = 14  # the event steps count from mid-morning across Canada on the page's event day


def _occasion(page):
    return page.occasion.kind if page.occasion is not None else "own_idea"


def coaching_context(page):
    """What the coaching messages may say of the page (its address, title and occasion), and their language.

    A page's series speaks the page's language, as its gift, milestone and event emails do.
    """
    context = {"page_id": page.id, "page_slug": page.slug, "page_title": page.title, "occasion": _occasion(page)}
    return {**context, "language": page.language} if page.language else context


def _queued_event_emails(*where):
    query = db.select(OutboundEmail).where(
        OutboundEmail.status == "queued", OutboundEmail.dedupe_key.startswith("page-event:"), *where
    )
    return db.session.scalars(query).all()


def _event_plan(page):
    """[(step, due_at)] of the page's event steps, or [] when none should be planned now."""
    if page.status != "live" or page.event_on is None or page.supporter is None or not page.supporter.email:
        return []
    coaching = page_coaching(page)
    if coaching is not None and not coaching.lets_event_steps_through(passing_stops=(PAGE_CLOSED,)):
        return []  # staff paused or stopped this page's coaching, or the fundraiser opted out
    return event_step_plan(COACHING_SEQUENCE, datetime.combine(page.event_on, time(EVENT_HOUR_UTC), UTC))


def schedule_event_emails(page, now=None):
    """Queue the coaching steps timed on a live page's event (again when its date moves); return them.

    The steps, their timing and their copy are the coaching sequence's event steps, which staff edit;
    they are fundraiser_tips messages: consent is checked again when each is sent. A plan already
    queued as it should be is kept, so asking twice queues nothing new.
    """
    now = now or utcnow()
    plan = [(step, due) for step, due in _event_plan(page) if due > now]
    queued = _queued_event_emails(OutboundEmail.dedupe_key.startswith(f"page-event:{page.id}:"))
    if sorted((email.template, email.due_at) for email in queued) == sorted((s.template, due) for s, due in plan):
        return queued
    # A moved date, a retimed step, a page no longer live: what was planned stands no more.
    for email in queued:
        cancel_email(email)
    queued = []
    for step, due in plan:
        # Each plan is new (a date moved back, a page shown again after hiding): counted in the key.
        queued.append(
            enqueue_email(
                _numbered(f"page-event:{page.id}:{step.template}:", f"{page.event_on.isoformat()}:"),
                step.template,
                page.supporter.email,
                to_name=page.supporter.display_name,
                supporter=page.supporter,
                language=page.language or page.supporter.language,
                purpose=step.purpose,
                context=coaching_context(page),
                due_at=due,
                now=now,
            )
        )
    return queued


def on_page_closed(sender=None, page=None, now=None, **extra):
    schedule_event_emails(page, now)  # cancels them: a closed page has no event to prepare
    coaching = page_coaching(page)  # this page's series only: the fundraiser's other pages keep theirs
    if coaching is not None and coaching.can_move_to("stopped"):
        stop_enrolment(coaching, PAGE_CLOSED, now or utcnow())


def _fundraiser_name(page):
    """The name a page's fundraiser goes by, for another fundraiser: never their email address."""
    person = page.supporter
    return " ".join(part for part in (getattr(person, "first_name", ""), getattr(person, "last_name", "")) if part)


def _captain_page(team):
    """The captain's own page in the team (their name, address and language), or None."""
    return next((page for page in team.members if page.user_id == team.captain_user_id), None)


def on_team_join_requested(sender=None, page=None, team=None, now=None, **extra):
    """Tell the captain who asks to join their closed team, with the way to their screen; once per request."""
    captain = _captain_page(team)
    if captain is None:
        return None  # a team without a captain: staff see its waiting pages
    return _to_fundraiser(
        _numbered(f"team-request:{team.id}:{page.id}:"),
        "fundraiser_team_request",
        captain,
        team_id=team.id,
        team_name=team.name,
        member_page_title=page.title,
        member_name=_fundraiser_name(page),
    )


def on_team_request_decided(sender=None, page=None, team=None, admitted=False, now=None, **extra):
    """Tell the fundraiser who asked what the captain decided; once per decision."""
    return _to_fundraiser(
        _numbered(f"team-decided:{team.id}:{page.id}:"),
        "fundraiser_team_decision",
        page,
        decision="admitted" if admitted else "turned_away",
        team_name=team.name,
        team_slug=team.slug,
    )


def on_consent_withdrawn(sender=None, supporter=None, purpose=None, **extra):
    # Each step checks consent anyway; stopping says so on the person's record too.
    if purpose in ("all", "fundraiser_tips"):
        stop_enrolments(supporter, "unsubscribed", trigger=COACHING_TRIGGER)
        for email in _queued_event_emails(OutboundEmail.supporter_id == supporter.id):
            cancel_email(email)


def occasion_preview():
    """The occasion staff pick to preview the coaching as that occasion's fundraiser gets it."""
    return PreviewChoice(
        "occasion",
        _l("Page occasion"),
        {"": _l("None (the general wording)"), **OCCASION_LABELS},
        frozenset(step[2] for step in DEFAULT_SEQUENCES[COACHING_SEQUENCE]["steps"]),
        sample={"page_id": 1, "page_slug": "alex-for-child-safety", "page_title": "Alex for child safety"},
    )


def connect():
    """Subscribe the receivers (weakly referenced module functions stay alive); offer the occasion to previews."""
    offer_preview_choice(occasion_preview())
    signals.page_gift_credited.connect(on_page_gift_credited)
    signals.page_decided.connect(on_page_decided)
    signals.page_published.connect(on_page_published)
    signals.page_closed.connect(on_page_closed)
    signals.team_join_requested.connect(on_team_join_requested)
    signals.team_request_decided.connect(on_team_request_decided)
    supporters.consent_withdrawn.connect(on_consent_withdrawn)
    enrolment_moved.connect(on_enrolment_moved)

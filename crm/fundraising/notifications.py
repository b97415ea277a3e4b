"""The emails of fundraiser pages: a gift came in, a milestone was reached, staff decided, coaching, teams.

Receivers of the fundraising signals; they run inside the transaction of the event (the email
and its cause are committed together) and never commit. Everything sent to a fundraiser names a
donor only as the donor chose for the wall, and never carries the donor's email address.
"""

from datetime import UTC, datetime, time

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import FundraiserPage
from crm.fundraising.services.totals import page_total
from crm.i18n import money_in
from crm.mail.models import Enrolment, OutboundEmail, Sequence
from crm.mail.services.outbox import cancel_email, enqueue_email
from crm.mail.services.sequences import enrol as enrol_in_sequence
from crm.mail.services.sequences import event_step_plan, set_enrolment_state, stop_enrolments
from crm.supporters import signals as supporters
from crm.utc import utcnow

COACHING_SEQUENCE = "fundraiser_page_coaching"
COACHING_TRIGGER = "fundraiser_page_published"
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
    # Coaching waits while staff hide the page ("share it with five people" would lead nowhere).
    if decision in ("hidden", "unhidden", "approved"):
        schedule_event_emails(page, now)
    if decision in ("hidden", "unhidden"):
        enrolment = coaching_enrolment(page.supporter)
        state = "paused" if decision == "hidden" else "active"
        if enrolment is not None and enrolment.can_move_to(state) and not _other_live_page(page):
            set_enrolment_state(enrolment, state, now)


def coaching_enrolment(supporter):
    return db.session.scalar(
        db.select(Enrolment)
        .join(Sequence, Sequence.id == Enrolment.sequence_id)
        .where(Sequence.key == COACHING_SEQUENCE, Enrolment.supporter_id == supporter.id)
    )


def _other_live_page(page):
    return (
        db.session.scalar(
            db.select(FundraiserPage.id).where(
                FundraiserPage.supporter_id == page.supporter_id,
                FundraiserPage.id != page.id,
                FundraiserPage.status == "live",
            )
        )
        is not None
    )


def on_page_published(sender=None, page=None, now=None, **extra):
    # One coaching series per person (a second page does not start it again); it speaks of this page.
    enrol_in_sequence(page.supporter, COACHING_SEQUENCE, now=now, context=coaching_context(page))
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
    """What the coaching messages may say of the page: its address, title and occasion."""
    return {"page_id": page.id, "page_slug": page.slug, "page_title": page.title, "occasion": _occasion(page)}


def _queued_event_emails(*where):
    query = db.select(OutboundEmail).where(
        OutboundEmail.status == "queued", OutboundEmail.dedupe_key.startswith("page-event:"), *where
    )
    return db.session.scalars(query).all()


def schedule_event_emails(page, now=None):
    """Queue the coaching steps timed on a live page's event (again when its date moves); return them.

    The steps, their timing and their copy are the coaching sequence's event steps, which staff edit;
    they are fundraiser_tips messages: consent is checked again when each is sent.
    """
    now = now or utcnow()
    # A moved date, or a page no longer live: what was planned stands no more.
    for email in _queued_event_emails(OutboundEmail.dedupe_key.startswith(f"page-event:{page.id}:")):
        cancel_email(email)
    if page.status != "live" or page.event_on is None or page.supporter is None or not page.supporter.email:
        return []
    event_at = datetime.combine(page.event_on, time(EVENT_HOUR_UTC), UTC)
    queued = []
    for step, due in event_step_plan(COACHING_SEQUENCE, event_at):
        if due <= now:
            continue
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
    if not _other_live_page(page):
        stop_enrolments(page.supporter, "page_closed", trigger=COACHING_TRIGGER, now=now or utcnow())


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


def connect():
    """Subscribe the receivers (weakly referenced module functions stay alive)."""
    signals.page_gift_credited.connect(on_page_gift_credited)
    signals.page_decided.connect(on_page_decided)
    signals.page_published.connect(on_page_published)
    signals.page_closed.connect(on_page_closed)
    signals.team_join_requested.connect(on_team_join_requested)
    signals.team_request_decided.connect(on_team_request_decided)
    supporters.consent_withdrawn.connect(on_consent_withdrawn)

"""Follow-up sequences: enrol people when a signal fires, send each step when it is due.

Steps and delays live in the database (sequence_steps), so marketing can change them
without a deploy. A step's delay counts from the start of the enrolment, or, for a step anchored
on an event, from the moment the feature that owns the event gives (hours before it are negative):
that feature queues those steps itself, with event_step_plan(), and again when the event moves.
"""

from datetime import timedelta

from crm.extensions import db
from crm.mail.models import Enrolment, Sequence, SequenceStep
from crm.mail.services.outbox import enqueue_email
from crm.mail.signals import enrolment_moved
from crm.supporters.services.consent import may_email
from crm.supporters.services.intake import add_activity
from crm.utc import utcnow

# Conditions a step may name in skip_if / stop_if: functions of (enrolment, now) -> bool.
# Consent needs no condition: it is checked before each step is queued, and again at send time.
CONDITIONS = {
    "started_fundraiser_page": lambda enrolment, now: enrolment.stopped_reason == "started_fundraiser_page",
}


# The sequences a new installation starts with (the migration that created the tables adds
# them too); marketing changes them in the database afterwards.
DEFAULT_SEQUENCES = {
    "fundraiser_follow_up": {
        "name": "Start a fundraiser: follow-up",
        "trigger": "fundraiser_interest",
        "steps": [
            (1, 72, "fundraiser_questions", "fundraiser_tips", ["started_fundraiser_page"]),
            (2, 168, "fundraiser_ready", "fundraiser_tips", ["started_fundraiser_page"]),
        ],
    },
    # Coaching for a page that has just gone live (crm/fundraising/notifications.py); closing the page stops it.
    # Each message speaks of the page's occasion (a polar dip, a memorial...): "occasion" is in its context.
    # The last two are timed on the page's event day: a week before it, and the day after.
    "fundraiser_page_coaching": {
        "name": "Fundraiser page: coaching",
        "trigger": "fundraiser_page_published",
        "steps": [
            (1, 0, "fundraiser_coaching_welcome", "fundraiser_tips", []),
            (2, 72, "fundraiser_coaching_first_gift", "fundraiser_tips", []),
            (3, 168, "fundraiser_coaching_share", "fundraiser_tips", []),
            (4, -168, "fundraiser_event_soon", "fundraiser_tips", [], "event"),
            (5, 24, "fundraiser_event_after", "fundraiser_tips", [], "event"),
        ],
    },
}


def install_default_sequences():
    """Add the default sequences that are missing (existing ones are left as marketing set them)."""
    for key, spec in DEFAULT_SEQUENCES.items():
        if db.session.scalar(db.select(Sequence.id).filter_by(key=key)) is not None:
            continue
        sequence = Sequence(key=key, name=spec["name"], trigger=spec["trigger"], active=True)
        db.session.add(sequence)
        for position, hours, template, purpose, stop_if, *anchor in spec["steps"]:
            step = SequenceStep(position=position, delay_hours=hours, template=template, purpose=purpose)
            step.anchor = anchor[0] if anchor else "start"
            step.skip_if, step.stop_if = [], stop_if
            sequence.steps.append(step)
    db.session.flush()


def _step_at(enrolment, step):
    return enrolment.started_at + timedelta(hours=step.delay_hours)


def find_enrolment(supporter, sequence_key, subject_key=""):
    """The person's enrolment in a sequence (for one subject, such as a page), or None."""
    return db.session.scalar(
        db.select(Enrolment)
        .join(Sequence, Sequence.id == Enrolment.sequence_id)
        .where(
            Sequence.key == sequence_key, Enrolment.supporter_id == supporter.id, Enrolment.subject_key == subject_key
        )
    )


def enrol(supporter, sequence_key, now=None, context=None, subject_key=""):
    """Enrol a person in a sequence once (once per `subject_key`); return it, or None if the sequence is off.

    `context` holds what the messages may say (a page's title and occasion); it is kept as first given.
    """
    now = now or utcnow()
    sequence = db.session.scalar(db.select(Sequence).filter_by(key=sequence_key))
    if sequence is None or not sequence.active or not sequence.start_steps:
        return None
    enrolment = find_enrolment(supporter, sequence_key, subject_key)
    if enrolment is not None:
        return enrolment
    enrolment = Enrolment(
        sequence_id=sequence.id, supporter_id=supporter.id, subject_key=subject_key, started_at=now, updated_at=now
    )
    enrolment.context = dict(context or {})
    first = sequence.start_steps[0]
    enrolment.next_position = first.position
    enrolment.next_step_at = _step_at(enrolment, first)
    db.session.add(enrolment)
    db.session.flush()
    add_activity(supporter, "sequence", f"enrolled: {sequence.name}", {"sequence": sequence.key}, now=now)
    return enrolment


def stop_enrolments(supporter, reason, trigger=None, now=None):
    """Stop the person's active or paused enrolments (of sequences started by `trigger`, if given)."""
    query = db.select(Enrolment).where(Enrolment.supporter_id == supporter.id, Enrolment.state != "stopped")
    stopped = []
    for enrolment in db.session.scalars(query).all():
        if (trigger and enrolment.sequence.trigger != trigger) or not enrolment.can_move_to("stopped"):
            continue
        stop_enrolment(enrolment, reason, now)
        stopped.append(enrolment)
    return stopped


def stop_enrolment(enrolment, reason, now=None):
    """Stop one active or paused enrolment for `reason`, said on the person's record too."""
    now = now or utcnow()
    enrolment.move_to("stopped", now, reason)
    add_activity(enrolment.supporter, "sequence", f"stopped: {enrolment.sequence.name} ({reason})", now=now)
    enrolment_moved.send(enrolment=enrolment, now=now)


STAFF_REASONS = {"paused": "paused by staff", "stopped": "stopped by staff"}


def set_enrolment_state(enrolment, state, now=None, reason=None):
    """Pause, resume or stop one enrolment (by staff, unless `reason` says why).

    The feature that plans its event steps hears of it.
    """
    now = now or utcnow()
    enrolment.move_to(state, now, reason or STAFF_REASONS.get(state, ""))
    enrolment_moved.send(enrolment=enrolment, now=now)


def event_step_plan(sequence_key, event_at):
    """Return [(step, due_at)] of the sequence's event steps for an event at `event_at` ([] while it is off)."""
    sequence = db.session.scalar(db.select(Sequence).filter_by(key=sequence_key))
    if sequence is None or not sequence.active:
        return []
    return [(step, event_at + timedelta(hours=step.delay_hours)) for step in sequence.event_steps]


def _advance(enrolment, now):
    steps = {step.position: step for step in enrolment.sequence.start_steps}
    step = steps.get(enrolment.next_position)
    supporter = enrolment.supporter
    if step is not None and not any(CONDITIONS[name](enrolment, now) for name in step.stop_if or []):
        skip = any(CONDITIONS[name](enrolment, now) for name in step.skip_if or [])
        if not skip and may_email(supporter, step.purpose, now):
            enqueue_email(
                f"sequence:{enrolment.id}:step:{step.position}",
                step.template,
                supporter.email,
                to_name=supporter.display_name,
                supporter=supporter,
                # The feature that enrolled them may name the series' language (a page's own).
                language=(enrolment.context or {}).get("language") or supporter.language,
                purpose=step.purpose,
                context=enrolment.context or {},
                now=now,
            )
    later = sorted(position for position in steps if position > enrolment.next_position)
    if later:
        enrolment.next_position = later[0]
        enrolment.next_step_at = _step_at(enrolment, steps[later[0]])
    else:  # past the last start step: resumed after a pause, it stays completed
        enrolment.state, enrolment.next_step_at = "completed", None
        enrolment.next_position = max(steps, default=0) + 1


def advance_sequences(now=None, limit=500):
    """Queue the emails of every step that is due; return how many enrolments moved."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(Enrolment)
        .where(Enrolment.state == "active", Enrolment.next_step_at <= now)
        .order_by(Enrolment.next_step_at)
        .limit(limit)
    ).all()
    for enrolment in due:
        _advance(enrolment, now)
    return len(due)


def sequence_counts():
    """Return {sequence_id: {state: count}} over every enrolment."""
    rows = db.session.execute(
        db.select(Enrolment.sequence_id, Enrolment.state, db.func.count()).group_by(
            Enrolment.sequence_id, Enrolment.state
        )
    )
    counts = {}
    for sequence_id, state, count in rows:
        counts.setdefault(sequence_id, {})[state] = count
    return counts

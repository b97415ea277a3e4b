"""The outbox, staff-edited copy, and follow-up sequences."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.checks import one_of
from crm.extensions import db
from crm.utc import UTCDateTime, utcnow

EMAIL_STATUSES = ("queued", "sending", "sent", "failed", "cancelled", "skipped")
# "transactional" and "internal" (notifications to staff) need no marketing consent.
NON_MARKETING = ("transactional", "internal")
ENROLMENT_STATES = ("active", "paused", "stopped", "completed")
ENROLMENT_STATE_LABELS = {
    "active": _l("Active"),
    "paused": _l("Paused"),
    "stopped": _l("Stopped"),
    "completed": _l("Completed"),
}
# Why an enrolment stopped or waits, in words (a reason not listed is shown as it was recorded).
STOP_REASON_LABELS = {
    "paused by staff": _l("paused by staff"),
    "stopped by staff": _l("stopped by staff"),
    "page_closed": _l("the page closed"),
    "page_hidden": _l("the page is hidden"),
    "started_fundraiser_page": _l("started a fundraiser page"),
    "unsubscribed": _l("unsubscribed"),
    "erased": _l("erased"),
}
# Where staff may move an enrolment to, from which states.
ENROLMENT_MOVES = {"paused": ("active",), "active": ("paused",), "stopped": ("active", "paused")}
# What a step's delay counts from: the start of the enrolment, or an event the feature dates (a
# fundraiser page's event day); an event step may come before it (a negative delay).
STEP_ANCHORS = ("start", "event")


class OutboundEmail(db.Model):
    """One email to send, written in the same transaction as the event that caused it."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        one_of("status", EMAIL_STATUSES),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbound_emails_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(80), index=True)
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    purpose: Mapped[str] = mapped_column(String(40), default="transactional")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    due_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_expires_at: Mapped[object | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(255), default="")
    smtp_response: Mapped[str] = mapped_column(String(500), default="")
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime)

    supporter = relationship("Supporter")


class EmailCopy(db.Model):
    """Staff-edited subject and body of one message in one language (rendered sandboxed)."""

    __tablename__ = "email_copies"
    __table_args__ = (UniqueConstraint("template", "language", name="uq_email_copies_template_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class Sequence(db.Model):
    """A follow-up sequence, started by a signal; its steps live in the database."""

    __tablename__ = "sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)

    steps = relationship("SequenceStep", order_by="SequenceStep.position", back_populates="sequence")

    @property
    def start_steps(self):
        """The steps timed from the start of each enrolment (the others wait for an event)."""
        return [step for step in self.steps if not step.from_event]

    @property
    def event_steps(self):
        return [step for step in self.steps if step.from_event]


class SequenceStep(db.Model):
    __tablename__ = "sequence_steps"
    __table_args__ = (
        UniqueConstraint("sequence_id", "position", name="uq_sequence_steps_position"),
        CheckConstraint("delay_hours >= 0 OR anchor = 'event'", name="delay_not_negative"),
        one_of("anchor", STEP_ANCHORS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    position: Mapped[int]
    # Hours after the enrolment started (not after the previous step), or from the event: see anchor.
    delay_hours: Mapped[int]
    anchor: Mapped[str] = mapped_column(String(10), default="start", server_default="start")
    template: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(40))
    # Names of conditions (crm/mail/services/sequences.py) that skip this step, or stop the enrolment.
    skip_if: Mapped[list] = mapped_column(JSON, default=list)
    stop_if: Mapped[list] = mapped_column(JSON, default=list)

    sequence = relationship("Sequence", back_populates="steps")

    @property
    def from_event(self):
        return self.anchor == "event"


class Enrolment(db.Model):
    """One person going through one sequence, once, or once for each thing it is about (a page)."""

    __tablename__ = "sequence_enrolments"
    __table_args__ = (
        UniqueConstraint("sequence_id", "supporter_id", "subject_key", name="uq_sequence_enrolments_person_subject"),
        one_of("state", ENROLMENT_STATES),
        Index("ix_sequence_enrolments_due", "state", "next_step_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="active")
    next_position: Mapped[int] = mapped_column(default=1)
    next_step_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Why it is stopped or paused ("page_closed", "paused by staff"...); "" while it runs.
    # Why it is stopped or paused ("page_closed", "paused by staff"...); "" while it runs.
    stopped_reason: Mapped[str] = mapped_column(String(200), default="")
    # What this run of the sequence is about, where a person goes through it once per thing (one
    # fundraiser page: "fundraiser_page:12"); "" where it is once per person.
    subject_key: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # Variables the enrolment's messages may use (a fundraiser page's id, title and occasion).
    context: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    started_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sequence = relationship("Sequence")
    supporter = relationship("Supporter")

    @property
    def has_run_start_steps(self):
        """Whether every step timed from the start has had its turn (only event steps may be left)."""
        if self.sequence is None or self.next_position is None:
            return False
        return self.next_position > max((step.position for step in self.sequence.start_steps), default=0)

    @property
    def state_words(self):
        """Its state, and why it stopped or waits, as staff read them ("Paused (the page is hidden)")."""
        words = str(ENROLMENT_STATE_LABELS.get(self.state, self.state))
        reason = self.stopped_reason
        return f"{words} ({STOP_REASON_LABELS.get(reason, reason)})" if reason else words

    def can_move_to(self, state):
        """Where staff (or a feature) may move it; a completed one only while event steps are to come.

        A completed enrolment ran its start steps, but the emails timed on its event (a page's
        "a week before your dip") are still ahead: it may be paused or stopped, and resumed to completed.
        """
        if self.state == "completed":
            return state in ("paused", "stopped") and self.sequence is not None and bool(self.sequence.event_steps)
        return self.state in ENROLMENT_MOVES.get(state, ())

    def move_to(self, state, now, reason=""):
        """Pause, resume or stop, saying why; a resumed enrolment's next step is due now at the earliest.

        One that had run its start steps when it was paused goes back to completed.
        """
        if not self.can_move_to(state):
            raise ValueError(f"cannot go from {self.state} to {state}")
        if state == "active" and self.has_run_start_steps:
            state, self.next_step_at = "completed", None
        elif state == "active":
            self.next_step_at = max(self.next_step_at or now, now)
        elif state == "stopped":
            self.next_step_at = None
        self.stopped_reason = "" if state in ("active", "completed") else reason[:200]
        self.state = state

    def lets_event_steps_through(self, passing_stops=()):
        """Whether the feature dating its event may plan its event steps now.

        Not while it is paused, nor once it is stopped (by staff, by an opt-out...), except by a
        stop in `passing_stops`: one that ends what it is about only for now (a closed page reopens,
        and its event's emails with it). A completed enrolment ran its start steps; its event is still to come.
        """
        if self.state == "paused":
            return False
        return self.state != "stopped" or self.stopped_reason in passing_stops

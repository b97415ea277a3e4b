"""The worker's side: claim due rows with a lease, check consent again, send over one SMTP connection.

Unlike the services, this module owns its transactions (it is what `flask mail worker` runs): it
commits the lease before sending, and each message's outcome right after sending it.
"""

import contextlib
import logging
import os
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import and_, or_, select, update

from crm.extensions import db
from crm.mail.models import NON_MARKETING, OutboundEmail
from crm.mail.services.attachments import build_attachments
from crm.mail.services.rendering import RenderError, build_message
from crm.normalize import normalize_email
from crm.supporters.models import email_hash
from crm.supporters.services.consent import consent_state, is_suppressed, suppress_email, suppressed_hashes
from crm.utc import utcnow

log = logging.getLogger(__name__)


def worker_name():
    """Return a name unique to this process, for leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)


def claim_due(worker, limit, now=None):
    """Lease up to `limit` due rows to `worker` (and rows whose lease ran out); return their ids."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    due = or_(
        and_(OutboundEmail.status == "queued", OutboundEmail.due_at <= now),
        and_(OutboundEmail.status == "sending", OutboundEmail.lease_expires_at < now),
    )
    # Lock the candidates first (SKIP LOCKED: rows another worker is claiming are passed over),
    # then lease them, in one transaction. A single UPDATE ... WHERE id IN (subquery LIMIT n)
    # is not safe on PostgreSQL: the planner may run the subquery again and lease more rows.
    ids = db.session.scalars(
        select(OutboundEmail.id)
        .where(due)
        .order_by(OutboundEmail.due_at, OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if ids:
        # Re-checking `due` keeps SQLite (no row locks) from leasing a row another worker just took.
        ids = db.session.scalars(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(ids), due)
            .values(status="sending", lease_owner=worker, lease_expires_at=now + lease)
            .returning(OutboundEmail.id),
            execution_options={"synchronize_session": False},
        ).all()
    db.session.commit()
    return sorted(ids)


def send_permission(email, now, suppressed=None):
    """Return (allowed, reason): consent and suppression are checked again at send time.

    `suppressed` is the set of suppressed address hashes read at the start of the batch.
    """
    if email_hash(email.to_address) in suppressed if suppressed is not None else is_suppressed(email.to_address):
        return False, "suppressed"
    supporter = email.supporter
    if email.purpose in NON_MARKETING:
        if supporter is not None and (supporter.erased_at or supporter.merged_into_id):
            return False, "record erased or merged"
        return True, ""
    if supporter is None or normalize_email(supporter.email) != normalize_email(email.to_address):
        return False, "address no longer on the record"
    state = consent_state(supporter, email.purpose, now)
    return state.allowed, "" if state.allowed else f"no consent ({state.reason})"


class RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that keeps the server's answer to DATA (send_message throws it away)."""

    last_reply = (0, b"")

    def data(self, msg):
        self.last_reply = super().data(msg)
        return self.last_reply


class SmtpConnection:
    """One SMTP connection, opened on first use and reused for the whole batch."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def send(self, message):
        if self.smtp is None:
            config = self.config
            self.smtp = RecordingSMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
            if config["MAIL_USE_TLS"]:
                self.smtp.starttls()
            if config["MAIL_USERNAME"]:
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        self.smtp.send_message(message)
        code, text = self.smtp.last_reply
        return f"{code} {text.decode(errors='replace')}"[:500]

    def drop(self):
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def quit(self):
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def _backoff(email, now, error):
    config = current_app.config
    email.last_error = error[:1000]
    if email.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        email.status = "failed"
        return "failed"
    delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (email.attempts - 1), 6 * 3600)
    email.status = "queued"
    email.due_at = now + timedelta(seconds=delay)
    return "retried"


def deliver(email, connection, now, suppressed=None):
    """Send one leased row and record the outcome; return sent/retried/failed/skipped."""
    allowed, reason = send_permission(email, now, suppressed)
    if not allowed:
        email.status, email.last_error = "skipped", reason
        return "skipped"
    try:
        message = build_message(email, build_attachments(email))
    except RenderError as error:
        email.status, email.last_error = "failed", f"cannot render: {error}"[:1000]
        return "failed"
    except Exception as error:  # a bug in one message must not stop the worker for all the others
        log.exception("cannot build email %s", email.id)
        email.status, email.last_error = "failed", f"cannot build: {error!r}"[:1000]
        return "failed"
    email.message_id = message["Message-ID"]
    email.attempts += 1
    try:
        answer = connection.send(message)
    except smtplib.SMTPNotSupportedError as error:
        email.status, email.last_error = "failed", f"server cannot take this address: {error}"[:1000]
        return "failed"
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        return _refused(email, code, text, now)
    except smtplib.SMTPResponseException as error:
        if error.smtp_code == 421:
            connection.drop()  # the server is closing the connection
        return _refused(email, error.smtp_code, error.smtp_error, now)
    except (smtplib.SMTPException, OSError) as error:
        connection.drop()
        return _backoff(email, now, f"connection: {error}")
    email.status, email.sent_at, email.smtp_response = "sent", utcnow(), answer
    email.lease_owner, email.lease_expires_at, email.last_error = "", None, ""
    return "sent"


def _refused(email, code, text, now):
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    email.smtp_response = f"{code} {text}"[:500]
    if 500 <= code < 600:
        email.status, email.last_error = "failed", f"refused: {code} {text}"[:1000]
        suppress_email(email.to_address, "bounced", note=f"{code} {text}", now=now)
        return "failed"
    return _backoff(email, now, f"deferred: {code} {text}")


def send_due(limit=100, now=None, worker=None, pause=time.sleep):
    """Claim and send one batch of due messages; return a BatchResult."""
    worker = worker or worker_name()
    result = BatchResult()
    ids = claim_due(worker, limit, now)
    result.claimed = len(ids)
    if not ids:
        return result
    config = current_app.config
    interval = 60.0 / config["MAIL_RATE_PER_MINUTE"] if config["MAIL_RATE_PER_MINUTE"] > 0 else 0.0
    connection = SmtpConnection(config)
    base_url = config["BASE_URL"] or "http://localhost"
    # One request context for the batch: links in the messages are built on BASE_URL.
    with current_app.test_request_context(base_url=base_url):
        g.pop("email_copies", None)  # staff's latest copy, read once for this batch
        try:
            _send_batch(ids, worker, connection, now, interval, pause, result)
        finally:
            connection.quit()
    return result


def _suppressed_among(emails):
    return suppressed_hashes(email.to_address for email in emails)


def _send_batch(ids, worker, connection, now, interval, pause, result):
    session = db.session()
    # The leased rows are ours until we commit them; reloading every row after each commit
    # would double the queries of a batch.
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        emails = session.scalars(select(OutboundEmail).where(OutboundEmail.id.in_(ids)).order_by(OutboundEmail.id))
        emails = emails.all()
        suppressed = _suppressed_among(emails)
        for email in emails:
            _send_one(email, worker, connection, now, interval, pause, result, suppressed)
    finally:
        session.expire_on_commit = keep


def _send_one(email, worker, connection, now, interval, pause, result, suppressed):
    started = time.monotonic()
    if email.status != "sending" or email.lease_owner != worker:
        return  # taken by another worker after our lease ran out
    outcome = deliver(email, connection, now or utcnow(), suppressed)
    setattr(result, outcome, getattr(result, outcome) + 1)
    if outcome != "sent":
        email.lease_owner, email.lease_expires_at = "", None
    db.session.commit()  # after every message: a crash later never sends this one again
    if outcome == "failed" and email.status == "failed" and email.smtp_response.startswith("5"):
        suppressed.add(email_hash(email.to_address))  # the same address later in this batch
    if interval:
        pause(max(0.0, interval - (time.monotonic() - started)))

"""Putting emails in the outbox, and steering them (cancel, retry). Never sends anything."""

from dataclasses import dataclass

from crm.errors import UserError
from crm.extensions import db
from crm.mail.models import EMAIL_STATUSES, OutboundEmail
from crm.mail.services.headers import clean_header_text
from crm.query_filters import QueryFilter
from crm.unique import add_once
from crm.utc import utcnow


class MailError(UserError):
    """An expected failure the user can correct; str() is a message for them."""


def enqueue_email(
    dedupe_key,
    template,
    to_address,
    *,
    to_name="",
    supporter=None,
    language="en",
    purpose="transactional",
    context=None,
    due_at=None,
    now=None,
):
    """Queue one message; a second call with the same dedupe key returns the first row, unchanged."""
    existing = db.session.scalar(db.select(OutboundEmail).filter_by(dedupe_key=dedupe_key))
    if existing is not None:
        return existing
    now = now or utcnow()
    email = OutboundEmail(
        dedupe_key=dedupe_key[:200],
        template=template,
        to_address=to_address,
        to_name=clean_header_text(to_name),
        supporter_id=getattr(supporter, "id", None),
        language=language or "en",
        purpose=purpose,
        context=context or {},
        due_at=due_at or now,
        created_at=now,
        status="queued",
    )
    if not add_once(email):
        # Another transaction queued the same message in the meantime: theirs stands.
        return db.session.scalar(db.select(OutboundEmail).filter_by(dedupe_key=dedupe_key))
    return email


def cancel_email(email):
    """Cancel a queued or failed message."""
    if email.status not in ("queued", "failed"):
        raise MailError(f"a {email.status} message cannot be cancelled")
    email.status = "cancelled"


def retry_email(email, now=None):
    """Queue a failed or cancelled message again, now, with a fresh count of attempts."""
    if email.status not in ("failed", "cancelled"):
        raise MailError(f"a {email.status} message cannot be retried")
    email.status = "queued"
    email.attempts = 0
    email.due_at = now or utcnow()
    email.last_error = ""


@dataclass
class OutboxFilter(QueryFilter):
    """The outbox list's filters, from the query string."""

    CHOICES = {"status": ("", *EMAIL_STATUSES)}

    recipient: str = ""
    status: str = ""
    template: str = ""


def outbox_query(criteria):
    """Return a Select of outbox rows, newest first, filtered for the staff list."""
    query = db.select(OutboundEmail).order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    if criteria.status:
        query = query.where(OutboundEmail.status == criteria.status)
    if criteria.template:
        query = query.where(OutboundEmail.template == criteria.template[:100])
    if criteria.recipient:
        query = query.where(OutboundEmail.to_address.contains(criteria.recipient.casefold(), autoescape=True))
    return query


def status_counts():
    """Return {status: count} over the whole outbox."""
    rows = db.session.execute(db.select(OutboundEmail.status, db.func.count()).group_by(OutboundEmail.status))
    return dict(rows.all())

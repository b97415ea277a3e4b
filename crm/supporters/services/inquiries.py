"""The staff inquiry queue: assign, reply, mark answered, close. Every step is audited."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from crm.accounts.models import User
from crm.audit import record_audit
from crm.extensions import db
from crm.supporters.models import INQUIRY_KINDS, INQUIRY_STATUSES, Inquiry, InquiryReply
from crm.supporters.services import SupporterError
from crm.supporters.services.intake import add_activity
from crm.utc import utcnow

ASSIGNABLE_ROLES = ("admin", "staff")
REPLY_MAX_LENGTH = 5000
QUEUE_LIMIT = 200


class InquiryError(SupporterError):
    """An inquiry action that cannot be done in the inquiry's state."""


@dataclass
class Queue:
    """The inquiries of one tab, with the number waiting in each status."""

    kind: str
    status: str
    items: list
    counts: dict
    more: bool


def inquiry_queue(kind="", status="new", limit=QUEUE_LIMIT):
    """Return the Queue of inquiries of `kind` ("" for every kind) in `status`, oldest first."""
    kind = kind if kind in INQUIRY_KINDS else ""
    status = status if status in INQUIRY_STATUSES else "new"
    counting = db.select(Inquiry.status, func.count()).group_by(Inquiry.status)
    query = db.select(Inquiry).where(Inquiry.status == status)
    if kind:
        counting = counting.where(Inquiry.kind == kind)
        query = query.where(Inquiry.kind == kind)
    counts = dict.fromkeys(INQUIRY_STATUSES, 0) | dict(db.session.execute(counting).all())
    items = db.session.scalars(query.order_by(Inquiry.created_at, Inquiry.id).limit(limit + 1)).all()
    return Queue(kind=kind, status=status, items=items[:limit], counts=counts, more=len(items) > limit)


def assignable_users():
    """Return the active accounts that may answer inquiries."""
    return db.session.scalars(
        db.select(User).where(User.active.is_(True), User.role.in_(ASSIGNABLE_ROLES)).order_by(User.email)
    ).all()


def _record(inquiry, actor, action, kind, summary, changes, ip_address, now):
    record_audit(actor, action, "inquiry", inquiry.id, changes, ip_address=ip_address, now=now)
    details = {"inquiry_id": inquiry.id, "changes": changes}
    add_activity(inquiry.supporter, kind, summary, details, actor=actor, now=now)
    db.session.flush()


def _check_open(inquiry):
    if inquiry.status == "closed":
        raise InquiryError(_l("This inquiry is closed."))


def _set_status(inquiry, status, changes):
    if inquiry.status != status:
        changes["status"] = [inquiry.status, status]
        inquiry.status = status


def assign_inquiry(inquiry, assignee_id, actor, ip_address="", now=None):
    """Give the inquiry to the staff member with id `assignee_id`; it becomes "assigned"."""
    _check_open(inquiry)
    assignee = db.session.get(User, assignee_id) if isinstance(assignee_id, int) else None
    if assignee is None or not assignee.active or assignee.role not in ASSIGNABLE_ROLES:
        raise InquiryError(_l("Choose an active staff member."))
    now = now or utcnow()
    old = inquiry.assigned_to
    changes = {"assigned_to": [getattr(old, "email", None), assignee.email]}
    inquiry.assigned_to = assignee
    _set_status(inquiry, "assigned", changes)
    summary = f"{inquiry.kind} inquiry #{inquiry.id} assigned to {assignee.email}"
    _record(inquiry, actor, "inquiry.assign", "inquiry", summary, changes, ip_address, now)
    return inquiry


def reply_to_inquiry(inquiry, body, actor, ip_address="", now=None):
    """Record a staff reply (nothing is emailed here); the first one sets first_response_at."""
    _check_open(inquiry)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise InquiryError(_l("Write the reply first."))
    if len(body) > REPLY_MAX_LENGTH:
        raise InquiryError(_l("A reply has at most %(n)d characters.", n=REPLY_MAX_LENGTH))
    now = now or utcnow()
    reply = InquiryReply(inquiry=inquiry, author_id=getattr(actor, "id", None), body=body, created_at=now)
    db.session.add(reply)
    changes = {"reply": [None, body[:200]]}
    if inquiry.first_response_at is None:
        inquiry.first_response_at = now
        changes["first_response_at"] = [None, now.isoformat()]
    db.session.flush()
    summary = f"Reply to {inquiry.kind} inquiry #{inquiry.id}: {body[:200]}"
    _record(inquiry, actor, "inquiry.reply", "inquiry_reply", summary, changes, ip_address, now)
    return reply


def mark_inquiry_answered(inquiry, actor, ip_address="", now=None):
    """Mark the inquiry answered (by a recorded reply, or by phone)."""
    _check_open(inquiry)
    if inquiry.status == "answered":
        raise InquiryError(_l("This inquiry is already marked answered."))
    now = now or utcnow()
    changes = {"answered_at": [None, now.isoformat()]}
    inquiry.answered_at = now
    if inquiry.first_response_at is None:
        # An answer given outside the queue (by phone) is still the first response.
        inquiry.first_response_at = now
        changes["first_response_at"] = [None, now.isoformat()]
    _set_status(inquiry, "answered", changes)
    summary = f"{inquiry.kind} inquiry #{inquiry.id} answered"
    _record(inquiry, actor, "inquiry.answer", "inquiry", summary, changes, ip_address, now)
    return inquiry


def close_inquiry(inquiry, actor, ip_address="", now=None):
    """Close the inquiry: nothing more to do."""
    _check_open(inquiry)
    now = now or utcnow()
    changes = {}
    _set_status(inquiry, "closed", changes)
    summary = f"{inquiry.kind} inquiry #{inquiry.id} closed"
    _record(inquiry, actor, "inquiry.close", "inquiry", summary, changes, ip_address, now)
    return inquiry

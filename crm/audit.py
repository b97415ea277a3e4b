"""The audit log: who did what to which record, and what changed."""

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db
from crm.utc import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)


def record_audit(actor, action, target_type, target_id=None, changes=None, ip_address="", now=None):
    """Add an audit event (flushed by the caller's commit); `actor` is a User or None."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        changes=changes or {},
        ip_address=ip_address or "",
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event

"""Staff work on supporter records: the list page, the profile, edits, tags and notes."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from crm.accounts.models import User
from crm.audit import AuditEvent, record_audit
from crm.extensions import db
from crm.lists import PER_PAGE, paginate
from crm.normalize import normalize_email
from crm.supporters.models import (
    PURPOSES,
    Activity,
    ConsentRecord,
    Inquiry,
    Note,
    Signup,
    Supporter,
    Tag,
)
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import consent_state
from crm.supporters.services.intake import PROFILE_FIELDS, add_activity
from crm.supporters.services.search import count_supporters, search_supporters
from crm.utc import utcnow

EDITABLE_FIELDS = ("email", *PROFILE_FIELDS)
TAG_MAX_LENGTH = 60
NOTE_MAX_LENGTH = 5000


class EmailError(SupporterError):
    """The new email address cannot be used (taken by another record, or too long)."""


def list_supporters(criteria, page=1, per_page=PER_PAGE, now=None):
    """Return one ListPage of the supporters matching `criteria` (the page is clamped)."""
    now = now or utcnow()
    query = search_supporters(criteria, now=now)
    return paginate(query, page, per_page, count=lambda cap: count_supporters(criteria, now=now, cap=cap))


def all_tags():
    """Return every tag, by name."""
    return db.session.scalars(db.select(Tag).order_by(Tag.name)).all()


@dataclass
class Profile:
    """Everything the staff profile page shows about one supporter."""

    supporter: Supporter
    survivor: Supporter | None
    consent_states: list
    consents: list
    activities: list
    signups: list
    inquiries: list
    notes: list
    history: list


def supporter_profile(supporter_id, now=None):
    """Return the Profile of a supporter, or None when there is no such record."""
    supporter = db.session.get(Supporter, supporter_id)
    if supporter is None:
        return None
    now = now or utcnow()
    inquiries = db.session.scalars(
        db.select(Inquiry).where(Inquiry.supporter_id == supporter.id).order_by(Inquiry.created_at.desc())
    ).all()
    return Profile(
        supporter=supporter,
        survivor=db.session.get(Supporter, supporter.merged_into_id) if supporter.merged_into_id else None,
        consent_states=[(purpose, consent_state(supporter, purpose, now)) for purpose in PURPOSES],
        consents=_newest_first(ConsentRecord, ConsentRecord.supporter_id == supporter.id),
        activities=_newest_first(Activity, Activity.supporter_id == supporter.id),
        signups=_newest_first(Signup, Signup.supporter_id == supporter.id),
        inquiries=inquiries,
        notes=_newest_first(Note, Note.supporter_id == supporter.id),
        history=supporter_history(supporter, [inquiry.id for inquiry in inquiries]),
    )


def _newest_first(model, condition):
    return db.session.scalars(
        db.select(model).where(condition).order_by(model.created_at.desc(), model.id.desc())
    ).all()


def supporter_history(supporter, inquiry_ids=()):
    """Return (AuditEvent, actor email) pairs about this supporter and their inquiries, newest first."""
    about = and_(AuditEvent.target_type == "supporter", AuditEvent.target_id == supporter.id)
    if inquiry_ids:
        about = or_(about, and_(AuditEvent.target_type == "inquiry", AuditEvent.target_id.in_(list(inquiry_ids))))
    return db.session.execute(
        db.select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(about)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()


def _check_editable(supporter):
    if supporter.erased_at is not None:
        raise SupporterError(_l("This record was erased; it cannot be changed."))
    if supporter.merged_into_id is not None:
        raise SupporterError(_l("This record was merged into another; change the surviving record instead."))


def _clean_text(value):
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _audit_and_log(supporter, actor, action, kind, summary, changes, ip_address, now):
    record_audit(actor, action, "supporter", supporter.id, changes, ip_address=ip_address, now=now)
    add_activity(supporter, kind, summary, {"changes": changes}, actor=actor, now=now)


def update_supporter(supporter, values, actor, ip_address="", now=None):
    """Change the record's details; return {field: [old, new]} for what changed."""
    _check_editable(supporter)
    now = now or utcnow()
    changes = {}
    for field, value in values.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {field}")
        value = _clean_text(value) or ""
        if field == "email":
            value = normalize_email(value) or None
            if value is not None:
                if len(value) > 254:
                    raise EmailError(_l("That email address is too long."))
                other = db.session.scalar(
                    db.select(Supporter.id).where(Supporter.email == value, Supporter.id != supporter.id)
                )
                if other is not None:
                    raise EmailError(_l("Another supporter already has this email address."))
        elif field == "country":
            value = value.upper()
        old = getattr(supporter, field)
        if (old or "") != (value or ""):
            changes[field] = [old, value]
            setattr(supporter, field, value)
    if changes:
        supporter.updated_at = now
        _audit_and_log(
            supporter,
            actor,
            "supporter.edit",
            "edit",
            "Details changed: " + ", ".join(changes),
            changes,
            ip_address,
            now,
        )
        db.session.flush()
    return changes


def clean_tag_name(name):
    """Return the tag name trimmed (inner runs of spaces become one); SupporterError if empty or too long."""
    name = " ".join(_clean_text(name or "").split())
    if not name or len(name) > TAG_MAX_LENGTH:
        raise SupporterError(_l("A tag name has 1 to %(n)d characters.", n=TAG_MAX_LENGTH))
    return name


def add_tag(supporter, name, actor, ip_address="", now=None):
    """Tag the supporter (creating the tag when new); return (tag, added)."""
    _check_editable(supporter)
    name = clean_tag_name(name)
    now = now or utcnow()
    tag = db.session.scalar(db.select(Tag).filter_by(name=name))
    if tag is None:
        tag = Tag(name=name)
        db.session.add(tag)
        db.session.flush()
    if tag in supporter.tags:
        return tag, False
    supporter.tags.append(tag)
    _audit_and_log(
        supporter, actor, "supporter.tag_add", "tag", f"Tag added: {name}", {"tags": [None, name]}, ip_address, now
    )
    db.session.flush()
    return tag, True


def remove_tag(supporter, tag_id, actor, ip_address="", now=None):
    """Take a tag off the supporter; return the tag, or None if they did not have it."""
    _check_editable(supporter)
    tag = next((tag for tag in supporter.tags if tag.id == tag_id), None)
    if tag is None:
        return None
    now = now or utcnow()
    supporter.tags.remove(tag)
    changes = {"tags": [tag.name, None]}
    _audit_and_log(
        supporter, actor, "supporter.tag_remove", "tag", f"Tag removed: {tag.name}", changes, ip_address, now
    )
    db.session.flush()
    return tag


def add_note(supporter, body, actor, ip_address="", now=None):
    """Add a staff note to the record; return it."""
    _check_editable(supporter)
    body = _clean_text(body or "")
    if not body:
        raise SupporterError(_l("Write the note first."))
    if len(body) > NOTE_MAX_LENGTH:
        raise SupporterError(_l("A note has at most %(n)d characters.", n=NOTE_MAX_LENGTH))
    now = now or utcnow()
    note = Note(supporter_id=supporter.id, author_id=getattr(actor, "id", None), body=body, created_at=now)
    db.session.add(note)
    db.session.flush()
    changes = {"note": [None, body[:200]]}
    record_audit(actor, "supporter.note_add", "supporter", supporter.id, changes, ip_address=ip_address, now=now)
    add_activity(supporter, "note", f"Note: {body[:200]}", {"note_id": note.id}, actor=actor, now=now)
    db.session.flush()
    return note

"""A person's privacy rights: everything we hold about them, and erasure.

Erasure anonymises: it keeps the rows the law needs (consent proof, the timeline, and later
gifts and receipts) and scrubs the personal text out of them. The address stays only as a
hash on the suppression list, so the person is never emailed again.
"""

import re
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, inspect, or_, select

from crm.audit import AuditEvent, record_audit
from crm.extensions import db
from crm.supporters.attribution import ATTRIBUTION_FIELDS
from crm.supporters.models import ConsentRecord, Inquiry, Note, Signup, Supporter
from crm.supporters.models.people import Activity, phone_key
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import suppress_email
from crm.supporters.services.intake import PROFILE_FIELDS, add_activity
from crm.supporters.signals import erased
from crm.utc import utcnow

ERASED = "[erased]"
CONFIRM_WORDS = ("ERASE", "EFFACER")
# Blanked on the supporter record; country and language stay (they identify no one).
PERSONAL_FIELDS = tuple(field for field in PROFILE_FIELDS if field not in ("country", "language"))
INQUIRY_TEXT = ("message", "name", "email", "phone", "outlet")
# Timeline entries whose summary we write without free text; other summaries may quote a note or a tag.
SAFE_SUMMARY_KINDS = ("signup", "consent", "merge", "import", "edit", "erase", "privacy_export")
# Keys of activity details and audit changes whose values are identifiers, not personal text.
SAFE_KEYS = frozenset(
    {
        "purpose",
        "basis",
        "form",
        "version",
        "kind",
        "status",
        "action",
        "inquiry_id",
        "signup_id",
        "note_id",
        "batch_id",
        "survivor_id",
        "absorbed_id",
        "chosen_from",
        "moved",
        "records",
    }
)


# --- reading everything ----------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj, skip=()):
    return {
        attr.key: _plain(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs if attr.key not in skip
    }


def _in_order(model, condition):
    return db.session.scalars(select(model).where(condition).order_by(model.created_at, model.id)).all()


def merged_records(supporter):
    """Return the records merged into this one (kept rows, with merged_into_id)."""
    return db.session.scalars(
        select(Supporter).where(Supporter.merged_into_id == supporter.id).order_by(Supporter.id)
    ).all()


def _audit_condition(supporter_ids, inquiry_ids):
    about = and_(AuditEvent.target_type == "supporter", AuditEvent.target_id.in_(supporter_ids))
    if inquiry_ids:
        about = or_(about, and_(AuditEvent.target_type == "inquiry", AuditEvent.target_id.in_(inquiry_ids)))
    return about


def privacy_summary(supporter):
    """Return counts of what is held about the person, for the privacy page."""
    ids = [supporter.id, *(record.id for record in merged_records(supporter))]
    counts = {}
    for name, model in (
        ("consent_records", ConsentRecord),
        ("activities", Activity),
        ("signups", Signup),
        ("inquiries", Inquiry),
        ("notes", Note),
    ):
        counts[name] = db.session.scalar(select(db.func.count()).select_from(model).where(model.supporter_id.in_(ids)))
    counts["tags"] = len(supporter.tags)
    counts["merged_records"] = len(ids) - 1
    return counts


def export_personal_data(supporter, actor, ip_address="", now=None):
    """Return everything held about the person as plain JSON-ready data; audit it and note it."""
    now = now or utcnow()
    others = merged_records(supporter)
    ids = [supporter.id, *(record.id for record in others)]
    inquiries = _in_order(Inquiry, Inquiry.supporter_id.in_(ids))
    inquiry_ids = [inquiry.id for inquiry in inquiries]
    data = {
        "format": "crm-privacy-export/1",
        "generated_at": _plain(now),
        "supporter": _row(supporter),
        "merged_records": [_row(record) for record in others],
        "tags": [tag.name for tag in supporter.tags],
        "consent_records": [_row(r) for r in _in_order(ConsentRecord, ConsentRecord.supporter_id.in_(ids))],
        "activities": [_row(r) for r in _in_order(Activity, Activity.supporter_id.in_(ids))],
        "signups": [_row(r) for r in _in_order(Signup, Signup.supporter_id.in_(ids))],
        "inquiries": [
            {**_row(inquiry), "replies": [_row(reply) for reply in inquiry.replies]} for inquiry in inquiries
        ],
        "notes": [_row(r) for r in _in_order(Note, Note.supporter_id.in_(ids))],
        "audit_events": [_row(r) for r in _in_order(AuditEvent, _audit_condition(ids, inquiry_ids))],
    }
    record_audit(actor, "privacy_export", "supporter", supporter.id, {"records": ids}, ip_address=ip_address, now=now)
    add_activity(supporter, "privacy_export", "Personal data exported", {"records": ids}, actor=actor, now=now)
    db.session.flush()
    return data


# --- erasure ---------------------------------------------------------------------------------


def _scrubber(secrets):
    words = sorted({s.strip() for s in secrets if s and len(s.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return lambda text: pattern.sub(ERASED, text) if isinstance(text, str) else text


def _scrub_json(value, scrub, safe=False):
    """Return `value` with every string replaced by [erased], except identifiers under SAFE_KEYS."""
    if isinstance(value, dict):
        return {key: _scrub_json(item, scrub, safe or key in SAFE_KEYS) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, scrub, safe) for item in value]
    if isinstance(value, str):
        return scrub(value) if safe else ERASED
    return value


def _personal_strings(records, inquiries):
    secrets = set()
    for record in records:
        secrets.update(getattr(record, name) for name in (*PERSONAL_FIELDS, "email", "phone_key"))
        secrets.add(f"{record.first_name} {record.last_name}")
    for inquiry in inquiries:
        secrets.update(getattr(inquiry, name) for name in INQUIRY_TEXT if name != "message")
        secrets.add(phone_key(inquiry.phone))
    return {s for s in secrets if s}


def _known_emails(records, inquiries, audit_events):
    emails = {record.email for record in records} | {inquiry.email for inquiry in inquiries}
    for event in audit_events:
        if event.action == "merge" and isinstance(event.changes, dict):
            emails.add(event.changes.get("absorbed_email"))
            emails.add((event.changes.get("values") or {}).get("email"))
    return {email for email in emails if isinstance(email, str) and email.strip()}


def check_erasable(supporter):
    """Raise SupporterError if the record was already erased or merged into another."""
    if supporter.erased_at is not None:
        raise SupporterError(_l("This record was already erased."))
    if supporter.merged_into_id is not None:
        raise SupporterError(
            _l(
                "This record was merged into record #%(id)d: erase that record instead.",
                id=supporter.merged_into_id,
            )
        )


def erase_supporter(supporter, actor, now=None, ip_address=""):
    """Anonymise the person (and the records merged into them); keep consent proof and the timeline rows."""
    check_erasable(supporter)
    now = now or utcnow()
    records = [supporter, *merged_records(supporter)]
    ids = [record.id for record in records]
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.supporter_id.in_(ids))).all()
    audit_events = db.session.scalars(
        select(AuditEvent).where(_audit_condition(ids, [inquiry.id for inquiry in inquiries]))
    ).all()
    scrub = _scrubber(_personal_strings(records, inquiries))
    # The hash must be on the list before the address is gone.
    for email in sorted(_known_emails(records, inquiries, audit_events)):
        suppress_email(email, "erased", now=now)

    for record in records:
        for name in PERSONAL_FIELDS:
            setattr(record, name, "")
        record.email = None
        record.source = scrub(record.source)
        record.tags.clear()
        record.erased_at = now
        record.updated_at = now
    for signup in db.session.scalars(select(Signup).where(Signup.supporter_id.in_(ids))):
        signup.message = ""
        for name in ATTRIBUTION_FIELDS:
            setattr(signup, name, scrub(getattr(signup, name)))
    for inquiry in inquiries:
        for name in INQUIRY_TEXT:
            setattr(inquiry, name, "")
        inquiry.topic = scrub(inquiry.topic)
        for name in ATTRIBUTION_FIELDS:
            setattr(inquiry, name, scrub(getattr(inquiry, name)))
        for reply in inquiry.replies:
            reply.body = ERASED
    for note in db.session.scalars(select(Note).where(Note.supporter_id.in_(ids))):
        note.body = ERASED
    for consent in db.session.scalars(select(ConsentRecord).where(ConsentRecord.supporter_id.in_(ids))):
        consent.ip_address = ""
        consent.user_agent = ""
        consent.reference = scrub(consent.reference)
    for activity in db.session.scalars(select(Activity).where(Activity.supporter_id.in_(ids))):
        activity.summary = scrub(activity.summary) if activity.kind in SAFE_SUMMARY_KINDS else ERASED
        activity.details = _scrub_json(activity.details or {}, scrub)
    for event in audit_events:
        event.changes = _scrub_json(event.changes or {}, scrub)
    db.session.flush()

    add_activity(supporter, "erase", "Personal data erased", {"records": ids}, actor=actor, now=now)
    record_audit(actor, "erase", "supporter", supporter.id, {"records": ids}, ip_address=ip_address, now=now)
    db.session.flush()
    erased.send(supporter=supporter, actor=actor)
    return supporter


def is_confirm_word(text):
    """Return True if `text` is the word that confirms an erasure (English or French)."""
    return (text or "").strip().upper() in CONFIRM_WORDS

"""The supporters feature's tables in the personal-data registry (see crm.personal)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from crm.audit import AuditEvent
from crm.personal import ERASED, PersonalData, blank, child_rows, plain_row, register, scrub_json
from crm.supporters.models import ConsentRecord, ImportBatch, Inquiry, InquiryReply, Note, Signup, Supporter
from crm.supporters.models.people import Activity, phone_key
from crm.supporters.services.consent import suppress_email
from crm.supporters.services.intake import PROFILE_FIELDS
from crm.supporters.visits import ATTRIBUTION_FIELDS

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


def _in_order(model):
    return lambda person: select(model).where(model.supporter_id.in_(person.ids)).order_by(model.created_at, model.id)


# --- the records themselves ----------------------------------------------------------------------


def _gather_records(records, person):
    for record in records:
        person.add_emails(record.email)
        person.add_secrets(*(getattr(record, name) for name in PERSONAL_FIELDS), record.phone_key)
        person.add_secrets(f"{record.first_name} {record.last_name}")
        person.subjects.add(f"supporter:{record.id}")


def _erase_records(records, person):
    # The hashes must be on the list before the addresses are gone.
    for email in sorted(person.emails):
        suppress_email(email, "erased", now=person.now)
    for record in records:
        blank(record, PERSONAL_FIELDS)
        record.email = None
        record.source = person.scrub(record.source)
        record.tags.clear()
        record.erased_at = person.now
        record.updated_at = person.now


register(
    PersonalData(
        "supporters",
        Supporter,
        rows=lambda person: select(Supporter).where(Supporter.id.in_(person.ids)).order_by(Supporter.id),
        merge="none",  # merge_supporters itself marks the absorbed record
        gather=_gather_records,
        erase=_erase_records,
        exported=False,  # export_personal_data puts the record and the merged ones first
        kept="The record stays, marked erased, with its country and language; its address only as a hash.",
    )
)


# --- consent, timeline, signups, inquiries, notes ------------------------------------------------


def _erase_consents(consents, person):
    for consent in consents:
        consent.ip_address = ""
        consent.user_agent = ""
        consent.reference = person.scrub(consent.reference)


register(
    PersonalData(
        "consent_records",
        ConsentRecord,
        rows=_in_order(ConsentRecord),
        erase=_erase_consents,
        kept="Consent proof (CASL): purpose, basis, wording and version, date; not the address and browser.",
        label=_l("Consent records: %(n)d"),
    )
)


def _erase_activities(activities, person):
    for activity in activities:
        activity.summary = person.scrub(activity.summary) if activity.kind in SAFE_SUMMARY_KINDS else ERASED
        activity.details = scrub_json(activity.details or {}, person.scrub, SAFE_KEYS)


register(
    PersonalData(
        "activities",
        Activity,
        rows=_in_order(Activity),
        erase=_erase_activities,
        kept="The timeline's entries (kind and date), their personal text erased.",
        label=_l("Timeline entries: %(n)d"),
    )
)


def _gather_signups(signups, person):
    person.subjects.update(f"signup:{signup.id}" for signup in signups)


def _erase_signups(signups, person):
    for signup in signups:
        signup.message = ""
        signup.consent_ip = ""
        signup.consent_user_agent = ""
        blank(signup, ATTRIBUTION_FIELDS, person.scrub)


register(
    PersonalData(
        "signups",
        Signup,
        rows=_in_order(Signup),
        gather=_gather_signups,
        erase=_erase_signups,
        kept="Which form, when, and the consent wording shown.",
        label=_l("Signups: %(n)d"),
    )
)


def _gather_inquiries(inquiries, person):
    for inquiry in inquiries:
        person.add_emails(inquiry.email)
        person.add_secrets(*(getattr(inquiry, name) for name in INQUIRY_TEXT if name != "message"))
        person.add_secrets(phone_key(inquiry.phone))
        person.subjects.add(f"inquiry:{inquiry.id}")


def _erase_inquiries(inquiries, person):
    for inquiry in inquiries:
        blank(inquiry, INQUIRY_TEXT)
        inquiry.topic = person.scrub(inquiry.topic)
        blank(inquiry, ATTRIBUTION_FIELDS, person.scrub)


def _export_inquiries(inquiries):
    return [{**plain_row(inquiry), "replies": [plain_row(reply) for reply in inquiry.replies]} for inquiry in inquiries]


register(
    PersonalData(
        "inquiries",
        Inquiry,
        rows=_in_order(Inquiry),
        gather=_gather_inquiries,
        erase=_erase_inquiries,
        export=_export_inquiries,
        kept="The kind, status and dates of each inquiry.",
        label=_l("Inquiries: %(n)d"),
    )
)


def _erase_replies(replies, person):
    for reply in replies:
        reply.body = ERASED


register(
    PersonalData(
        "inquiry_replies",
        InquiryReply,
        rows=child_rows(InquiryReply, Inquiry, InquiryReply.inquiry_id),
        merge="follows",
        erase=_erase_replies,
        exported=False,  # inside their inquiry
        kept="That staff replied, and when.",
    )
)


def _erase_notes(notes, person):
    for note in notes:
        note.body = ERASED


register(
    PersonalData(
        "notes",
        Note,
        rows=_in_order(Note),
        erase=_erase_notes,
        kept="That a note was written, and when.",
        label=_l("Notes: %(n)d"),
    )
)


# --- the audit trail and import reports ----------------------------------------------------------


def _audit_rows(person):
    inquiries = select(Inquiry.id).where(Inquiry.supporter_id.in_(person.ids))
    about = or_(
        and_(AuditEvent.target_type == "supporter", AuditEvent.target_id.in_(person.ids)),
        and_(AuditEvent.target_type == "inquiry", AuditEvent.target_id.in_(inquiries)),
    )
    return select(AuditEvent).where(about).order_by(AuditEvent.created_at, AuditEvent.id)


def _gather_audit(events, person):
    for event in events:
        if event.action == "merge" and isinstance(event.changes, dict):
            person.add_emails(event.changes.get("absorbed_email"), (event.changes.get("values") or {}).get("email"))


def _erase_audit(events, person):
    for event in events:
        event.changes = scrub_json(event.changes or {}, person.scrub, SAFE_KEYS)


register(
    PersonalData(
        "audit_events",
        AuditEvent,
        rows=_audit_rows,
        merge="none",  # the trail keeps the ids it was written with; the export follows merged records
        gather=_gather_audit,
        erase=_erase_audit,
        kept="Who did what and when; the values changed are erased.",
    )
)


def _import_rows(person):
    """Import batches whose error report quotes one of the person's addresses."""
    if not person.emails:
        return None
    report = func.lower(ImportBatch.error_report)
    return (
        select(ImportBatch)
        .where(or_(*(report.contains(email, autoescape=True) for email in sorted(person.emails))))
        .order_by(ImportBatch.id)
    )


def _erase_imports(batches, person):
    for batch in batches:
        batch.error_report = person.scrub(batch.error_report)


register(
    PersonalData(
        "import_batches",
        ImportBatch,
        rows=_import_rows,
        merge="none",
        erase=_erase_imports,
        exported=False,  # a report's rows are the file staff uploaded, not something the person gave us
        kept="The batch and its counts; the person's words are scrubbed out of its error report.",
    )
)

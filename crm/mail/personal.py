"""The mail feature's tables in the personal-data registry (see crm.personal).

A person's messages are found three ways: by their record, by their address, and by what a
message is about (its dedupe key ends ``<table>:<id>``, or has it between colons: a gift's
thank-you, a tribute note, an e-card, the team's notice of an inquiry).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.mail.models import Enrolment, OutboundEmail
from crm.personal import PersonalData, blank, register, scrub_json

# Statuses of messages not yet handed to the mail server.
UNSENT = ("queued", "failed")


def _email_rows(person):
    about = [OutboundEmail.supporter_id.in_(person.ids)]
    if person.emails:
        about.append(func.lower(OutboundEmail.to_address).in_(sorted(person.emails)))
    for subject in sorted(person.subjects):
        about.append(OutboundEmail.dedupe_key.endswith(f":{subject}", autoescape=True))
        about.append(OutboundEmail.dedupe_key.contains(f":{subject}:", autoescape=True))
    return select(OutboundEmail).where(or_(*about)).order_by(OutboundEmail.id)


def _erase_emails(emails, person):
    for email in emails:
        if email.status in UNSENT:
            email.status = "cancelled"
        blank(email, ("to_address", "to_name"))
        blank(email, ("smtp_response", "last_error"), person.scrub)
        email.context = scrub_json(email.context or {}, person.scrub)


register(
    PersonalData(
        "outbound_emails",
        OutboundEmail,
        rows=_email_rows,
        erase=_erase_emails,
        kept="Which message, when, and what the mail server answered; no address or content.",
        label=_l("Emails: %(n)d"),
        erasing=lambda n: ngettext(
            "cancel what is still queued and erase the address and content of %(num)d email;",
            "cancel what is still queued and erase the address and content of %(num)d emails;",
            n,
        ),
    )
)


def _merge_enrolments(survivor, absorbed):
    """Move the absorbed record's sequences; where both are in one for the same thing, the survivor's stays."""
    kept = aliased(Enrolment)
    twin = (
        select(kept.id)
        .where(
            kept.supporter_id == survivor.id,
            kept.sequence_id == Enrolment.sequence_id,
            kept.subject_key == Enrolment.subject_key,
        )
        .exists()
    )
    db.session.execute(delete(Enrolment).where(Enrolment.supporter_id == absorbed.id, twin))
    result = db.session.execute(
        update(Enrolment).where(Enrolment.supporter_id == absorbed.id).values(supporter_id=survivor.id)
    )
    return result.rowcount


def _erase_enrolments(enrolments, person):
    for enrolment in enrolments:
        if enrolment.state in ("active", "paused"):
            enrolment.state, enrolment.stopped_reason = "stopped", "erased"
            enrolment.next_step_at = None


register(
    PersonalData(
        "sequence_enrolments",
        Enrolment,
        merge=_merge_enrolments,
        erase=_erase_enrolments,
        kept="Which sequence and when; it is stopped.",
        label=_l("Email sequences: %(n)d"),
    )
)

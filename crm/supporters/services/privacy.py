"""A person's privacy rights: everything we hold about them, and erasure.

Both run through the personal-data registry (crm.personal): every feature says, table by
table, what it holds about a person and what an erasure does to it. Erasure anonymises: it
keeps the rows the law needs (consent proof, the timeline, gifts and receipts for the books)
and scrubs the personal text out of them. The address stays only as a hash on the
suppression list, so the person is never emailed again.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.audit import record_audit
from crm.extensions import db
from crm.personal import Person, count_person, erase_person, export_person, plain, plain_row
from crm.supporters.models import Supporter
from crm.supporters.services import SupporterError
from crm.supporters.services.intake import add_activity
from crm.supporters.signals import erased
from crm.utc import utcnow

CONFIRM_WORDS = ("ERASE", "EFFACER")


def merged_records(supporter):
    """Return the records merged into this one (kept rows, with merged_into_id)."""
    return db.session.scalars(
        select(Supporter).where(Supporter.merged_into_id == supporter.id).order_by(Supporter.id)
    ).all()


def person_of(supporter, now=None):
    """Return the Person the registry works on: this record and every record merged into it."""
    return Person(supporter, [supporter, *merged_records(supporter)], now=now)


def privacy_summary(supporter):
    """Return what is held about the person, for the privacy and erase pages.

    `lines` has a "Consent records: 2" line for every table that counts; the other keys are counts by table.
    """
    person = person_of(supporter)
    counted = count_person(person)
    counts = {entry.key: n for entry, n in counted}
    counts.update(
        tags=len(supporter.tags),
        merged_records=len(person.records) - 1,
        lines=[entry.label % {"n": n} for entry, n in counted],
        erasing=[entry.erasing(n) for entry, n in counted if entry.erasing is not None and n],
    )
    return counts


def export_personal_data(supporter, actor, ip_address="", now=None):
    """Return everything held about the person as plain JSON-ready data; audit it and note it."""
    now = now or utcnow()
    person = person_of(supporter, now)
    data = {
        "format": "crm-privacy-export/2",
        "generated_at": plain(now),
        "supporter": plain_row(supporter),
        "merged_records": [plain_row(record) for record in person.records[1:]],
        "tags": [tag.name for tag in supporter.tags],
        **export_person(person),
    }
    ids = person.ids
    record_audit(actor, "privacy_export", "supporter", supporter.id, {"records": ids}, ip_address=ip_address, now=now)
    add_activity(supporter, "privacy_export", "Personal data exported", {"records": ids}, actor=actor, now=now)
    db.session.flush()
    return data


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
    """Anonymise the person (and the records merged into them) in every registered table."""
    check_erasable(supporter)
    now = now or utcnow()
    person = person_of(supporter, now)
    ids = person.ids
    erase_person(person)
    add_activity(supporter, "erase", "Personal data erased", {"records": ids}, actor=actor, now=now)
    record_audit(actor, "erase", "supporter", supporter.id, {"records": ids}, ip_address=ip_address, now=now)
    db.session.flush()
    erased.send(supporter=supporter, actor=actor)
    return supporter


def is_confirm_word(text):
    """Return True if `text` is the word that confirms an erasure (English or French)."""
    return (text or "").strip().upper() in CONFIRM_WORDS

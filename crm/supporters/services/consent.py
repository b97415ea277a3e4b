"""The consent ledger's rules (CASL): recording consent, withdrawing it, and may_email().

Rules, in order:
1. No address, an erased or merged record, or an address on the suppression list: never.
2. Transactional messages (receipts, replies to an inquiry): yes, without marketing consent.
3. Express consent holds until withdrawn; a later express consent overrides an earlier withdrawal
   (the person asked again).
4. Implied consent (a gift or purchase: 2 years; an inquiry: 6 months) lapses by itself, and a
   withdrawal wins over it, before or after: a gift never re-subscribes someone who said no.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from crm.extensions import db
from crm.supporters.models import BASES, PURPOSES, ConsentRecord, Suppression, email_hash
from crm.supporters.services import SupporterError
from crm.supporters.services.intake import add_activity
from crm.supporters.signals import consent_withdrawn
from crm.utc import utcnow

TRANSACTIONAL = "transactional"
ALL = "all"
# How long implied consent lasts, in months, by basis (CASL s. 10(10)).
IMPLIED_MONTHS = {"implied_gift": 24, "implied_purchase": 24, "implied_inquiry": 6}


def add_months(moment, months):
    """Return the same day `months` later (the last day of the month when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _check_purpose(purpose, allow_all=False):
    if purpose not in PURPOSES and not (allow_all and purpose == ALL):
        raise SupporterError(f"unknown consent purpose {purpose!r}")


def grant_consent(
    supporter,
    purpose,
    basis,
    *,
    wording="",
    wording_version="",
    form="",
    language="",
    ip_address="",
    user_agent="",
    reference="",
    recorded_by=None,
    given_at=None,
    now=None,
):
    """Record consent. Express needs the exact wording and its version; implied ones expire."""
    _check_purpose(purpose, allow_all=basis != "express")
    if basis not in BASES:
        raise SupporterError(f"unknown consent basis {basis!r}")
    if basis == "express" and not (wording and wording_version):
        raise SupporterError("express consent needs the wording shown and its version")
    given_at = given_at or now or utcnow()
    expires_at = add_months(given_at, IMPLIED_MONTHS[basis]) if basis in IMPLIED_MONTHS else None
    record = _add_record(
        supporter, purpose, "grant", form, ip_address, user_agent, recorded_by, given_at,
        basis=basis, wording=wording, wording_version=wording_version, reference=reference,
        language=language or supporter.language or "", expires_at=expires_at,
    )  # fmt: skip
    details = {"purpose": purpose, "basis": basis, "form": form, "version": wording_version}
    add_activity(supporter, "consent", f"{basis} consent: {purpose}", details, recorded_by, given_at)
    db.session.flush()
    return record


def _add_record(supporter, purpose, action, form, ip_address, user_agent, recorded_by, at, **fields):
    fields.setdefault("language", supporter.language or "")
    record = ConsentRecord(
        supporter_id=supporter.id,
        purpose=purpose,
        action=action,
        form=form,
        ip_address=(ip_address or "")[:45],
        user_agent=(user_agent or "")[:300],
        recorded_by_id=getattr(recorded_by, "id", None),
        created_at=at,
        **fields,
    )
    db.session.add(record)
    return record


def record_implied_consent(supporter, basis, given_at, reference="", form=""):
    """Record the implied consent a gift, purchase or inquiry gives (for every purpose)."""
    if basis not in IMPLIED_MONTHS:
        raise SupporterError(f"not an implied basis: {basis!r}")
    return grant_consent(supporter, ALL, basis, reference=reference, form=form, given_at=given_at)


def withdraw_consent(supporter, purpose, *, form="", ip_address="", user_agent="", recorded_by=None, now=None):
    """Record a withdrawal for one purpose, or for "all" (unsubscribe from everything)."""
    _check_purpose(purpose, allow_all=True)
    now = now or utcnow()
    record = _add_record(supporter, purpose, "withdraw", form, ip_address, user_agent, recorded_by, now, basis=None)
    add_activity(supporter, "consent", f"withdrawn: {purpose}", {"purpose": purpose, "form": form}, recorded_by, now)
    db.session.flush()
    consent_withdrawn.send(supporter=supporter, purpose=purpose, record=record)
    return record


@dataclass(frozen=True)
class ConsentState:
    allowed: bool
    reason: str
    basis: str | None = None
    since: datetime | None = None
    expires_at: datetime | None = None


def consent_state(supporter, purpose, now=None):
    """Return whether `supporter` may get a `purpose` message at `now`, and why."""
    now = now or utcnow()
    if purpose != TRANSACTIONAL:
        _check_purpose(purpose)
    if supporter is None or not supporter.email or supporter.erased_at or supporter.merged_into_id:
        return ConsentState(False, "no address")
    records = []
    if purpose != TRANSACTIONAL:
        records = db.session.scalars(
            db.select(ConsentRecord)
            .where(
                ConsentRecord.supporter_id == supporter.id,
                ConsentRecord.purpose.in_((purpose, ALL)),
                ConsentRecord.created_at <= now,
            )
            .order_by(ConsentRecord.created_at, ConsentRecord.id)
        ).all()
    return decide_consent(supporter, purpose, records, is_suppressed(supporter.email), now)


def decide_consent(supporter, purpose, records, suppressed, now):
    """Apply the rules to records already loaded (any purposes, in any order): a ConsentState.

    The one place the rules live; consent_state() loads one person's records, exports load a
    batch of people's and call this for each.
    """
    if supporter is None or not supporter.email or supporter.erased_at or supporter.merged_into_id:
        return ConsentState(False, "no address")
    if suppressed:
        return ConsentState(False, "suppressed")
    if purpose == TRANSACTIONAL:
        return ConsentState(True, "transactional")
    records = sorted(
        (r for r in records if r.purpose in (purpose, ALL) and r.created_at <= now), key=lambda r: r.created_at
    )
    last_withdrawal = max((r.created_at for r in records if r.action == "withdraw"), default=None)
    express = [
        r
        for r in records
        if r.action == "grant" and r.basis == "express" and (last_withdrawal is None or r.created_at > last_withdrawal)
    ]
    if express:
        return ConsentState(True, "express", "express", express[0].created_at)
    if last_withdrawal is not None:
        return ConsentState(False, "withdrawn", since=last_withdrawal)
    implied = [r for r in records if r.action == "grant" and r.expires_at is not None and r.expires_at > now]
    if implied:
        latest = max(implied, key=lambda r: r.expires_at)
        return ConsentState(True, "implied", latest.basis, latest.created_at, latest.expires_at)
    if any(r.action == "grant" for r in records):
        return ConsentState(False, "expired")
    return ConsentState(False, "never given")


def consent_records_by_person(supporter_ids, now):
    """{supporter_id: [records made by `now`]} for a batch of people, in one query: what decide_consent reads."""
    records = defaultdict(list)
    query = db.select(
        ConsentRecord.supporter_id,
        ConsentRecord.purpose,
        ConsentRecord.action,
        ConsentRecord.basis,
        ConsentRecord.created_at,
        ConsentRecord.expires_at,
    ).where(ConsentRecord.supporter_id.in_(supporter_ids), ConsentRecord.created_at <= now)
    for record in db.session.execute(query):
        records[record.supporter_id].append(record)
    return records


def may_email(supporter, purpose, now=None):
    """Return True if `supporter` may be sent a `purpose` message at `now` ("transactional" or a purpose)."""
    return consent_state(supporter, purpose, now).allowed


def is_suppressed(email):
    """Return True if the address is on the suppression list."""
    return db.session.scalar(db.select(Suppression.id).filter_by(email_hash=email_hash(email))) is not None


def suppressed_hashes(addresses):
    """The hashes of those of `addresses` on the suppression list, in one query (for a batch)."""
    hashes = {email_hash(address) for address in addresses}
    return set(db.session.scalars(db.select(Suppression.email_hash).where(Suppression.email_hash.in_(hashes))))


def suppress_email(email, reason, note="", now=None):
    """Put an address on the suppression list (once); return the entry."""
    digest = email_hash(email)
    entry = db.session.scalar(db.select(Suppression).filter_by(email_hash=digest))
    if entry is None:
        entry = Suppression(email_hash=digest, reason=reason, note=note[:200], created_at=now or utcnow())
        db.session.add(entry)
        db.session.flush()
    return entry

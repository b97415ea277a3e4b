"""Finding records that are one person twice, and merging them into one."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, union, update
from sqlalchemy.orm import aliased

from crm.audit import record_audit
from crm.extensions import db
from crm.normalize import normalize_email
from crm.personal import merge_person
from crm.supporters.models import Supporter
from crm.supporters.models.people import fold
from crm.supporters.services import SupporterError
from crm.supporters.services.intake import PROFILE_FIELDS, add_activity
from crm.supporters.signals import merged
from crm.utc import utcnow

# The fields staff choose between on the merge screen, in screen order.
MERGE_FIELDS = ("first_name", "last_name", "email", *PROFILE_FIELDS[2:], "source")
MAX_PAIRS = 200
REASONS = {
    "same_email": _l("same email address"),
    "same_name": _l("same name"),
    "similar_name": _l("similar name"),
    "same_postal_code": _l("same postal code"),
    "same_phone": _l("same phone number"),
}


class MergeError(SupporterError):
    """Two records that cannot be merged (the same one, already merged, or erased)."""


@dataclass
class DuplicatePair:
    """Two live records that may be one person; `certainty` is "certain" or "likely"."""

    first: Supporter
    second: Supporter
    certainty: str
    reasons: list = field(default_factory=list)

    @property
    def reason_labels(self):
        return [REASONS[reason] for reason in self.reasons]


def _live(model):
    return and_(model.merged_into_id.is_(None), model.erased_at.is_(None))


def edit_distance(a, b):
    """Return the Levenshtein distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def first_names_close(a, b):
    """Return True for 'Jon'/'John', 'J.'/'John', 'Sam'/'Samuel', 'Élise'/'Elise'; False for 'Ana'/'Marc'."""
    a, b = fold(a).strip(". "), fold(b).strip(". ")
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short):
        return True  # a short form: Sam and Samuel, Alex and Alexandra
    return edit_distance(a, b) <= (1 if min(len(a), len(b)) <= 4 else 2)


def _names_match(a, b):
    """Return "same_name", "similar_name" or None for two supporters."""
    # Compared afresh: search_name is only a coarse SQL filter here.
    name_a, name_b = (
        fold(f"{a.first_name or ''} {a.last_name or ''}"),
        fold(f"{b.first_name or ''} {b.last_name or ''}"),
    )
    if name_a and name_a == name_b:
        return "same_name"
    if fold(a.last_name) and fold(a.last_name) == fold(b.last_name) and first_names_close(a.first_name, b.first_name):
        return "similar_name"
    return None


def _certain_pairs(limit):
    """Pairs of live records whose emails are equal once trimmed and lower-cased."""
    key = func.lower(func.trim(Supporter.email))
    groups = (
        select(key.label("key"))
        .where(_live(Supporter), Supporter.email.is_not(None))
        .group_by(key)
        .having(func.count() > 1)
        .limit(limit + 1)
        .subquery()
    )
    rows = db.session.execute(
        select(Supporter, key).where(_live(Supporter), key.in_(select(groups.c.key))).order_by(key, Supporter.id)
    ).all()
    pairs, first_of_group = [], {}
    for supporter, group in rows:
        if group in first_of_group:
            pairs.append(DuplicatePair(first_of_group[group], supporter, "certain", ["same_email"]))
        else:
            first_of_group[group] = supporter
    return pairs


def _candidate_ids():
    """Return a query of (first_id, second_id): live records sharing an address or phone key and a name key.

    Each part joins on two equal columns, so PostgreSQL can hash-join and SQLite can find the
    partner through the key's index, instead of comparing every record with every other.
    """
    sqlite = db.session.get_bind().dialect.name == "sqlite"

    def unindexed(column, blank):
        # Without ANALYZE, SQLite would look records up by name or by merged_into_id (most rows):
        # wrapping the column steers it to the key's index. PostgreSQL plans well as it is.
        return func.coalesce(column, blank) if sqlite else column

    def live(model):
        merged = func.coalesce(model.merged_into_id, 0) == 0 if sqlite else model.merged_into_id.is_(None)
        return and_(merged, model.erased_at.is_(None))

    a, b = aliased(Supporter), aliased(Supporter)
    parts = []
    for key_name in ("postal_key", "phone_key"):
        for name_column in ("search_name", "last_name"):
            key_a, key_b = getattr(a, key_name), getattr(b, key_name)
            name_a, name_b = getattr(a, name_column), getattr(b, name_column)
            parts.append(
                select(a.id.label("first_id"), b.id.label("second_id"))
                .join(b, and_(key_b == key_a, unindexed(name_b, "") == name_a, b.id > a.id))
                # A blank name is no evidence (and search_name of a nameless record is not blank).
                .where(key_a != "", name_a != "", or_(a.first_name != "", a.last_name != ""), live(a), live(b))
            )
    pairs = union(*parts).subquery()
    return select(pairs.c.first_id, pairs.c.second_id).order_by(pairs.c.first_id, pairs.c.second_id)


def _likely_pairs(limit, chunk=500):
    """Pairs of live records with a shared postal code or phone whose names look alike."""
    ids = db.session.execute(_candidate_ids()).all()
    pairs = []
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        wanted = {i for pair in batch for i in pair}
        records = {s.id: s for s in db.session.scalars(select(Supporter).where(Supporter.id.in_(wanted)))}
        for first_id, second_id in batch:
            first, second = records[first_id], records[second_id]
            name_reason = _names_match(first, second)
            if name_reason is None:
                continue
            reasons = [name_reason]
            if first.postal_key and first.postal_key == second.postal_key:
                reasons.append("same_postal_code")
            if first.phone_key and first.phone_key == second.phone_key:
                reasons.append("same_phone")
            pairs.append(DuplicatePair(first, second, "likely", reasons))
            if len(pairs) > limit:
                return pairs
    return pairs


def find_duplicates(limit=MAX_PAIRS):
    """Return (pairs, more): candidate duplicate pairs among live records, certain ones first."""
    found = {(pair.first.id, pair.second.id): pair for pair in _certain_pairs(limit)}
    for pair in _likely_pairs(limit):
        found.setdefault((pair.first.id, pair.second.id), pair)
    pairs = sorted(found.values(), key=lambda p: (p.certainty != "certain", p.first.id, p.second.id))
    return pairs[:limit], len(pairs) > limit


def check_mergeable(first, second):
    """Raise MergeError unless both records are live and distinct."""
    if first.id == second.id:
        raise MergeError(_l("A record cannot be merged with itself."))
    for supporter in (first, second):
        if supporter.erased_at is not None:
            raise MergeError(_l("Record #%(id)d was erased; it cannot be merged.", id=supporter.id))
        if supporter.merged_into_id is not None:
            raise MergeError(
                _l(
                    "Record #%(id)d was already merged into record #%(other)d.",
                    id=supporter.id,
                    other=supporter.merged_into_id,
                )
            )


def default_choices(first, second):
    """Return {field: record}: the record whose value to keep, the non-blank one, else the newer one."""
    newer, older = sorted((first, second), key=lambda s: (s.updated_at or s.created_at, s.id), reverse=True)
    return {name: older if not getattr(newer, name) and getattr(older, name) else newer for name in MERGE_FIELDS}


def merge_supporters(survivor, absorbed, choices, actor, now=None, ip_address=""):
    """Merge `absorbed` into `survivor`: chosen values, tags, and every registered table's rows.

    `choices` maps a field to the record (survivor or absorbed) whose value to keep; a field left
    out keeps the survivor's value, or takes the absorbed one when the survivor's is blank. The
    absorbed row stays, marked merged_into_id, so links to it can be followed.
    """
    check_mergeable(survivor, absorbed)
    now = now or utcnow()
    values, chosen = {}, {}
    for name in MERGE_FIELDS:
        source = choices.get(name)
        if source is None:
            source = survivor if getattr(survivor, name) or not getattr(absorbed, name) else absorbed
        elif source is not survivor and source is not absorbed:
            raise ValueError(f"the value of {name} must come from one of the two records")
        values[name] = getattr(source, name)
        chosen[name] = "survivor" if source is survivor else "absorbed"
    if values["email"]:
        # An address stored before normalisation may collide with a third record once normalised.
        taken = db.session.scalar(
            select(Supporter.id).where(
                Supporter.email == normalize_email(values["email"]), Supporter.id.not_in((survivor.id, absorbed.id))
            )
        )
        if taken is not None:
            raise MergeError(_l("Another supporter (#%(id)d) already has this email address.", id=taken))
    absorbed_email = absorbed.email
    # The address is unique: let go of it on the absorbed record before the survivor takes it.
    absorbed.email = None
    db.session.flush()
    for name, value in values.items():
        setattr(survivor, name, value)
    survivor.updated_at = now

    # Every feature's rows of the absorbed record move, as each registered (crm.personal).
    moved = merge_person(survivor, absorbed)
    for tag in list(absorbed.tags):
        if tag not in survivor.tags:
            survivor.tags.append(tag)
    moved["tags"] = len(absorbed.tags)
    absorbed.tags.clear()
    # Records merged into the absorbed one earlier now point at the survivor: no chains.
    db.session.execute(
        update(Supporter).where(Supporter.merged_into_id == absorbed.id).values(merged_into_id=survivor.id)
    )
    absorbed.merged_into_id = survivor.id
    absorbed.updated_at = now
    db.session.flush()

    add_activity(
        survivor,
        "merge",
        f"Record #{absorbed.id} merged into this record",
        {"survivor_id": survivor.id, "absorbed_id": absorbed.id, "moved": moved},
        actor=actor,
        now=now,
    )
    record_audit(
        actor,
        "merge",
        "supporter",
        survivor.id,
        {
            "survivor_id": survivor.id,
            "absorbed_id": absorbed.id,
            "values": values,
            "chosen_from": chosen,
            "absorbed_email": absorbed_email,
            "moved": moved,
        },
        ip_address=ip_address,
        now=now,
    )
    db.session.flush()
    merged.send(survivor=survivor, merged=absorbed, actor=actor)
    return survivor

"""Finding or creating the one record of a person, and their timeline."""

from crm.extensions import db
from crm.normalize import normalize_email
from crm.supporters.models import Activity, Supporter
from crm.unique import add_once
from crm.utc import utcnow

# Fields a form or an import may fill on a supporter record.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "organization",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
)


def find_supporter(email):
    """Return the live supporter with this email (any case, spacing or Unicode form), or None."""
    email = normalize_email(email)
    if not email:
        return None
    return db.session.scalar(db.select(Supporter).filter_by(email=email))


def _clean(values):
    for field in values:
        if field not in PROFILE_FIELDS:
            raise ValueError(f"not a profile field: {field}")
    return {field: value.strip() if isinstance(value, str) else value for field, value in values.items()}


def fill_blanks(supporter, values):
    """Set the fields that are blank on the record; return {field: (kept, offered)} for conflicts.

    Known values are never overwritten (by blanks, or by a stranger typing someone's email);
    differing values are returned so the caller can note them on the timeline for staff.
    """
    conflicts = {}
    for field, value in _clean(values).items():
        if not value:
            continue
        current = getattr(supporter, field)
        if not current:
            setattr(supporter, field, value)
        elif current != value:
            conflicts[field] = [current, value]
    return conflicts


def find_or_create_supporter(email, source="", now=None, **values):
    """Return (supporter, created, conflicts) for this email, filling blanks from `values`."""
    now = now or utcnow()
    supporter = find_supporter(email)
    if supporter is None:
        given = {field: value for field, value in _clean(values).items() if value}
        supporter = Supporter(email=email, source=source or "", created_at=now, updated_at=now, **given)
        if add_once(supporter):
            return supporter, True, {}
        # A twin request (a double click, two tabs) created this person a moment ago: use theirs.
        supporter = find_supporter(email)
    conflicts = fill_blanks(supporter, values)
    db.session.flush()
    return supporter, False, conflicts


def add_activity(supporter, kind, summary="", details=None, actor=None, now=None):
    """Put an entry on the supporter's timeline."""
    activity = Activity(
        supporter_id=supporter.id,
        kind=kind,
        summary=summary[:500],
        details=details or {},
        actor_id=getattr(actor, "id", None),
        created_at=now or utcnow(),
    )
    db.session.add(activity)
    return activity

"""The donor's signed link to their monthly gift: no account, no expiry (it is in every email)."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from crm.extensions import db
from crm.links import site_url
from crm.payments.models import RecurringGift
from crm.payments.services import DonationError

MANAGE_SALT = "monthly-gift-manage"


class ManageLinkError(DonationError):
    """A manage link that was altered, or that names no monthly gift."""


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=MANAGE_SALT)


def make_manage_token(gift):
    """Return the signed token of a monthly gift's manage link (no expiry: it is in every email)."""
    return _serializer().dumps(gift.id)


def read_manage_token(token):
    """Return the monthly gift a manage token names; ManageLinkError if it was altered."""
    try:
        gift_id = _serializer().loads((token or "")[:200])
        gift = db.session.get(RecurringGift, int(gift_id)) if type(gift_id) is int else None
    except (BadSignature, TypeError, ValueError, OverflowError) as error:
        raise ManageLinkError("invalid") from error
    if gift is None:
        raise ManageLinkError("invalid")
    return gift


def manage_url(recurring_gift, external=True):
    """Return the donor's signed link to manage this monthly gift (built on BASE_URL when external)."""
    return site_url("payments.manage", external=external, token=make_manage_token(recurring_gift))

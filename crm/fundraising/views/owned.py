"""The one check of every fundraiser screen: the page is the signed-in user's own (404 otherwise)."""

from flask import abort
from flask_login import current_user

from crm.extensions import db
from crm.fundraising.models import FundraiserPage


def my_page(page_id, staff_too=False):
    """The signed-in user's page `page_id` (staff's too, where they may look); else a 404, never a hint."""
    page = db.session.get(FundraiserPage, page_id)
    if page is None or not (page.owned_by(current_user) or (staff_too and current_user.is_staff)):
        abort(404)  # another fundraiser's page, and its donors, are not there for you
    return page

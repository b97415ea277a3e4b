"""Supporter records, their timeline, consent ledger, inquiries and imports."""

from crm.supporters.models.consents import (
    BASES,
    IMPLIED_BASES,
    PURPOSES,
    SUPPRESSION_REASONS,
    ConsentRecord,
    Suppression,
    email_hash,
)
from crm.supporters.models.inquiries import INQUIRY_KINDS, INQUIRY_STATUSES, Inquiry, InquiryReply
from crm.supporters.models.people import (
    ACTIVITY_KINDS,
    SIGNUP_FORMS,
    Activity,
    AttributionMixin,
    ImportBatch,
    Note,
    Signup,
    Supporter,
    Tag,
    supporter_tags,
)

__all__ = [
    "ACTIVITY_KINDS",
    "BASES",
    "IMPLIED_BASES",
    "INQUIRY_KINDS",
    "INQUIRY_STATUSES",
    "PURPOSES",
    "SIGNUP_FORMS",
    "SUPPRESSION_REASONS",
    "Activity",
    "AttributionMixin",
    "ConsentRecord",
    "ImportBatch",
    "Inquiry",
    "InquiryReply",
    "Note",
    "Signup",
    "Supporter",
    "Suppression",
    "Tag",
    "email_hash",
    "supporter_tags",
]

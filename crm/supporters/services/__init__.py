"""Supporter use cases. They add and flush; the view or command commits."""

from crm.errors import UserError


class SupporterError(UserError):
    """A supporter use case refused; str() is a message for the person."""

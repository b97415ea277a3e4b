"""Supporter use cases. They add and flush; the view or command commits."""


class SupporterError(Exception):
    """An expected failure the user can correct; str() is a message for them."""

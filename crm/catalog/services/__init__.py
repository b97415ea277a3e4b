"""Catalog services: plain functions that add and flush, never commit."""

from crm.supporters.services import SupporterError


class CatalogError(SupporterError):
    """An expected problem with an item, a cart or an order; `str(error)` is safe to show."""

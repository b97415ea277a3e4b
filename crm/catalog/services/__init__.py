"""Catalog services: plain functions that add and flush, never commit."""

from crm.errors import UserError


class CatalogError(UserError):
    """An expected problem with an item, a cart or an order; `str(error)` is safe to show."""

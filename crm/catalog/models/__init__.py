"""The catalog feature's tables."""

from crm.catalog.models.items import Category, Item
from crm.catalog.models.orders import HonourCard, Order, OrderLine

__all__ = ["Category", "HonourCard", "Item", "Order", "OrderLine"]

"""What the public sees of the catalog: active items by category and position."""

from flask import current_app
from sqlalchemy.orm import selectinload

from crm.catalog.models import Category, Item
from crm.extensions import db
from crm.normalize import plausible_slug


def _offered():
    # An item priced in another currency than the site's cannot go in the cart: it is not shown either.
    return Item.active.is_(True) & (Item.currency == current_app.config["CURRENCY"])


def _active_items():
    return (
        db.select(Item)
        .outerjoin(Item.category)
        .where(_offered())
        .options(selectinload(Item.category))
        # Items without a category come last; ids break ties so the order never shuffles.
        .order_by(Category.id.is_(None), Category.position, Category.id, Item.position, Item.id)
    )


def active_items(category=None):
    """Return the active items in page order, only those of `category` when one is given."""
    query = _active_items()
    if category is not None:
        query = query.where(Item.category_id == category.id)
    return list(db.session.scalars(query))


def group_by_category(items):
    """Return [(category or None, [items])] keeping the items' order."""
    groups = []
    for item in items:
        if not groups or groups[-1][0] is not item.category:
            groups.append((item.category, []))
        groups[-1][1].append(item)
    return groups


def categories_in_use():
    """Return the categories that have an active item, in page order."""
    used = db.select(Item.category_id).where(_offered(), Item.category_id.is_not(None))
    query = db.select(Category).where(Category.id.in_(used)).order_by(Category.position, Category.id)
    return list(db.session.scalars(query))


def find_category(slug):
    """Return the category with this slug, or None."""
    if not plausible_slug(slug):
        return None
    return db.session.scalar(db.select(Category).filter_by(slug=slug))


def find_active_item(slug):
    """Return the active item with this slug, or None."""
    if not plausible_slug(slug):
        return None
    return db.session.scalar(db.select(Item).where(Item.slug == slug, _offered()))

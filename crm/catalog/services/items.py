"""Staff use cases for the catalog: add and change items and categories, and their order on the page."""

import secrets
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from crm.audit import record_audit
from crm.catalog.models import Category, Item
from crm.catalog.services import CatalogError
from crm.extensions import db
from crm.images import store_image
from crm.normalize import slugify
from crm.unique import add_once

# Keeps an order of many units well inside the 32-bit cents columns of payments.
MAX_PRICE_CENTS = 10_000_000
MAX_CAP = 1_000_000
MAX_NAME = 200
MAX_TEXT = 5000
TEXT_FIELDS = ("name_en", "name_fr", "description_en", "description_fr", "impact_en", "impact_fr")

IMAGE_FOLDER = "catalog"  # MEDIA_ROOT/catalog/: the items' pictures (crm/images.py)


class ItemError(CatalogError):
    """Bad input for an item; `field` names the form field it is about (None: the whole form)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass
class ItemFields:
    """An item as staff typed it: texts in both languages, amounts in cents."""

    name_en: str
    name_fr: str
    price_cents: int
    description_en: str = ""
    description_fr: str = ""
    impact_en: str = ""
    impact_fr: str = ""
    category_id: int | None = None
    fmv_cents: int = 0
    receiptable: bool = True
    active: bool = True
    cap: int | None = None


def catalog_groups():
    """Return [(category or None, [items in page order])]: categories in order, then items with none."""
    items = db.session.scalars(select(Item).order_by(Item.position, Item.id)).all()
    groups = [(category, []) for category in list_categories()]
    by_id = {category.id: members for category, members in groups}
    loose = []
    for item in items:
        by_id.get(item.category_id, loose).append(item)
    return [*groups, (None, loose)] if loose else groups


def list_categories():
    """Return every category in page order."""
    return db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()


def create_item(fields, actor, image_data=None, media_root=None, ip_address="", now=None):
    """Add an item at the end of its category, with its image if one was sent; raise ItemError for bad input."""
    _check(fields, reserved=0)
    item = Item(**asdict(fields), position=_next_position(Item, Item.category_id == fields.category_id))
    if image_data:
        _set_image(item, store_image(image_data, media_root, IMAGE_FOLDER))
    _add_with_slug(item, fields.name_en, "item")
    changes = {name: value for name, value in asdict(fields).items() if value not in ("", None)}
    if item.image_name:
        changes["image_name"] = item.image_name
    record_audit(actor, "catalog_item.create", "catalog_item", item.id, changes, ip_address=ip_address, now=now)
    return item


def update_item(item, fields, actor, image_data=None, media_root=None, position=None, ip_address="", now=None):
    """Change an item (and its place on the page); return {field: [old, new]}; raise ItemError for bad input."""
    _check(fields, reserved=item.reserved_count)
    changes = {}
    old_category = item.category_id
    for name, value in asdict(fields).items():
        if name != "cap" and getattr(item, name) != value:
            changes[name] = [getattr(item, name), value]
            setattr(item, name, value)
    if fields.cap != item.cap:
        changes["cap"] = [item.cap, fields.cap]
        _set_cap(item, fields.cap)
    if image_data:
        stored = store_image(image_data, media_root, IMAGE_FOLDER)
        changes["image_name"] = [item.image_name, stored.name]
        _set_image(item, stored)
    if item.category_id != old_category:
        item.position = _next_position(Item, Item.category_id == item.category_id, Item.id != item.id)
    if position is not None:
        before = item.position
        _renumber(_siblings(item), item, position)
        if item.position != before:
            changes["position"] = [before, item.position]
    db.session.flush()
    if changes:
        record_audit(actor, "catalog_item.update", "catalog_item", item.id, changes, ip_address=ip_address, now=now)
    return changes


def move_item(item, direction, actor, ip_address="", now=None):
    """Move an item one place up or down within its category."""
    _move(_siblings(item), item, direction, actor, "catalog_item", ip_address, now)


def create_category(name_en, name_fr, actor, ip_address="", now=None):
    """Add a category at the end of the page."""
    name_en, name_fr = _check_category(name_en, name_fr)
    category = Category(name_en=name_en, name_fr=name_fr, position=_next_position(Category))
    _add_with_slug(category, name_en, "category")
    changes = {"name_en": name_en, "name_fr": name_fr}
    record_audit(actor, "catalog_category.create", "catalog_category", category.id, changes, ip_address, now)
    return category


def update_category(category, name_en, name_fr, actor, ip_address="", now=None):
    """Rename a category; return {field: [old, new]}."""
    name_en, name_fr = _check_category(name_en, name_fr)
    changes = {}
    for name, value in (("name_en", name_en), ("name_fr", name_fr)):
        if getattr(category, name) != value:
            changes[name] = [getattr(category, name), value]
            setattr(category, name, value)
    db.session.flush()
    if changes:
        record_audit(actor, "catalog_category.update", "catalog_category", category.id, changes, ip_address, now)
    return changes


def move_category(category, direction, actor, ip_address="", now=None):
    """Move a category one place up or down on the page."""
    _move(list_categories(), category, direction, actor, "catalog_category", ip_address, now)


# --- checks -----------------------------------------------------------------------------------


def _check(fields, reserved):
    for name in TEXT_FIELDS:
        value = getattr(fields, name)
        if not isinstance(value, str) or "\x00" in value:
            raise ItemError(_l("This text cannot be stored."), name)
        if len(value) > (MAX_NAME if name.startswith("name") else MAX_TEXT):
            raise ItemError(_l("This text is too long."), name)
    if not fields.name_en.strip():
        raise ItemError(_l("Enter the item's name in English."), "name_en")
    price, fmv = fields.price_cents, fields.fmv_cents
    if not _is_int(price) or not 0 < price <= MAX_PRICE_CENTS:
        raise ItemError(_l("Enter a price between 0.01 and 100,000."), "price")
    if not _is_int(fmv) or not 0 <= fmv <= price:
        raise ItemError(_l("The fair market value must be between 0 and the price."), "fmv")
    cap = fields.cap
    if cap is not None and (not _is_int(cap) or not 0 < cap <= MAX_CAP):
        raise ItemError(_l("Enter a cap between 1 and 1,000,000, or leave it empty for no limit."), "cap")
    if cap is not None and cap < reserved:
        raise _cap_below(reserved)
    if fields.category_id is not None and db.session.get(Category, fields.category_id) is None:
        raise ItemError(_l("Choose a category from the list."), "category")


def _cap_below(reserved):
    return ItemError(
        _l("The cap cannot be below the %(count)s units already reserved or given.", count=reserved), "cap"
    )


def _check_category(name_en, name_fr):
    names = []
    for value in (name_en, name_fr):
        value = value.strip() if isinstance(value, str) else ""
        if "\x00" in value or len(value) > MAX_NAME:
            raise CatalogError(_l("Use at most %(max)d characters.", max=MAX_NAME))
        names.append(value)
    if not names[0]:
        raise CatalogError(_l("Enter the category's name in English."))
    return names


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# --- helpers ----------------------------------------------------------------------------------


def _set_cap(item, cap):
    # Checkouts raise reserved_count with a conditional UPDATE; lowering the cap must not race past them.
    statement = update(Item).where(Item.id == item.id).values(cap=cap)
    if cap is not None:
        statement = statement.where(Item.reserved_count <= cap)
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount != 1:
        raise _cap_below(db.session.scalar(select(Item.reserved_count).where(Item.id == item.id)))
    set_committed_value(item, "cap", cap)


def _set_image(item, stored):
    item.image_name, item.image_width, item.image_height = stored.name, stored.width, stored.height


def _next_position(model, *where):
    return (db.session.scalar(select(func.max(model.position)).where(*where)) or 0) + 1


def _siblings(item):
    return db.session.scalars(
        select(Item).where(Item.category_id == item.category_id).order_by(Item.position, Item.id)
    ).all()


def _renumber(rows, row, number):
    """Put `row` at place `number` (from 1, clamped) among `rows` and number them all 1..n."""
    others = [other for other in rows if other is not row]
    index = min(max(number, 1), len(others) + 1) - 1
    others.insert(index, row)
    for place, other in enumerate(others, start=1):
        if other.position != place:
            other.position = place


def _move(rows, row, direction, actor, target_type, ip_address, now):
    if direction not in ("up", "down"):
        raise CatalogError(_l("Choose up or down."))
    rows = list(rows)
    before = rows.index(row) + 1
    _renumber(rows, row, before - 1 if direction == "up" else before + 1)
    db.session.flush()
    if row.position != before:
        changes = {"position": [before, row.position]}
        record_audit(actor, f"{target_type}.move", target_type, row.id, changes, ip_address=ip_address, now=now)


# Paths under /catalog/ that are not items.
RESERVED_SLUGS = ("cart", "checkout", "images", "orders")


def _add_with_slug(row, name, fallback):
    # The unique index decides between two admins saving the same name at once.
    base = slugify(name, fallback)
    if base in RESERVED_SLUGS:
        base = f"{base}-{fallback}"  # /catalog/cart is the cart, not an item called "Cart"
    for attempt in range(6):
        row.slug = base if attempt == 0 else f"{base}-{secrets.token_hex(3)}"
        if add_once(row):
            return
    raise CatalogError(_l("This name is already taken. Choose another."))

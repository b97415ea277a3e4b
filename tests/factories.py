"""The rows tests start from, made straight with the models: one builder per kind, one copy each.

Tests take them as fixtures (`make_supporter`, `make_gift`, `make_item`, `make_order` in
conftest.py, flaskr style); helpers that build a whole scene (tests/catalog/shop.py) call them
directly. Each works inside the caller's app context, flushes so the row has its id, and leaves
the commit to the caller, who may make many rows in one transaction.
"""

from datetime import UTC, date, datetime

from crm.catalog.models import HonourCard, Item, Order, OrderLine
from crm.extensions import db
from crm.fundraising.models import Team
from crm.payments.models import Donation
from crm.supporters.models import Supporter, Tag
from crm.supporters.services.intake import find_or_create_supporter

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # when a supporter joined, unless told
GIVEN_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # when a gift was made, unless told


def supporter(email, first_name="", last_name="", created_at=T0, tags=(), **fields):
    """A supporter with `tags` (made when new), created at `created_at`."""
    person = Supporter(
        email=email, first_name=first_name, last_name=last_name, created_at=created_at, updated_at=created_at, **fields
    )
    for name in tags:
        tag = db.session.scalar(db.select(Tag).filter_by(name=name)) or Tag(name=name)
        person.tags.append(tag)
    db.session.add(person)
    db.session.flush()
    return person


def _payer(email, created_at, fields):
    """The supporter a gift or an order of `email` belongs to (found or made), named as in `fields`."""
    names = {key: fields[key] for key in ("first_name", "last_name") if key in fields}
    return find_or_create_supporter(email, now=created_at, **names)[0]


def gift(email, amount_cents=5000, created_at=GIVEN_AT, **fields):
    """A succeeded one-time gift in CAD from `email` (its supporter found or made)."""
    values = {"status": "succeeded", "currency": "cad", "kind": "one_time", "email": email, **fields}
    payer = _payer(email, created_at, fields)
    donation = Donation(supporter_id=payer.id, amount_cents=amount_cents, created_at=created_at, **values)
    db.session.add(donation)
    db.session.flush()
    return donation


def item(slug, price_cents=5000, category=None, **fields):
    """A catalog item with English and French text made from its slug."""
    label = slug.replace("-", " ")
    values = {
        "name_en": f"{label.capitalize()}",
        "name_fr": f"{label.capitalize()} (fr)",
        "impact_en": f"Impact of {label}",
        "impact_fr": f"Effet de {label}",
        "description_en": f"About {label}",
        "description_fr": f"À propos de {label}",
        **fields,
    }
    made = Item(slug=slug, price_cents=price_cents, category=category, **values)
    db.session.add(made)
    db.session.flush()
    return made


def order(email, lines, created_at=T0, status="paid", cards=(), donation=None, **fields):
    """An order of `lines` [(item, quantity)] at today's prices, with honour `cards` [dict of HonourCard fields]."""
    total = sum(line_item.price_cents * quantity for line_item, quantity in lines)
    made = Order(
        supporter_id=_payer(email, created_at, fields).id,
        status=status,
        total_cents=total,
        currency="cad",
        email=email,
        created_at=created_at,
        donation_id=donation.id if donation else None,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    for line_item, quantity in lines:
        db.session.add(
            OrderLine(
                order_id=made.id,
                item_id=line_item.id,
                quantity=quantity,
                unit_price_cents=line_item.price_cents,
                unit_fmv_cents=line_item.fmv_cents,
                name=line_item.name_en,
            )
        )
    for card in cards:
        db.session.add(HonourCard(order_id=made.id, deliver_on=date(2026, 12, 24), **card))
    db.session.flush()
    return made


def team_of(page, slug, name):
    """A team in the page's campaign with the page as a member (flushed, not committed)."""
    team = Team(campaign_id=page.campaign_id, slug=slug, name=name)
    db.session.add(team)
    db.session.flush()
    page.team_id, page.team_status = team.id, "member"
    return team

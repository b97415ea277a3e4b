"""A small catalog for the public pages and cart tests, made directly with the models."""

from pathlib import Path
from types import SimpleNamespace

from PIL import Image

from crm.catalog.models import Category, Item
from crm.extensions import db
from tests import factories


def stock(app):
    """Make two categories and items of every kind; return their ids and slugs (plain values)."""
    with app.app_context():
        legal = Category(slug="legal-help", name_en="Legal help", name_fr="Aide juridique", position=2)
        school = Category(slug="schooling", name_en="Schooling", name_fr="Scolarité", position=1)
        db.session.add_all([legal, school])
        lawyer = factories.item(
            "lawyer",
            15000,
            legal,
            name_en="A lawyer for one case",
            name_fr="Un avocat pour une cause",
            impact_en="Defends a child in court.",
            impact_fr="Défend un enfant au tribunal.",
            description_en="A lawyer's work on one case.\n\nFrom the first hearing to the verdict.",
            description_fr="Le travail d'un avocat pour une cause.\n\nDe la première audience au jugement.",
            image_name="lawyer.jpg",
            image_width=800,
            image_height=600,
            position=1,
        )
        fees = factories.item(
            "school-fees",
            5000,
            school,
            name_en="School fees",
            name_fr="Frais de scolarité",
            impact_en="A term of school for a survivor.",
            impact_fr="Un trimestre d'école pour une survivante.",
        )
        police = factories.item("police-training", 2500, legal, position=2, cap=5, reserved_count=2)
        gone = factories.item("last-shelter-bed", 3000, legal, position=3, cap=3, reserved_count=3)
        hidden = factories.item("retired-gift", 1000, school, active=False)
        loose = factories.item("loose-gift", 1500)
        foreign = factories.item("dollar-gift", 2000, currency="usd")
        db.session.commit()
        folder = Path(app.config["MEDIA_ROOT"]) / "catalog"
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (800, 600), (30, 80, 140)).save(folder / "lawyer.jpg", "JPEG")
        return SimpleNamespace(
            **{
                name: SimpleNamespace(id=item.id, slug=item.slug, name=item.name_en, name_fr=item.name_fr)
                for name, item in {
                    "lawyer": lawyer,
                    "fees": fees,
                    "police": police,
                    "gone": gone,
                    "hidden": hidden,
                    "loose": loose,
                    "foreign": foreign,
                }.items()
            },
            legal=legal.slug,
            school=school.slug,
        )


def change_item(app, item_id, **fields):
    """Change an item as staff would (price, active...), committed."""
    with app.app_context():
        item = db.session.get(Item, item_id)
        for name, value in fields.items():
            setattr(item, name, value)
        db.session.commit()

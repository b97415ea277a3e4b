"""The demo catalog: bilingual categories and items, drawn images on disk through the same pipeline, seeded once."""

from pathlib import Path

from PIL import Image

from crm.catalog.demo import seed_demo_catalog
from crm.catalog.models import Category, Item
from crm.extensions import db


def test_demo_seed_makes_the_catalog_with_images_once(app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    folder = Path(app.config["MEDIA_ROOT"]) / "catalog"
    with app.app_context():
        categories = db.session.scalars(db.select(Category).order_by(Category.position)).all()
        items = db.session.scalars(db.select(Item)).all()
        assert 3 <= len(categories) <= 4 and len(items) >= 6
        assert all(category.name_en and category.name_fr != category.name_en for category in categories[1:])
        for item in items:
            assert item.category_id and item.active and item.price_cents > 0
            assert all(getattr(item, name) for name in ("name_fr", "description_fr", "impact_fr", "impact_en"))
            path = folder / item.image_name
            with Image.open(path) as picture:
                assert picture.format == "JPEG" and picture.size == (item.image_width, item.image_height)
                assert not picture.getexif()
        capped = [item for item in items if item.cap]
        physical = [item for item in items if item.fmv_cents]
        assert len(capped) == 1 and capped[0].reserved_count == 0
        assert len(physical) == 1 and 0 < physical[0].fmv_cents < physical[0].price_cents
        assert sorted(path.name for path in folder.iterdir()) == sorted(item.image_name for item in items)
        assert seed_demo_catalog(app.config["MEDIA_ROOT"]) is False  # idempotent on its own too
        name = items[0].image_name
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Item)) == len(items)
    client = app.test_client()
    with client.get(f"/catalog/images/{name}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
    page = client.get("/catalog", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Le travail d&#39;un avocat pour un dossier" in page and "Formation professionnelle" in page

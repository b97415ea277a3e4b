"""Every blns string in every text field of an item and a category: stored as cleaned, shown escaped, never a 500."""

from markupsafe import escape

from crm.catalog.models import Category, Item
from crm.extensions import db
from crm.forms import clean_line, clean_text
from tests.blns import STRINGS
from tests.catalog.test_items import CATEGORIES, NEW, post_item
from tests.helpers import csrf_token

LINES = ("name_en", "name_fr")
TEXTS = ("description_en", "description_fr", "impact_en", "impact_fr")


def shown(value):
    return str(escape(value))


def test_blns_in_every_item_field(app, make_client):
    client, _ = make_client(role="admin")
    token = csrf_token(client, NEW)
    saved = {}
    for n, text in enumerate(STRINGS):
        # Each string goes into every field, one field at a time shifted, so all meet all fields.
        values = {name: STRINGS[(n + shift) % len(STRINGS)] for shift, name in enumerate(LINES + TEXTS)}
        response = post_item(client, token=token, **values)
        assert response.status_code in (302, 400), (n, text)
        if response.status_code == 400:
            page = response.get_data(as_text=True)
            assert 'class="error"' in page, (n, text)
            cleaned = {name: clean_line(values[name]) for name in LINES}
            assert not all(cleaned.values()) or any(len(value) > 200 for value in cleaned.values()), (n, text)
            continue
        expected = {name: clean_line(values[name]) for name in LINES}
        expected.update({name: clean_text(values[name]) for name in TEXTS})
        item_id = int(response.headers["Location"].rsplit("-", 1)[1])
        saved[item_id] = expected
    assert len(saved) > len(STRINGS) * 0.8
    with app.app_context():
        for item in db.session.scalars(db.select(Item)):
            assert {name: getattr(item, name) for name in LINES + TEXTS} == saved[item.id]
    listing = client.get("/staff/catalog/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "<script>alert(" not in page
    for item_id, expected in list(saved.items())[::7]:
        edit = client.get(f"/staff/catalog/items/{item_id}")
        assert edit.status_code == 200
        body = edit.get_data(as_text=True)
        assert shown(expected["name_en"]) in page
        for name in LINES + TEXTS:
            assert shown(expected[name]) in body, (item_id, name)


def test_blns_in_category_names(app, make_client):
    client, _ = make_client(role="admin")
    token = csrf_token(client, CATEGORIES)
    stored = 0
    for n, text in enumerate(STRINGS):
        data = {"name_en": text, "name_fr": STRINGS[n - 1], "csrf_token": token}
        response = client.post(CATEGORIES, data=data)
        assert response.status_code in (302, 400), (n, text)
        stored += response.status_code == 302
    with app.app_context():
        names = db.session.scalars(db.select(Category.name_en)).all()
    assert len(names) == stored > len(STRINGS) * 0.8
    page = client.get(CATEGORIES).get_data(as_text=True)
    assert "<script>alert(" not in page
    for name in names:
        assert shown(name) in page
    # Each category heads its (empty) group on the items page, escaped too.
    assert client.get("/staff/catalog/").status_code == 200

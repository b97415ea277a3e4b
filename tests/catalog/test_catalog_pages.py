"""The public catalog: the grid by category, an item's page, in English and French; attribution kept."""

import re
from html import unescape

import pytest

from tests.blns import STRINGS
from tests.catalog.shop import stock
from tests.helpers import attribution_of

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


@pytest.fixture
def shop(app):
    return stock(app)


def page(client, url, headers=EN, status=200):
    response = client.get(url, headers=headers)
    assert response.status_code == status, f"{response.status_code} for {url}"
    return unescape(response.get_data(as_text=True))


def test_grid_shows_active_items_by_category_in_english(client, shop):
    html = page(client, "/catalog")
    assert "<h1>Gift catalog</h1>" in html
    # Categories in their order, their items under their heading, the uncategorised last.
    headings = re.findall(r"<h2 id=\"group-\d+\">([^<]+)</h2>", html)
    assert headings == ["Schooling", "Legal help", "Other gifts"]
    assert html.index("School fees") < html.index("A lawyer for one case") < html.index("Police training")
    assert '<a href="/catalog/lawyer">A lawyer for one case</a>' in html
    assert "Defends a child in court." in html
    assert "$150.00" in html and "$50.00" in html
    assert '<img src="/catalog/images/lawyer.jpg" alt="A lawyer for one case" width="800" height="600"' in html
    assert "Gone: every one has been given." in html  # the capped item with nothing left
    assert "Retired gift" not in html  # inactive
    assert "Dollar gift" not in html  # priced in another currency: it could not go in the cart


def test_grid_in_french(client, shop):
    html = page(client, "/catalog", FR)
    assert '<html lang="fr">' in html
    assert re.findall(r"<h2 id=\"group-\d+\">([^<]+)</h2>", html)[:2] == ["Scolarité", "Aide juridique"]
    assert "Un avocat pour une cause" in html and "A lawyer for one case" not in html
    assert "Défend un enfant au tribunal." in html
    assert "150,00\xa0$" in html
    assert 'alt="Un avocat pour une cause"' in html


def test_category_filter(client, shop):
    html = page(client, f"/catalog?category={shop.school}")
    assert "School fees" in html and "A lawyer for one case" not in html
    assert f'<a href="/catalog?category={shop.school}" aria-current="page">Schooling</a>' in html
    assert '<a href="/catalog">All gifts</a>' in html
    html = page(client, f"/catalog?category={shop.legal}", FR)
    assert "Un avocat pour une cause" in html and "Frais de scolarité" not in html
    page(client, "/catalog?category=no-such-category", status=404)


def test_hostile_category_and_slug_never_500(client, shop):
    for value in STRINGS:
        response = client.get("/catalog", query_string={"category": value})
        assert response.status_code in (200, 404), f"{response.status_code} for category={value!r}"
        response = client.get("/catalog/" + value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
        assert response.status_code in (200, 404, 308), f"{response.status_code} for slug {value!r}"


def test_item_page_in_both_languages(client, shop):
    html = page(client, "/catalog/lawyer")
    assert "<h1>A lawyer for one case</h1>" in html
    assert "<p>A lawyer's work on one case.</p>" in html and "<p>From the first hearing to the verdict.</p>" in html
    assert "Defends a child in court." in html and "$150.00" in html
    assert 'alt="A lawyer for one case"' in html
    assert 'action="/catalog/cart/add"' in html and 'name="csrf_token"' in html
    assert f'name="item_id" type="hidden" value="{shop.lawyer.id}"' in html
    assert '<label for="quantity">Quantity</label>' in html
    assert 'max="100"' in html and "left to give" not in html  # no cap
    html = page(client, "/catalog/lawyer", FR)
    assert "<h1>Un avocat pour une cause</h1>" in html and "Défend un enfant au tribunal." in html
    assert "De la première audience au jugement." in html and "150,00\xa0$" in html


def test_capped_item_says_how_many_remain_and_a_gone_one_cannot_be_added(client, shop):
    html = page(client, "/catalog/police-training")
    assert "3 left to give" in html and 'max="3"' in html
    html = page(client, "/catalog/last-shelter-bed")
    assert "Gone: every one has been given." in html
    assert "/catalog/cart/add" not in html and "Add to cart" not in html


def test_inactive_unknown_and_foreign_items_have_no_page(client, shop):
    for slug in ("retired-gift", "no-such-gift", "dollar-gift"):
        page(client, f"/catalog/{slug}", status=404)


def test_empty_catalog_says_so(client):
    assert "There are no gifts in the catalog right now." in page(client, "/catalog")


@pytest.mark.parametrize("url", ["/catalog?src=story-lawyers", "/catalog/lawyer?src=story-lawyers"])
def test_src_from_a_story_link_is_remembered_on_catalog_pages(client, shop, url):
    page(client, url)
    page(client, "/catalog/cart")  # later pages do not overwrite the first touch
    attribution = attribution_of(client)
    assert attribution["source"] == "story-lawyers"
    assert attribution["landing_page"] == url.split("?")[0]


def test_pages_have_one_h1_and_link_the_cart(client, shop):
    for url in ("/catalog", "/catalog/lawyer", "/catalog/cart"):
        html = page(client, url)
        assert html.count("<h1") == 1, url
        assert "catalog.css" in html and " style=" not in html and "<script>" not in html
    assert '<a href="/catalog/cart">Your cart (0 items)</a>' in page(client, "/catalog")


def test_every_public_page_links_to_the_catalog(client):
    home = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<a href="/catalog">Catalogue de cadeaux</a>' in home
    catalog = client.get("/catalog", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<a href="/catalog" aria-current="page">Gift catalog</a>' in catalog

"""In Chromium, at a phone's and a laptop's width: every checkbox of the gift form and the checkout
sits beside its label (issue 15: on /donate and the checkout they sat alone above it), and the card
field is a group named by a visible label (no aria-label on a plain div)."""

import pytest
from playwright.sync_api import expect

from tests.catalog.shop import stock

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def _checkboxes_beside_their_labels(page):
    boxes = page.locator(".field-check input[type=checkbox]")
    assert boxes.count() >= 1
    for index in range(boxes.count()):
        box = boxes.nth(index)
        label = page.locator(f"label[for='{box.get_attribute('id')}']")
        expect(label).to_be_visible()
        b, t = box.bounding_box(), label.bounding_box()
        name = box.get_attribute("id")
        assert b["x"] + b["width"] <= t["x"], f"{name}: the label starts left of its box"
        assert t["y"] < b["y"] + b["height"], f"{name}: the label starts below its box"
        assert b["y"] < t["y"] + t["height"], f"{name}: the label ends above its box"


def _card_group_is_labelled(page):
    card = page.locator("#card-element")
    assert card.get_attribute("aria-label") is None
    assert card.get_attribute("role") == "group"
    label = page.locator(f"#{card.get_attribute('aria-labelledby')}")
    expect(label).to_be_visible()
    expect(card).to_have_accessible_name(label.inner_text().strip())


@pytest.mark.parametrize("width", WIDTHS)
def test_donate_checkboxes_sit_beside_their_labels(page, live_server, localstripe, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/donate")
    _checkboxes_beside_their_labels(page)
    _card_group_is_labelled(page)
    page.screenshot(path=str(tmp_path / f"donate-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_checkout_checkboxes_sit_beside_their_labels(page, live_server, localstripe, width, tmp_path):
    slugs = stock(live_server.app)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/catalog/{slugs.lawyer.slug}")
    page.get_by_label("Quantity").fill("1")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(live_server.url + "/catalog/checkout")
    _checkboxes_beside_their_labels(page)
    _card_group_is_labelled(page)
    page.screenshot(path=str(tmp_path / f"checkout-{width}.png"), full_page=True)

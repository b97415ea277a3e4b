"""In Chromium: staff read what an erasure will do to a donor, in English and French, on a phone, and erase."""

import os

import pytest
from playwright.sync_api import expect

from tests.test_personal_data import app, donor  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


def shot(page, name, tmp_path):
    page.screenshot(path=os.path.join(SHOTS or tmp_path, f"{name}.png"), full_page=True)


def test_staff_see_every_feature_on_the_erase_page_and_erase(page, live_server, make_user, donor, tmp_path):  # noqa: F811
    staff = make_user(email="casey@example.org", role="staff")
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/staff/supporters/{donor}/privacy")
    expect(page.locator(".privacy-counts")).to_contain_text("Monthly gifts: 1")
    expect(page.locator(".privacy-counts")).to_contain_text("Catalog orders: 1")
    page.goto(f"{live_server.url}/staff/supporters/{donor}/erase")
    expect(page.get_by_text("cancel 1 monthly gift at Stripe")).to_be_visible()
    expect(page.get_by_text("keep 1 official receipt as issued")).to_be_visible()
    shot(page, "erase-en-1280", tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "erase-en-390", tmp_path)

    page.get_by_role("link", name="Français").click()
    expect(page.get_by_text("annuler 1 don mensuel chez Stripe")).to_be_visible()
    expect(page.get_by_text("conserver 1 reçu officiel tel qu'il a été émis")).to_be_visible()
    shot(page, "erase-fr-390", tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/supporters/{donor}/privacy")
    expect(page.locator(".privacy-counts")).to_contain_text("Dons mensuels : 1")
    shot(page, "privacy-fr-1280", tmp_path)

    page.goto(f"{live_server.url}/staff/supporters/{donor}/erase")
    page.get_by_label("EFFACER", exact=False).fill("EFFACER")
    page.get_by_role("button").last.click()
    expect(page.get_by_role("status").first).to_contain_text("Les données de la personne ont été effacées.")
    shot(page, "erased-fr-1280", tmp_path)

"""In Chromium: a staff member finds a supporter, opens the profile, adds a tag and a note."""

import re

import pytest
from playwright.sync_api import expect

from crm.extensions import db

pytestmark = pytest.mark.browser


def test_staff_finds_a_supporter_and_tags_and_notes_them(page, live_server, make_user, tmp_path, make_supporter):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    staff = make_user(email="casey@example.org", role="staff")
    with live_server.app.app_context():
        make_supporter("elise@example.org", "Élise", "Côté")
        make_supporter("bob@example.org", "Bob", "Smith")
        db.session.commit()

    page.goto(live_server.url + "/staff/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Supporters: search and records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supporters")

    page.get_by_label("Search by name or email").fill("cote")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=cote"))
    expect(page.get_by_role("status")).to_contain_text("of 1 supporters")
    expect(page.get_by_role("link", name="Bob Smith")).to_have_count(0)
    page.get_by_role("link", name="Élise Côté").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Élise Côté")

    page.get_by_label("New tag").fill("  Media contact ")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status")).to_contain_text("Tag added: Media contact")
    tags = page.locator(".tag-list")
    expect(tags).to_contain_text("Media contact")

    page.get_by_label("Note", exact=True).fill("Prefers French. Call after 5 pm.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added.")
    expect(page.locator(".notes")).to_contain_text("Prefers French. Call after 5 pm.")
    expect(page.locator(".timeline")).to_contain_text("Tag added: Media contact")
    expect(page.locator(".history")).to_contain_text("supporter.note_add")
    page.screenshot(path=tmp_path / "profile.png", full_page=True)

    # The list's tag filter now finds her, and the page stays readable on a phone.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/staff/supporters/")
    page.get_by_label("Tag", exact=True).select_option("Media contact")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Élise Côté")).to_be_visible()
    for path in ("/staff/supporters/", page.url):
        page.goto(path if path.startswith("http") else live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    assert errors == [], errors  # includes CSP violations

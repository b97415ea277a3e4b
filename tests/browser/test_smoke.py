"""In Chromium: the home page, the language switch, a staff login and logout, at phone width too."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_renders_with_its_stylesheet(page, live_server, tmp_path):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("Welcome"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Together we protect children online")
    header_colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(29, 78, 137)", "site.css did not load"
    page.screenshot(path=tmp_path / "home.png", full_page=True)
    assert errors == [], errors  # includes CSP violations


def test_language_switch_shows_french_and_back(page, live_server, tmp_path):
    page.goto(live_server.url + "/account/login")
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    page.screenshot(path=tmp_path / "login-fr.png")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def test_staff_user_logs_in_and_out(page, live_server, make_user, tmp_path):
    staff = make_user(email="casey@example.org", role="staff")
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff dashboard")
    expect(page.get_by_role("status")).to_contain_text("You are logged in.")
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/account/login"))


def test_wrong_password_shows_an_error_tied_to_the_form(page, live_server, make_user):
    user = make_user()
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("definitely not it")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("That email and password do not match an account.")


def test_keyboard_user_reaches_the_skip_link_first(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_readable_at_320_pixels_without_sideways_scrolling(page, live_server, tmp_path):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/account/login", "/account/signup"):
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} is {scroll_width}px wide at 320px"
    page.screenshot(path=tmp_path / "signup-320.png", full_page=True)

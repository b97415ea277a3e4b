"""In Chromium: a person signs up through a public form in English or French, confirms the
newsletter from the email, and staff find them in the list with their timeline and consent proof."""

import re

import pytest
from playwright.sync_api import expect

from crm.mail.services.delivery import send_due
from crm.supporters.wording import consent_wording
from tests.browser.test_public_forms import ui_text

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(FORM_MIN_SECONDS=0, MAIL_RATE_PER_MINUTE=0)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_signup_in_the_browser_then_staff_find_the_proof(page, browser, live_server, app, make_user, smtp_sink,
                                                         language, tmp_path):  # fmt: skip
    text = ui_text(app, language)[0]["fundraiser"]
    wording, version = consent_wording("newsletter", language)
    email = f"journey.{language}@example.org"

    page.goto(live_server.url + f"/?src=polar-dip-{language}")
    if language == "fr":
        page.get_by_role("link", name="Français").click()
    page.goto(live_server.url + "/fundraise/learn-more")
    page.get_by_label(text["first_name"], exact=True).fill("Zoé")
    page.get_by_label(text["last_name"], exact=True).fill("Lévesque")
    page.get_by_label(text["email"], exact=True).fill(email)
    page.get_by_label(text["event_kind"], exact=True).select_option("polar_dip")
    page.get_by_label(wording, exact=True).check()
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("link", name=re.compile("PDF"))).to_be_visible()

    # The confirmation email arrives; its link confirms the newsletter (double opt-in).
    with app.app_context():
        send_due()
    confirm = next(m for m in smtp_sink.parsed() if "confirm" in m.get_body(("plain",)).get_content())
    url = re.search(r"(/preferences/confirm/\S+)", confirm.get_body(("plain",)).get_content()).group(1)
    page.goto(live_server.url + url)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your subscription is confirmed" if language == "en" else "Votre abonnement est confirmé"
    )

    # Staff, in their own browser session, search the list and open the profile.
    staff = make_user(role="staff")
    context = browser.new_context()
    desk = context.new_page()
    desk.goto(live_server.url + "/account/login")
    desk.get_by_label("Email").fill(staff.email)
    desk.get_by_label("Password").fill(staff.password)
    desk.get_by_role("button", name="Log in").click()
    desk.goto(live_server.url + "/staff/supporters/")
    desk.get_by_role("searchbox").fill("levesque")
    desk.get_by_role("button", name="Search").click()
    desk.get_by_role("link", name="Zoé Lévesque").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Zoé Lévesque")

    proof = desk.locator("table.proof")
    expect(proof).to_contain_text(wording)
    expect(proof).to_contain_text(version)
    expect(proof).to_contain_text("fundraiser_interest + email confirmation")
    expect(proof).to_contain_text("fundraiser_interest")
    timeline = desk.locator("ol.timeline")
    expect(timeline).to_contain_text("Asked to learn more about starting a fundraiser")
    expect(timeline).to_contain_text("Confirmed the newsletter subscription")
    expect(desk.get_by_text(f"polar-dip-{language}").first).to_be_visible()
    desk.screenshot(path=tmp_path / f"profile-{language}.png", full_page=True)
    context.close()

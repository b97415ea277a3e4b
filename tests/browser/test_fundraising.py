"""In Chromium against localstripe: a fundraiser signs up, starts a polar-dip page, joins a team and
publishes it; a donor gives twice from another browser (named, then anonymous); the thermometer, the
wall, the team and campaign totals, and the fundraiser's emails at the SMTP sink are right."""

import re

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.fundraising.models import FundraiserPage, Team
from crm.fundraising.services.staff import CampaignFields, create_campaign
from crm.mail.services.delivery import send_due
from tests.payments.helpers import fill_card, fill_donor

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password for Fay"


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(FORM_MIN_SECONDS=0, MAIL_RATE_PER_MINUTE=0, RATELIMIT_ENABLED=False)


def _campaign(app):
    with app.app_context():
        campaign = create_campaign(CampaignFields(slug="polar-dip", name_en="Polar Dip", goal_cents=1_000_000), None)
        db.session.add(Team(campaign=campaign, slug="falcons", name="Falcons", goal_cents=20000))
        db.session.commit()


def _mail(app, smtp_sink):
    with app.app_context():
        send_due()
    return [(m["Subject"], m.get_body(("plain",)).get_content(), m["To"]) for m in smtp_sink.parsed()]


def _give(browser, url, amount, named, tmp_path):
    context = browser.new_context()
    donor = context.new_page()
    donor.goto(url)
    donor.get_by_role("link", name="Give to this page").click()
    donor.get_by_label("Other amount").check()
    donor.get_by_label("Your amount").fill(amount)
    fill_donor(donor)
    if named:
        donor.get_by_label("Show my name on this page's donor wall").check()
        donor.get_by_label("Name to show on the wall (empty: your first name)").fill("Aunt Ann")
        donor.get_by_label(re.compile("Message for the fundraiser")).fill("Stay warm, Fay!")
    fill_card(donor, "4242424242424242")
    donor.screenshot(path=tmp_path / f"give-{amount}.png", full_page=True)
    donor.get_by_role("button", name="Give now").click()
    expect(donor.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
    expect(donor.locator("main")).to_contain_text("Your gift supports the fundraiser page Fay's polar dip.")
    expect(donor.get_by_role("link", name="Back to the page")).to_have_attribute("href", re.compile("/fundraisers/"))
    context.close()


def test_a_fundraiser_starts_a_page_and_a_donor_gives_to_it_twice(
    page, browser, live_server, localstripe, smtp_sink, tmp_path
):
    app = live_server.app
    _campaign(app)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    # Sign up: the link arrives by email, the account is finished with a name.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile("Start")).first.click()
    page.goto(live_server.url + "/account/signup")
    page.get_by_label("Email").fill("fay@example.org")
    page.get_by_role("button", name="Email me a link").click()
    body = next(body for _subject, body, _to in _mail(app, smtp_sink) if "/account/signup/" in body)
    page.goto(live_server.url + re.search(r"(/account/signup/\S+)", body).group(1))
    page.get_by_label("First name").fill("Fay")
    page.get_by_label("Last name").fill("Lavoie")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    # Start a polar-dip page: it comes written, with a suggested goal; make it ours and publish it.
    page.goto(live_server.url + "/fundraise/start")
    page.get_by_label(re.compile("^Polar dip")).check()
    page.get_by_role("button", name="Create my page").click()
    page.get_by_label("Title").fill("Fay's polar dip")
    page.get_by_label("Goal in dollars").fill("100")
    page.screenshot(path=tmp_path / "edit.png", full_page=True)
    page.get_by_role("button", name="Save my page").click()
    with app.app_context():
        made = db.session.scalar(db.select(FundraiserPage))
        page_id, slug = made.id, made.slug
        assert made.status == "draft" and made.title == "Fay's polar dip" and made.supporter.first_name == "Fay"
    page.goto(live_server.url + f"/fundraise/pages/{page_id}/team")
    page.get_by_label("Falcons").check()
    page.get_by_role("button", name="Join the team").click()
    expect(page.get_by_text("Your page is now in the team Falcons.")).to_be_visible()
    page.goto(live_server.url + f"/fundraise/pages/{page_id}")
    page.get_by_role("button", name="Publish my page").click()
    url = live_server.url + f"/fundraisers/{slug}"

    # Two gifts from another browser: one named with a message, one anonymous.
    _give(browser, url, "50", True, tmp_path)
    _give(browser, url, "25", False, tmp_path)

    visitor = browser.new_context().new_page()
    visitor.goto(url)
    expect(visitor.locator("main")).to_contain_text("$75.00 raised of $100.00, 75%")
    wall = visitor.locator(".donor-wall")
    expect(wall).to_contain_text("Aunt Ann")
    expect(wall).to_contain_text("Stay warm, Fay!")
    expect(wall).to_contain_text("Anonymous")
    html = visitor.content()
    for leak in ("Élise", "Côté", "elise@example.org"):
        assert leak not in html
    visitor.screenshot(path=tmp_path / "page.png", full_page=True)
    visitor.goto(live_server.url + "/teams/falcons")
    expect(visitor.locator("main")).to_contain_text("$75.00 raised of $200.00, 37%")
    visitor.goto(live_server.url + "/campaigns/polar-dip")
    expect(visitor.locator("main")).to_contain_text("$75.00 raised of $10,000.00")

    # The fundraiser's emails: each gift (named as the donor chose), and the milestones reached.
    mail = [(subject, body) for subject, body, to in _mail(app, smtp_sink) if "fay@example.org" in str(to)]
    gifts = [body for subject, body in mail if "received a gift" in subject]
    assert len(gifts) == 2 and any("Aunt Ann" in body for body in gifts)
    assert any("anonymous donor" in body for body in gifts)
    assert not any("Élise" in body or "elise@example.org" in body for _subject, body in mail)
    # $50 of $100 reaches 50% (25% with it, emailed once as the higher one); $75 reaches 75%.
    milestones = [subject for subject, body in mail if "of your goal raised" in subject]
    assert milestones == ["50% of your goal raised", "75% of your goal raised"], [subject for subject, _ in mail]
    assert errors == [], errors

"""axe-core in Chromium on every public page and every staff list, in English and French.

axe-core is vendored (tests/browser/vendor, from npm, MPL-2.0) and evaluated through the DevTools
protocol, which the pages' Content-Security-Policy does not apply to. Serious and critical
violations fail the test; the pages come from the URL map, so a new page is checked from its first day.
Fundraising pages whose address names a record (a fundraiser's page, its dashboard, a staff detail)
are checked on the demo's records, as a visitor, the demo fundraiser and an admin, on a phone and a
laptop; a new fundraising page left out of that list fails the test.
"""

from pathlib import Path

import pytest

from crm.accounts.access import PUBLIC
from crm.demo import seed_demo
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, Team
from crm.payments.models import Donation

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text(encoding="utf-8")
# Not pages: files, redirects and endpoints that answer a form or a program.
NOT_PAGES = {"i18n.switch_language", "supporters.guide_pdf", "static", "accounts.account"}


def _pages(app, public):
    urls = []
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], "access", None)
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in NOT_PAGES or rule.rule.endswith(".csv"):
            continue
        if (access == PUBLIC) == public:
            urls.append(rule.rule)
    if public:
        with app.app_context():
            from crm.catalog.models import Item

            urls.append(f"/catalog/{db.session.scalar(db.select(Item.slug))}")
    return sorted(urls)


def _violations(page):
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo()
        db.session.commit()


def _check(page, base, urls):
    found = {}
    for language in ("en", "fr"):
        page.goto(f"{base}/language/{language}")
        for url in urls:
            response = page.goto(base + url)
            assert response.status < 400, (url, response.status)
            violations = _violations(page)
            if violations:
                found[(language, url)] = violations
    return found


def test_public_pages_have_no_serious_violations(page, live_server, demo):
    urls = _pages(live_server.app, public=True)
    assert len(urls) >= 10
    assert _check(page, live_server.url, urls) == {}


def test_staff_lists_have_no_serious_violations(page, live_server, demo):
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill("admin@demo.example")
    page.get_by_label("Password").fill("demo-admin-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/")
    urls = [*_pages(live_server.app, public=False), "/account/"]
    assert len(urls) >= 10
    assert _check(page, live_server.url, urls) == {}


# --- fundraising: pages whose address names a record, filled from the demo ---------------------------

# Files and downloads, not pages.
NOT_FUNDRAISING_PAGES = {
    "fundraising.photo",
    "fundraising.staff_campaign_image",
    "fundraising.poster",
    "fundraising.page_donors_csv",
}
WIDTHS = (390, 1280)  # a phone, then a laptop


def _fundraising_urls():
    """Every fundraising page with arguments, on the demo's records: (who looks, url) in the order looked."""

    def page_id(slug):
        return db.session.scalar(db.select(FundraiserPage.id).filter_by(slug=slug))

    polar_dip = db.session.scalar(db.select(Campaign).filter_by(slug="polar-dip-2027"))
    team = db.session.scalar(db.select(Team.id).filter_by(slug="ice-breakers"))
    live, draft = page_id("jordan-breaks-the-ice"), page_id("jordans-bake-sale")
    gift = db.select(Donation.token).join(PageGift, PageGift.donation_id == Donation.id)
    token = db.session.scalar(gift.where(PageGift.page_id == live))
    return {
        None: [
            "/fundraisers/jordans-birthday",  # with its photo
            "/fundraisers/jordan-breaks-the-ice",
            "/fundraisers/jordan-breaks-the-ice/give",
            "/fundraisers/jordans-walk-last-year/give",  # closed: no form, a message
            f"/fundraisers/jordan-breaks-the-ice/thanks/{token}",
            "/fundraisers/olivia-runs-10k/report",
            "/teams/ice-breakers",
            "/campaigns/polar-dip-2027",
        ],
        ("fundraiser@demo.example", "demo-fundraiser-password"): [
            "/fundraise/",
            "/fundraise/start",
            "/fundraise/start?campaign=polar-dip-2027",
            f"/fundraise/pages/{live}",
            f"/fundraise/pages/{draft}",
            f"/fundraise/pages/{live}/edit",
            f"/fundraise/pages/{live}/offline",
            f"/fundraise/pages/{live}/thanks",
            f"/fundraise/pages/{live}/team",
            f"/fundraise/pages/{live}/copy",
            f"/fundraise/teams/{team}",
        ],
        ("admin@demo.example", "demo-admin-password"): [
            "/staff/fundraising/moderation",
            "/staff/fundraising/flags",
            "/staff/fundraising/offline",
            f"/staff/fundraising/pages/{page_id('chloe-a-l-eau')}",  # an edit waiting
            f"/staff/fundraising/pages/{page_id('ava-takes-the-plunge')}",  # pending
            f"/staff/fundraising/campaigns/{polar_dip.id}",
            f"/staff/fundraising/campaigns/{polar_dip.id}/occasions/{polar_dip.occasions[0].id}",
        ],
    }


def _log_in(page, base, who):
    page.context.clear_cookies()
    if who is None:
        return
    page.goto(base + "/account/login")
    page.get_by_label("Email").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url, who


def test_fundraising_pages_have_no_serious_violations(page, live_server, demo):
    app, base = live_server.app, live_server.url
    with app.app_context():
        looked_at = _fundraising_urls()
    # Every fundraising page whose address names a record is here: a new one fails this line.
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.partition("?")[0])[0] for urls in looked_at.values() for url in urls}
    wanted = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("fundraising.") and "GET" in rule.methods and rule.arguments
    }
    assert wanted - NOT_FUNDRAISING_PAGES <= covered, wanted - NOT_FUNDRAISING_PAGES - covered
    found = {}
    for who, urls in looked_at.items():
        _log_in(page, base, who)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found.update({(width, *key): value for key, value in _check(page, base, urls).items()})
    assert found == {}

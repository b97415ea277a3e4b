"""axe-core in Chromium on every public page and every staff list, in English and French.

axe-core is vendored (tests/browser/vendor, from npm, MPL-2.0) and evaluated through the DevTools
protocol, which the pages' Content-Security-Policy does not apply to. Serious and critical
violations fail the test; the pages come from the URL map, so a new page is checked from its first day.
"""

from pathlib import Path

import pytest

from crm.accounts.access import PUBLIC
from crm.demo import seed_demo
from crm.extensions import db

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

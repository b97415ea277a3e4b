"""'Report this page': a visitor's report reaches the staff queue; bots and bad input store nothing."""

import time

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageFlag
from tests import factories
from tests.blns import SAMPLE
from tests.helpers import csrf_token


def _page(status="live"):
    campaign = Campaign(slug="dip", name_en="Polar dip")
    db.session.add(campaign)
    db.session.flush()
    owner = factories.supporter("fran@example.org", "Fran")
    db.session.add(
        FundraiserPage(
            campaign_id=campaign.id, supporter_id=owner.id, slug="fran", title="Fran", goal_cents=100, status=status
        )
    )
    db.session.commit()


def _form(client, url):
    html = client.get(url).get_data(as_text=True)
    started = html.split('name="started" type="hidden" value="')[1].split('"')[0]
    return {"csrf_token": csrf_token(client, url), "started": started}


def test_a_report_reaches_staff_and_bad_ones_are_refused(app, client, make_client):
    app.config["FORM_MIN_SECONDS"] = 0
    with app.app_context():
        _page()
    url = "/fundraisers/fran/report"
    base = _form(client, url)
    time.sleep(0.01)
    assert client.post(url, data={**base, "reason": "nonsense"}).status_code == 400
    assert client.post(url, data={**base}).status_code == 400
    for text in SAMPLE[:5]:  # (every string goes through tests/test_every_form.py; the limit is 10 an hour)
        answer = client.post(url, data={**base, "reason": "scam", "details": text})
        assert answer.status_code in (302, 400), repr(text)
    assert client.post(url, data={**base, "reason": "privacy", "details": "A child's face <b>"}).status_code == 302
    bot = client.post(url, data={**base, "reason": "scam", "website": "http://spam.example"})
    assert bot.status_code == 302
    with app.app_context():
        flags = db.session.scalars(db.select(PageFlag).order_by(PageFlag.id)).all()
        assert flags[-1].reason == "privacy" and flags[-1].details == "A child's face <b>"
        assert "http://spam.example" not in {flag.details for flag in flags}
    staff, _ = make_client("staff")
    assert "A child&#39;s face &lt;b&gt;" in staff.get("/staff/fundraising/flags").get_data(as_text=True)


def test_a_page_the_public_cannot_see_cannot_be_reported(app, client):
    with app.app_context():
        _page("hidden")
    assert client.get("/fundraisers/fran/report").status_code == 404
    assert client.get("/fundraisers/none/report").status_code == 404


def test_the_bot_trap_is_off_screen(app, client):
    with app.app_context():
        _page()
    html = client.get("/fundraisers/fran/report").get_data(as_text=True)
    assert 'class="hp-field"' in html and "css/public.css" in html

"""The fundraiser's dashboard: their pages with totals, each page's state, donors as the donors chose, a CSV."""

import csv
import io

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage
from crm.fundraising.services.credits import credit_gift
from tests import factories

LEAKS = ("Zedediah", "Quux", "zed@example.org", "private", "Secretname", "ann@example.org")


@pytest.fixture
def owner(make_client):
    return make_client("fundraiser", email="fran@example.org")


def make_page(user_id, status="live", slug="fran-dips", **fields):
    campaign = Campaign(slug=f"c-{slug}", name_en="Polar dip", name_fr="Plongeon polaire")
    db.session.add(campaign)
    db.session.flush()
    fundraiser = factories.supporter(f"{slug}@example.org", "Fran")
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=fundraiser.id,
        user_id=user_id,
        slug=slug,
        title="Fran <dips>",
        story="Cold water",
        goal_cents=50000,
        status=status,
        **fields,
    )
    db.session.add(page)
    db.session.flush()
    return campaign, page


def with_gifts(user_id):
    campaign, page = make_page(user_id)
    named = factories.gift(
        "ann@example.org", 60000, first_name="Secretname", show_on_wall=True, wall_name="Aunt Ann", message="Go Fran!"
    )
    hidden = factories.gift("zed@example.org", 2000, first_name="Zedediah", last_name="Quux", message="private")
    refunded = factories.gift("ref@example.org", 9900, status="refunded", show_on_wall=True, wall_name="Gone")
    for gift in (named, hidden, refunded):
        credit_gift(gift, campaign, page)
    db.session.commit()
    return page.id


def test_my_pages_list_each_page_with_its_total_and_progress(app, owner):
    client, user = owner
    with app.app_context():
        page_id = with_gifts(user.id)
        make_page(user.id, status="draft", slug="fran-runs")
        db.session.commit()
    html = client.get("/fundraise/").get_data(as_text=True)
    assert "Fran &lt;dips&gt;" in html and "<dips>" not in html
    assert "$620.00 raised of $500.00, 124%" in html, "a refunded gift does not count; progress goes past 100%"
    assert "State: Live" in html and "State: Draft" in html
    assert f'href="/fundraise/pages/{page_id}"' in html and 'href="/fundraisers/fran-dips"' in html
    assert 'href="/fundraise/start"' in html
    assert 'href="/fundraise/"' in client.get("/account/").get_data(as_text=True)


def test_a_page_shows_its_donors_only_as_they_chose(app, owner):
    client, user = owner
    with app.app_context():
        page_id = with_gifts(user.id)
    response = client.get(f"/fundraise/pages/{page_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "$620.00 raised of $500.00, 124%" in html and "2 donors" in html
    assert "Aunt Ann" in html and "Go Fran!" in html and "Anonymous" in html and "$20.00" in html
    for leak in (*LEAKS, "Gone"):
        assert leak not in html
    assert "be your first donor" not in html, "the nudge is for a page without gifts"
    assert 'id="page-link"' in html and "http://localhost/fundraisers/fran-dips" in html and "<svg" in html
    assert "facebook.com/sharer" in html and f'href="/fundraise/pages/{page_id}/donors.csv"' in html


def test_the_donors_csv_says_no_more_than_the_wall_and_is_audited(app, owner):
    client, user = owner
    with app.app_context():
        page_id = with_gifts(user.id)
    response = client.get(f"/fundraise/pages/{page_id}/donors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["name", "amount", "currency", "date", "message", "email"]
    assert sorted((row[0], row[1], row[4]) for row in rows[1:]) == [
        ("Anonymous", "20.00", ""),
        ("Aunt Ann", "600.00", "Go Fran!"),
    ]
    for leak in (*LEAKS, "Gone"):
        assert leak not in text
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(target_type="fundraiser_page_donors"))
        assert (event.actor_id, event.target_id) == (user.id, page_id)


def test_a_formula_in_a_wall_name_stays_text_in_the_csv(app, owner):
    client, user = owner
    with app.app_context():
        campaign, page = make_page(user.id)
        gift = factories.gift("eve@example.org", 1000, show_on_wall=True, wall_name="=HYPERLINK(1)")
        credit_gift(gift, campaign, page)
        db.session.commit()
        page_id = page.id
    text = client.get(f"/fundraise/pages/{page_id}/donors.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_a_page_without_gifts_nudges_its_owner_to_give_first(app, owner):
    client, user = owner
    with app.app_context():
        _campaign, page = make_page(user.id)
        db.session.commit()
        page_id = page.id
    html = client.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert "Pages whose owner gives first raise more: be your first donor." in html
    assert 'href="/fundraisers/fran-dips"' in html and "No gifts yet." in html


@pytest.mark.parametrize(
    ("status", "fields", "said"),
    [
        ("draft", {"status_reason": "Please say who the gifts are for."}, "Staff sent your page back: Please say"),
        ("hidden", {"status_reason": "It offers a prize."}, "Why: It offers a prize."),
        ("live", {"proposed": {"title": "New title"}}, "Your changes wait for approval"),
        ("pending", {}, "Staff are looking at your page"),
        ("closed", {}, "Your page is closed"),
    ],
)
def test_a_page_says_its_state_and_why(app, owner, status, fields, said):
    client, user = owner
    with app.app_context():
        _campaign, page = make_page(user.id, status=status, **fields)
        db.session.commit()
        page_id = page.id
    html = client.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert said in html
    assert ('id="page-link"' in html) == (status in ("live", "closed")), "share tools once the public can see it"


def test_another_fundraiser_gets_404_and_staff_may_look(app, owner, make_client):
    _client, user = owner
    with app.app_context():
        page_id = with_gifts(user.id)
    other, _ = make_client("fundraiser")
    assert "Fran &lt;dips&gt;" not in other.get("/fundraise/").get_data(as_text=True)
    for url in (f"/fundraise/pages/{page_id}", f"/fundraise/pages/{page_id}/donors.csv", "/fundraise/pages/99999"):
        assert other.get(url).status_code == 404, url
    staff, _ = make_client("staff")
    html = staff.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert "Aunt Ann" in html and "Publish my page" not in html and "Edit my page" not in html
    assert app.test_client().get(f"/fundraise/pages/{page_id}").status_code == 302, "anonymous: log in first"


def test_the_dashboard_reads_in_french(app, owner):
    client, user = owner
    with app.app_context():
        page_id = with_gifts(user.id)
    client.get("/language/fr?next=/")
    html = client.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert "Plongeon polaire" in html and "620,00\xa0$" in html

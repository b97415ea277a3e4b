"""The public page: its total in words, a wall naming only who chose to be named, 404 when hidden."""

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.public import page_donors
from tests import factories


def _page(status="live", slug="fran-dips"):
    campaign = Campaign(slug=slug, name_en="Polar dip")
    db.session.add(campaign)
    db.session.flush()
    owner = factories.supporter(f"{slug}@example.org", "Fran")
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=owner.id,
        slug=slug,
        title="Fran <dips>",
        story="**Cold** water <script>alert(1)</script>",
        goal_cents=50000,
        status=status,
    )
    db.session.add(page)
    db.session.flush()
    return campaign, page


def test_the_page_shows_progress_past_the_goal_and_hides_anonymous_donors(app, client):
    with app.app_context():
        campaign, page = _page()
        named = factories.gift(
            "ann@example.org",
            60000,
            first_name="Secretname",
            show_on_wall=True,
            wall_name="Aunt Ann",
            message="Go Fran!",
        )
        hidden = factories.gift("zed@example.org", 2000, first_name="Zedediah", last_name="Quux", message="private")
        credit_gift(named, campaign, page)
        credit_gift(hidden, campaign, page)
        db.session.commit()
    html = client.get("/fundraisers/fran-dips").get_data(as_text=True)
    assert "$620.00 raised of $500.00, 124%" in html
    assert "Aunt Ann" in html and "Go Fran!" in html and "Anonymous" in html
    for leak in ("Zedediah", "Quux", "zed@example.org", "private", "Secretname", "ann@example.org"):
        assert leak not in html
    assert "<script>alert" not in html and "<strong>Cold</strong>" in html
    assert "Fran &lt;dips&gt;" in html and 'property="og:title"' in html and "<svg" in html


def test_a_hidden_or_draft_page_is_not_there_for_the_public(app, client):
    for status in ("hidden", "draft", "pending", "closed"):
        with app.app_context():
            _page(status, slug=status)
            db.session.commit()
        assert client.get(f"/fundraisers/{status}").status_code == (200 if status == "closed" else 404)
    assert client.get("/fundraisers/no-such-page").status_code == 404


def test_an_amount_its_donor_hid_is_not_on_the_wall_but_in_the_total(app, client):
    with app.app_context():
        campaign, page = _page()
        quiet = factories.gift("q@example.org", 12345, show_on_wall=True, wall_name="Quiet Q", message="Brr!")
        loud = factories.gift("l@example.org", 2000, show_on_wall=True, wall_name="Loud L")
        credit_gift(quiet, campaign, page, hide_amount=True)
        credit_gift(loud, campaign, page)
        db.session.commit()
        donors = page_donors(page)
    html = client.get("/fundraisers/fran-dips").get_data(as_text=True)
    assert "$143.45 raised of $500.00, 28%" in html
    assert "<strong>Quiet Q</strong><br>Brr!</li>" in html and "$123.45" not in html
    assert "<strong>Loud L</strong> · $20.00</li>" in html
    assert [(d.name, d.amount_cents, d.message) for d in donors] == [("Loud L", 2000, ""), ("Quiet Q", None, "Brr!")]


def test_a_live_page_has_a_give_button_and_a_closed_one_says_it_takes_no_more(app, client):
    with app.app_context():
        _page()
        _page("closed", slug="closed-one")
        db.session.commit()
    assert 'href="/fundraisers/fran-dips/give"' in client.get("/fundraisers/fran-dips").get_data(as_text=True)
    closed = client.get("/fundraisers/closed-one").get_data(as_text=True)
    assert "/give" not in closed and "no longer takes gifts" in closed

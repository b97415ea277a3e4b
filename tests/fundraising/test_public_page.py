"""The public page: its total in words, a wall naming only who chose to be named, 404 when hidden."""

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage
from crm.fundraising.services.credits import credit_gift
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

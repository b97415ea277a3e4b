"""Teams and the campaign page: create, join (open or by the captain), leave, hand over; totals that add up."""

from crm.accounts.services import create_user
from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, Team
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.totals import campaign_total, team_total
from tests import factories
from tests.helpers import csrf_token, log_in

PASSWORD = "a long enough password"


def _campaign(slug="dip"):
    campaign = Campaign(slug=slug, name_en="Polar dip", name_fr="Plongeon polaire", goal_cents=100000)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _fundraiser(campaign, name, status="live"):
    """A fundraiser account with a live page in the campaign."""
    user = create_user(f"{name}@example.org", PASSWORD)
    owner = factories.supporter(f"{name}@example.org", name.title())
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=owner.id,
        user_id=user.id,
        slug=f"{name}-dips",
        title=f"{name.title()} dips",
        goal_cents=50000,
        status=status,
    )
    db.session.add(page)
    db.session.flush()
    return page.id


def _post(client, url, data, form_url):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def _as(app, name):
    client = app.test_client()
    assert log_in(client, f"{name}@example.org", PASSWORD).status_code == 302
    return client


def test_create_a_team_then_others_join_open_or_by_the_captains_decision(app):
    with app.app_context():
        campaign = _campaign()
        ann, bob, cat = (_fundraiser(campaign, name) for name in ("ann", "bob", "cat"))
        db.session.commit()
    ann_client = _as(app, "ann")
    form = f"/fundraise/pages/{ann}/team"
    answer = _post(ann_client, f"{form}/new", {"name": "  Frozen   <Falcons> ", "goal": "1000", "open": "y"}, form)
    assert answer.status_code == 302
    with app.app_context():
        team = db.session.scalar(db.select(Team))
        team_id, slug = team.id, team.slug
        assert team.name == "Frozen <Falcons>" and slug == "frozen-falcons" and team.goal_cents == 100000
        assert team.open and db.session.get(FundraiserPage, ann).team_status == "member"
        team.open = False  # from now on the captain decides
        db.session.commit()

    bob_client = _as(app, "bob")
    form = f"/fundraise/pages/{bob}/team"
    assert _post(bob_client, f"{form}/join", {"team": str(team_id)}, form).status_code == 302
    with app.app_context():
        assert db.session.get(FundraiserPage, bob).team_status == "pending"
    # Bob is not the captain: he cannot let himself in.
    captain_url = f"/fundraise/teams/{team_id}"
    assert bob_client.get(captain_url).status_code == 404
    token = csrf_token(bob_client, form)
    assert bob_client.post(f"{captain_url}/admit", data={"page_id": bob, "csrf_token": token}).status_code == 404
    # Ann lets Bob in, and hands the team to him.
    html = ann_client.get(captain_url).get_data(as_text=True)
    assert "Bob dips" in html
    for action in ("admit", "hand-over"):
        answer = _post(ann_client, f"{captain_url}/{action}", {"page_id": str(bob)}, captain_url)
        assert answer.status_code == 302
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert db.session.get(FundraiserPage, bob).team_status == "member"
        assert team.captain_user_id == db.session.get(FundraiserPage, bob).user_id

    # A page of another campaign cannot join; a page in a team must leave before joining another.
    with app.app_context():
        other = _fundraiser(_campaign("run"), "dan")
        db.session.commit()
    dan_client = _as(app, "dan")
    form = f"/fundraise/pages/{other}/team"
    answer = _post(dan_client, f"{form}/join", {"team": str(team_id)}, form)
    assert answer.status_code == 400  # not among the teams offered to this page
    # Cat cannot change Ann's page's team.
    cat_client = _as(app, "cat")
    assert cat_client.get(f"/fundraise/pages/{ann}/team").status_code == 404
    token = csrf_token(cat_client, f"/fundraise/pages/{cat}/team")
    assert cat_client.post(f"/fundraise/pages/{ann}/team/leave", data={"csrf_token": token}).status_code == 404


def test_a_captain_with_members_hands_over_before_leaving(app):
    with app.app_context():
        campaign = _campaign()
        ann, bob = _fundraiser(campaign, "ann"), _fundraiser(campaign, "bob")
        team = Team(campaign_id=campaign.id, slug="falcons", name="Falcons")
        db.session.add(team)
        db.session.flush()
        for page_id in (ann, bob):
            page = db.session.get(FundraiserPage, page_id)
            page.team, page.team_status = team, "member"
        team.captain_user_id = db.session.get(FundraiserPage, ann).user_id
        db.session.commit()
    client = _as(app, "ann")
    form = f"/fundraise/pages/{ann}/team"
    answer = _post(client, f"{form}/leave", {}, form)
    assert answer.status_code == 409
    assert "hand it over" in answer.get_data(as_text=True)
    bob_client = _as(app, "bob")
    form = f"/fundraise/pages/{bob}/team"
    assert _post(bob_client, f"{form}/leave", {}, form).status_code == 302
    with app.app_context():
        assert db.session.get(FundraiserPage, bob).team_id is None
        assert db.session.get(FundraiserPage, ann).team_id is not None


def test_campaign_and_team_pages_add_up_exactly_and_rank_by_what_was_raised(app, client):
    with app.app_context():
        campaign = _campaign()
        ids = [_fundraiser(campaign, name) for name in ("ann", "bob", "cat")]
        hidden = _fundraiser(campaign, "hid", status="hidden")
        team = Team(campaign_id=campaign.id, slug="falcons", name="Falcons <b>", goal_cents=20000)
        db.session.add(team)
        db.session.flush()
        for page_id in (ids[0], ids[1], hidden):
            page = db.session.get(FundraiserPage, page_id)
            page.team, page.team_status = team, "member"
        amounts = {ids[0]: 3000, ids[1]: 12000, ids[2]: 500, hidden: 700}
        for n, (page_id, cents) in enumerate(amounts.items()):
            credit_gift(factories.gift(f"d{n}@example.org", cents), campaign, db.session.get(FundraiserPage, page_id))
        credit_gift(factories.gift("direct@example.org", 10000), campaign)  # straight to the campaign
        refunded = factories.gift("back@example.org", 9000, status="refunded", refunded_cents=9000)
        credit_gift(refunded, campaign, db.session.get(FundraiserPage, ids[2]))
        pending = factories.gift("wait@example.org", 40000, status="pending")
        credit_gift(pending, campaign, db.session.get(FundraiserPage, ids[2]))
        db.session.commit()
        assert campaign_total(campaign) == (3000 + 12000 + 500 + 700 + 10000, 5)
        assert team_total(team) == (3000 + 12000 + 700, 3)

    html = client.get("/campaigns/dip").get_data(as_text=True)
    assert "$262.00 raised of $1,000.00, 26%" in html
    assert "Falcons &lt;b&gt;" in html and "$157.00" in html
    # Most raised first; a hidden page is not listed.
    assert html.index("Bob dips") < html.index("Ann dips") < html.index("Cat dips")
    assert "Hid dips" not in html
    found = client.get("/campaigns/dip?q=BOB").get_data(as_text=True).split('id="pages-heading"')[1]
    assert "Bob dips" in found and "Ann dips" not in found
    for odd in ("%", "_", "'; drop table x; --", "\x00"):
        assert client.get("/campaigns/dip", query_string={"q": odd}).status_code == 200
    html = client.get("/teams/falcons").get_data(as_text=True)
    assert "$157.00 raised of $200.00, 78%" in html
    assert html.index("Bob dips") < html.index("Ann dips") and "Cat dips" not in html
    html = client.get("/fundraisers/ann-dips").get_data(as_text=True)
    for link in ('href="/campaigns/dip"', 'href="/teams/falcons"', 'href="/fundraisers/ann-dips/report"'):
        assert link in html
    assert client.get("/campaigns/no-such").status_code == 404
    assert client.get("/teams/no-such").status_code == 404
    assert "Polar dip" in client.get("/campaigns/").get_data(as_text=True)

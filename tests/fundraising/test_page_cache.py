"""Public pages kept for anonymous visitors: fresh after every change, never what a logged-in person saw."""

from types import SimpleNamespace

import pytest
from sqlalchemy import event, update

from crm.extensions import db
from crm.fundraising.models import FundraiserPage
from crm.fundraising.services import page_cache
from crm.fundraising.services.credits import credit_gift
from crm.payments.models import Donation
from tests import factories
from tests.fundraising.test_public_page import _page
from tests.helpers import REDIS_URL, attribution_of, log_in

URL = "/fundraisers/fran-dips"


def _live_page(app, owner_user_id=None):
    with app.app_context():
        campaign, page = _page()
        page.user_id = owner_user_id
        db.session.commit()
        return campaign.id, page.id


def _give(app, page_id, cents, email="ann@example.org", wall_name="Aunt Ann"):
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        gift = factories.gift(email, cents, show_on_wall=True, wall_name=wall_name)
        credit_gift(gift, page.campaign, page)
        db.session.commit()
        return gift.id


def _queries(app, client, url, **kwargs):
    """(the answer's text, how many SQL statements answering it took)."""
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get(url, **kwargs).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return html, len(statements)


def test_a_kept_page_costs_no_query_and_every_change_shows_at_once(app):
    _, page_id = _live_page(app)
    visitor = app.test_client()
    first, rendering = _queries(app, visitor, URL)
    again, kept = _queries(app, visitor, URL)
    assert again == first and "$0.00 raised of $500.00" in first
    assert rendering >= 3 and kept == 0

    gift_id = _give(app, page_id, 12000)
    html = visitor.get(URL).get_data(as_text=True)
    assert "$120.00 raised of $500.00" in html and "Aunt Ann" in html

    with app.app_context():  # a refund is an ORM UPDATE statement, not a changed object
        db.session.execute(update(Donation).where(Donation.id == gift_id).values(refunded_cents=2000))
        db.session.commit()
    assert "$100.00 raised of $500.00" in visitor.get(URL).get_data(as_text=True)

    with app.app_context():
        db.session.get(FundraiserPage, page_id).title = "Fran dips again"
        db.session.commit()
    assert "Fran dips again" in visitor.get(URL).get_data(as_text=True)

    with app.app_context():
        db.session.get(FundraiserPage, page_id).status = "hidden"
        db.session.commit()
    assert visitor.get(URL).status_code == 404


def test_a_first_visit_to_a_kept_page_signs_no_session_and_keeps_where_it_came_from(app):
    """The visit's first touch goes in its own cookie: a new visitor's kept page has no session to sign."""
    _live_page(app)
    for _ in range(2):  # rendered, then kept
        response = app.test_client().get(URL, headers={"Referer": "https://social.example/post"})
        cookies = response.headers.getlist("Set-Cookie")
        assert [cookie.split("=")[0] for cookie in cookies] == ["visit"], cookies
    visitor = app.test_client()
    visitor.get(URL, headers={"Referer": "https://social.example/post"})
    assert attribution_of(visitor) == {"landing_page": URL, "referrer": "https://social.example/post"}


def test_what_a_logged_in_person_sees_is_never_kept_nor_are_they_served_a_kept_page(app, make_user):
    owner = make_user()
    _live_page(app, owner.id)
    fundraiser = app.test_client()
    log_in(fundraiser, owner.email, owner.password)
    mine = fundraiser.get(URL).get_data(as_text=True)
    assert "Log out" in mine and "csrf_token" in mine

    anonymous = app.test_client().get(URL).get_data(as_text=True)
    assert "Log out" not in anonymous and "csrf_token" not in anonymous and "Log in" in anonymous
    assert "Log out" in fundraiser.get(URL).get_data(as_text=True)  # the kept anonymous page is not theirs


def test_each_language_and_wall_page_is_kept_apart_and_odd_addresses_are_rendered_each_time(app):
    _live_page(app)
    visitor = app.test_client()
    assert "Donor wall" in visitor.get(URL).get_data(as_text=True)
    french = visitor.get(URL, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in french and '<html lang="en">' in visitor.get(URL).get_data(as_text=True)
    kept = page_cache.store(app)
    assert len(kept.entries) == 2
    for odd in ("?wall=02", "?wall=2&x=1", "?x=1", "?wall=2&wall=3", "?wall=-1", "?wall=%EF%BC%92", "?wall=1001"):
        assert visitor.get(URL + odd).status_code == 200
    assert len(kept.entries) == 2
    visitor.get(URL + "?wall=2")
    assert len(kept.entries) == 3


def test_a_visitor_with_a_message_waiting_gets_it_and_the_page_is_not_kept(app):
    _live_page(app)
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "Thank you for your gift!")]
    assert "Thank you for your gift!" in visitor.get(URL).get_data(as_text=True)
    assert len(page_cache.store(app).entries) == 0
    assert "Thank you for your gift!" not in app.test_client().get(URL).get_data(as_text=True)


def test_a_page_rendered_while_something_changed_is_not_kept():
    store = page_cache.MemoryStore(size=2)
    html, generation = store.get("a")
    assert html is None
    store.bump()  # a commit landed during the render
    store.put("a", "<old>", generation)
    assert store.get("a")[0] is None
    for key in ("a", "b", "c"):
        store.put(key, key, store.generation)
    assert store.get("a")[0] is None and store.get("c")[0] == "c"  # bounded, the oldest forgotten


def test_two_processes_share_the_kept_pages_and_one_commit_refreshes_both(make_app, redis_store):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_store}
    chosen = page_cache.store(SimpleNamespace(extensions={}, config=settings))
    assert isinstance(chosen, page_cache.RedisStore) and redis_store in chosen.prefix
    # Two apps stand for two gunicorn workers. Their cache is set as store() chose it above, without
    # pointing Flask-Limiter (one object for the whole process) at this test's prefix.
    first, second = make_app(), make_app()
    for app in (first, second):
        app.extensions["fundraising_page_cache"] = page_cache.RedisStore(REDIS_URL, prefix=chosen.prefix)
    _, page_id = _live_page(first)
    one, two = first.test_client(), second.test_client()
    assert "$0.00 raised" in one.get(URL).get_data(as_text=True)
    _, queries = _queries(second, two, URL)
    assert queries == 0  # the other process kept it, in Redis
    _give(second, page_id, 5000)  # committed by the second process
    assert "$50.00 raised" in one.get(URL).get_data(as_text=True)
    assert "$50.00 raised" in two.get(URL).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/campaigns/fran-dips", "/teams/fran-team"])
def test_campaign_and_team_pages_are_kept_and_refreshed_too(app, path):
    _, page_id = _live_page(app)
    with app.app_context():
        factories.team_of(db.session.get(FundraiserPage, page_id), "fran-team", "Fran's team")
        db.session.commit()
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    assert _queries(app, visitor, path)[1] == 0
    _give(app, page_id, 7700)
    assert "$77.00" in visitor.get(path).get_data(as_text=True)
    assert _queries(app, visitor, path + "?q=fran")[1] > 0  # a search is rendered for its visitor


def test_without_redis_the_page_is_still_served(app):
    # Only the page cache's Redis is gone: Flask-Limiter's is process-wide, and a dead one would
    # send every later test's counts to its in-memory fallback.
    app.extensions["fundraising_page_cache"] = page_cache.RedisStore("redis://127.0.0.1:9/0")
    page_id = _live_page(app)[1]
    visitor = app.test_client()
    assert visitor.get(URL).status_code == 200
    _give(app, page_id, 100)  # the commit cannot move the generation on: logged, not raised
    assert "$1.00 raised" in visitor.get(URL).get_data(as_text=True)


def test_no_rate_limit_is_skipped_by_serving_kept_pages_without_the_limiter(app):
    # page_cache tells Flask-Limiter to skip GETs of kept pages; that is only right while none has a limit.
    from flask_limiter.util import get_qualified_name

    from crm.extensions import limiter

    manager = limiter.limit_manager
    kept = {name: view for name, view in app.view_functions.items() if getattr(view, "kept_for_anonymous", False)}
    assert {"fundraising.page", "fundraising.campaign", "fundraising.team"} <= set(kept)
    assert not manager.application_limits and not manager.default_limits
    for endpoint, view in kept.items():
        assert not manager.decorated_limits(get_qualified_name(view)), endpoint
        assert not manager.blueprint_limits(app, endpoint.partition(".")[0]), endpoint


def _redis_kept(app, prefix):
    kept = page_cache.RedisStore(REDIS_URL, prefix=f"{page_cache.KEY_PREFIX}{prefix}:")
    app.extensions["fundraising_page_cache"] = kept
    sent = []
    execute = kept.client.execute_command
    kept.client.execute_command = lambda *args, **kwargs: sent.append(args[0]) or execute(*args, **kwargs)
    return kept, sent


def test_a_page_kept_in_this_process_asks_redis_nothing_until_another_process_commits(make_app, redis_store):
    first, second = make_app(), make_app()
    (_, sent), _ = _redis_kept(first, redis_store), _redis_kept(second, redis_store)
    page_id = _live_page(first)[1]
    visitor = first.test_client()
    assert "$0.00 raised" in visitor.get(URL).get_data(as_text=True)
    sent.clear()
    for _ in range(3):
        assert "$0.00 raised" in visitor.get(URL).get_data(as_text=True)
    assert sent == []  # served from this process's copy: no round trip
    _give(second, page_id, 2500)  # the other process moves the generation on; Redis tells this one
    assert "$25.00 raised" in visitor.get(URL).get_data(as_text=True)
    assert "GET" in sent


def test_when_redis_drops_the_watching_connection_the_generation_is_read_again(make_app, redis_store):
    first, second = make_app(), make_app()
    (kept, _), _ = _redis_kept(first, redis_store), _redis_kept(second, redis_store)
    page_id = _live_page(first)[1]
    visitor = first.test_client()
    visitor.get(URL)
    visitor.get(URL)
    assert kept.watch is not None
    kept.client.execute_command("CLIENT", "KILL", "ID", kept.watch_id)  # a Redis restart, a proxy's timeout
    _give(second, page_id, 2500)  # the message about this change cannot reach the first process
    assert "$25.00 raised" in visitor.get(URL).get_data(as_text=True)
    assert "$25.00 raised" in visitor.get(URL).get_data(as_text=True)
    assert kept.watch is not None  # watching again

"""`flask users ...` commands."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm.accounts.models import User
from crm.catalog.models import Item
from crm.demo import DEMO_GIFTS, seed_demo
from crm.extensions import db
from crm.fundraising.demo import DEMO_PAGES
from crm.fundraising.models import Campaign, FundraiserPage, PageGift
from crm.payments.models import Donation, Receipt
from tests.helpers import log_in


def test_create_user_with_password_from_stdin_can_log_in(app, runner):
    result = runner.invoke(
        args=["users", "create", "Boss@Example.org", "--role", "admin", "--password-stdin"],
        input="a strong admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created boss@example.org (admin)" in result.output
    assert log_in(app.test_client(), "boss@example.org", "a strong admin password").status_code == 302


def test_create_user_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "create", "p@example.org"], input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(User)).role == "fundraiser"


def test_create_user_refuses_duplicates_and_short_passwords(runner, make_user):
    make_user(email="dup@example.org")
    result = runner.invoke(args=["users", "create", "DUP@example.org", "--password-stdin"], input="long enough pw\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    result = runner.invoke(args=["users", "create", "new@example.org", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "at least 10" in result.output


def test_create_user_refuses_unknown_roles(runner):
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "owner", "--password-stdin"])
    assert result.exit_code == 2


def test_set_role_changes_access_at_once(app, runner, make_user):
    user = make_user(role="staff")
    client = app.test_client()
    log_in(client, user.email, user.password)
    assert client.get("/staff/").status_code == 200
    result = runner.invoke(args=["users", "set-role", user.email, "fundraiser"])
    assert result.exit_code == 0, result.output
    # The role change ended the old session: the next request must log in again.
    assert client.get("/staff/").status_code == 302
    log_in(client, user.email, user.password)
    assert client.get("/staff/").status_code == 403


def test_set_role_of_unknown_email(runner):
    result = runner.invoke(args=["users", "set-role", "ghost@example.org", "admin"])
    assert result.exit_code == 1
    assert "No account" in result.output


def test_list_users(runner, make_user):
    make_user(email="a@example.org", role="admin")
    make_user(email="m@example.org", role="marketing")
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("a@example.org\tadmin\tactive\tlast login never")
    assert lines[1].startswith("m@example.org\tmarketing")
    only = runner.invoke(args=["users", "list", "--role", "marketing"]).output
    assert "a@example.org" not in only and "m@example.org" in only


def test_demo_seed_runs_once(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "Demo data created" in first.output
    assert "admin@demo.example" in first.output and "demo-admin-password" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "already there" in second.output
    client = app.test_client()
    log_in(client, "marketing@demo.example", "demo-marketing-password")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Ava Martin" in page
    assert "etienne.cote@demo.example" in page
    assert '<span class="figure-value">13</span>' in page  # the 12 demo supporters and the demo fundraiser
    # Gifts entered as staff would, each with its receipt, for the gift screens.
    gifts = client.get("/staff/donations/").get_data(as_text=True)
    assert "Jordan Smith" in gifts and "Léa Bouchard" in gifts
    with app.app_context():
        # The staff-entered gifts, the gifts given on demo fundraiser pages, one straight to the polar dip.
        gifts = len(DEMO_GIFTS) + sum(len(page.gifts) for page in DEMO_PAGES) + 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Donation)) == gifts
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == gifts
        # Fundraising: both campaigns with every occasion, a page in each state, every gift credited once.
        campaigns = db.session.scalars(db.select(Campaign)).all()
        assert sorted(len(campaign.occasions) for campaign in campaigns) == [6, 6]
        states = set(db.session.scalars(db.select(FundraiserPage.status)))
        assert states == {"draft", "pending", "live", "closed", "hidden"}
        assert db.session.scalar(db.select(db.func.count()).select_from(PageGift)) == gifts - len(DEMO_GIFTS)
        photos = [
            Path(app.config["MEDIA_ROOT"]) / "fundraising" / name
            for name in db.session.scalars(db.select(FundraiserPage.photo_name).where(FundraiserPage.photo_name != ""))
        ]
        assert photos and all(photo.is_file() for photo in photos)
        # Both campaigns show their own image (and share it in their Open Graph tags).
        assert all(campaign.image_name and campaign.image_width for campaign in campaigns)
        visitor = app.test_client()
        for campaign in campaigns:
            shown = visitor.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
            assert f"/fundraisers/photos/{campaign.image_name}" in shown
            with visitor.get(f"/fundraisers/photos/{campaign.image_name}") as image:
                assert image.status_code == 200 and image.mimetype.startswith("image/")
        # The demo catalog, its drawings on disk.
        images = [
            Path(app.config["MEDIA_ROOT"]) / "catalog" / name for name in db.session.scalars(db.select(Item.image_name))
        ]
        assert len(images) >= 6 and all(image.is_file() for image in images)


def test_demo_seed_refuses_production(make_app, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)  # the CLI would set app.debug from it
    app = make_app(TESTING=False, DEBUG=False)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "development only" in result.output


@pytest.mark.parametrize("hour", [0, 4, 12, 23])
def test_demo_seed_works_at_any_hour_of_the_utc_day(app, hour):
    # Between midnight UTC and midnight in Toronto, UTC's date is tomorrow for the charity.
    with app.app_context():
        assert seed_demo(now=datetime(2026, 12, 6, hour, 30, tzinfo=UTC))
        db.session.commit()

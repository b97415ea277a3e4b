"""The preference centre: a signed link, no login, every change a consent record."""

from datetime import timedelta

import pytest

from crm.extensions import db
from crm.supporters.models import ConsentRecord, Supporter
from crm.supporters.services.consent import may_email, record_implied_consent
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.services.preferences import make_preference_token
from crm.supporters.wording import consent_wording
from crm.utc import utcnow
from tests.helpers import csrf_token


@pytest.fixture
def client(app):
    """A visitor who chose English on the switch: a link's page speaks the person's language (French here) otherwise."""
    visitor = app.test_client()
    visitor.get("/language/en")
    return visitor


@pytest.fixture
def person(app):
    with app.app_context():
        supporter, _, _ = find_or_create_supporter("pat@example.org", first_name="Pat", language="fr")
        record_implied_consent(supporter, "implied_gift", given_at=utcnow() - timedelta(days=10))
        db.session.commit()
        return supporter.id


def token_for(app, supporter_id, age=timedelta(0)):
    with app.app_context():
        return make_preference_token(db.session.get(Supporter, supporter_id), now=utcnow() - age)


def records(app, supporter_id):
    with app.app_context():
        rows = db.session.scalars(
            db.select(ConsentRecord).filter_by(supporter_id=supporter_id).order_by(ConsentRecord.id)
        ).all()
        return [(r.action, r.purpose, r.basis, r.form, r.wording, r.wording_version) for r in rows]


def test_link_shows_current_choices_without_logging_in(app, client, person):
    html = client.get(f"/preferences/{token_for(app, person)}", headers={"Accept-Language": "en"}).get_data(True)
    assert "pat@example.org" in html
    newsletter_text, _ = consent_wording("newsletter", "en")
    assert newsletter_text in html
    assert html.count('type="checkbox"') == 3
    assert html.count("checked") == 3  # implied consent from a gift covers every purpose


def test_link_still_works_after_59_days_and_not_after_the_limit(app, client, person):
    assert client.get(f"/preferences/{token_for(app, person, timedelta(days=59))}").status_code == 200
    response = client.get(f"/preferences/{token_for(app, person, timedelta(days=91))}")
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), lambda t: "x" + t, lambda t: "nonsense"]
)
def test_tampered_link_is_rejected(app, client, person, mangle):
    response = client.get(f"/preferences/{mangle(token_for(app, person))}")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_unticking_withdraws_and_ticking_gives_express_consent_with_its_wording(app, client, person):
    url = f"/preferences/{token_for(app, person)}"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={"csrf_token": token, "newsletter": "y", "fundraiser_tips": "y", "language": "en"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    rows = records(app, person)
    assert rows[-1][:4] == ("withdraw", "fundraising_news", None, "preference_centre")
    with app.app_context():
        supporter = db.session.get(Supporter, person)
        assert supporter.language == "en"
        assert not may_email(supporter, "fundraising_news")
        assert may_email(supporter, "newsletter")

    # Ticking it again is express consent, recorded with the exact words shown.
    token = csrf_token(client, url)
    client.post(
        url,
        data={
            "csrf_token": token,
            "newsletter": "y",
            "fundraising_news": "y",
            "fundraiser_tips": "y",
            "language": "en",
        },
        headers={"Accept-Language": "en"},
    )
    action, purpose, basis, form, wording, version = records(app, person)[-1]
    assert (action, purpose, basis, form) == ("grant", "fundraising_news", "express", "preference_centre")
    assert (wording, version) == consent_wording("fundraising_news", "en")


def test_saving_without_changes_records_nothing(app, client, person):
    url = f"/preferences/{token_for(app, person)}"
    before = records(app, person)
    data = {"csrf_token": csrf_token(client, url), "newsletter": "y", "fundraising_news": "y", "fundraiser_tips": "y"}
    client.post(url, data={**data, "language": "fr"})
    assert records(app, person) == before


def test_unsubscribe_from_everything(app, client, person):
    url = f"/preferences/{token_for(app, person)}"
    response = client.post(url + "/unsubscribe", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    assert records(app, person)[-1][:2] == ("withdraw", "all")
    with app.app_context():
        supporter = db.session.get(Supporter, person)
        assert not any(may_email(supporter, p) for p in ("newsletter", "fundraising_news", "fundraiser_tips"))
        assert may_email(supporter, "transactional")


def test_unsubscribe_needs_the_form_token(app, client, person):
    response = client.post(f"/preferences/{token_for(app, person)}/unsubscribe")
    assert response.status_code == 400
    assert records(app, person)[-1][0] == "grant"


def test_link_of_a_merged_record_manages_the_survivor(app, client, person):
    with app.app_context():
        survivor, _, _ = find_or_create_supporter("pat.new@example.org")
        db.session.get(Supporter, person).merged_into_id = survivor.id
        db.session.commit()
    html = client.get(f"/preferences/{token_for(app, person)}").get_data(as_text=True)
    assert "pat.new@example.org" in html


def test_link_of_an_erased_record_says_so(app, client, person):
    with app.app_context():
        db.session.get(Supporter, person).erased_at = utcnow()
        db.session.commit()
    response = client.get(f"/preferences/{token_for(app, person)}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "We no longer hold your details" in response.get_data(as_text=True)

"""Consent proof is the wording on the page that was sent, in its language and version (CASL, issue 15).

Whatever else the same request changes (the language chosen for our emails, the site's language in
another tab), the record holds the words the person read; a page carries which language and
version it showed, and only known ones are believed.
"""

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.supporters.models import ConsentRecord, Signup, Supporter
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.services.preferences import make_preference_token
from crm.supporters.wording import consent_wording
from tests.helpers import csrf_token

ENGLISH, _ = consent_wording("newsletter", "en")
FRENCH, _ = consent_wording("newsletter", "fr")


@pytest.fixture
def app(make_app):
    return make_app(FORM_MIN_SECONDS=0)


@pytest.fixture
def link(app):
    with app.app_context():
        supporter, _, _ = find_or_create_supporter("robin@example.org", first_name="Robin", language="en")
        db.session.commit()
        return supporter.id, f"/preferences/{make_preference_token(supporter)}"


def grants(app, supporter_id):
    with app.app_context():
        rows = db.session.scalars(db.select(ConsentRecord).filter_by(supporter_id=supporter_id, action="grant"))
        return [(r.purpose, r.wording, r.wording_version, r.language) for r in rows]


def test_news_ticked_on_an_english_page_while_choosing_french_records_the_english_words(app, client, link):
    supporter_id, url = link
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ENGLISH in page and 'name="wording_language" type="hidden" value="en"' in page
    data = {"csrf_token": csrf_token(client, url), "newsletter": "y", "language": "fr"}
    data.update({"wording_language": "en", "newsletter_version": "2026-11-v1"})
    assert client.post(url, data=data).status_code == 302
    assert grants(app, supporter_id) == [("newsletter", ENGLISH, "2026-11-v1", "en")]
    with app.app_context():
        assert db.session.get(Supporter, supporter_id).language == "fr"  # the emails' language did change


def test_a_page_shown_in_french_records_the_french_words_whatever_the_site_language_when_sent(app, client, link):
    supporter_id, url = link
    client.get("/language/fr")
    token = csrf_token(client, url)
    client.get("/language/en")  # switched in another tab before sending the French page
    data = {"csrf_token": token, "newsletter": "y", "language": "en", "wording_language": "fr"}
    assert client.post(url, data={**data, "newsletter_version": "2026-11-v1"}).status_code == 302
    assert grants(app, supporter_id) == [("newsletter", FRENCH, "2026-11-v1", "fr")]


@pytest.mark.parametrize("language", ["de", "", "<b>en</b>"])
def test_an_unknown_language_is_never_believed_the_page_language_is_used(app, client, link, language):
    supporter_id, url = link
    data = {"csrf_token": csrf_token(client, url), "newsletter": "y", "language": "en", "wording_language": language}
    client.post(url, data=data, headers={"Accept-Language": "en"})
    assert grants(app, supporter_id) == [("newsletter", ENGLISH, "2026-11-v1", "en")]


def test_an_unknown_version_is_refused_and_nothing_recorded(app, client, link):
    supporter_id, url = link
    data = {"csrf_token": csrf_token(client, url), "newsletter": "y", "language": "en"}
    response = client.post(url, data={**data, "wording_language": "en", "newsletter_version": "1999-v0"})
    assert response.status_code == 400
    assert "The wording of this box has changed" in response.get_data(as_text=True)
    assert grants(app, supporter_id) == []


def test_the_newsletter_form_opened_in_english_and_sent_after_a_switch_to_french_holds_the_english_words(app, client):
    from tests.supporters.test_public_forms import NEWSLETTER, submit

    token = csrf_token(client, "/newsletter")
    client.get("/language/fr")
    data = {**NEWSLETTER, "csrf_token": token, "wording_language": "en", "language": "fr"}
    assert submit(client, "/newsletter", data).status_code == 302
    with app.app_context():
        signup = db.session.scalar(db.select(Signup))
        assert (signup.consent_wording, signup.language) == (ENGLISH, "fr")


@pytest.mark.browser
def test_in_chromium_the_profile_keeps_the_english_sentence_after_french_is_chosen(page, live_server, link):
    supporter_id, url = link
    page.goto(live_server.url + url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label(ENGLISH).check()
    page.get_by_label("Language for our emails").select_option("fr")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert grants(live_server.app, supporter_id) == [("newsletter", ENGLISH, "2026-11-v1", "en")]

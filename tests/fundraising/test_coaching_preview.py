"""Staff preview the coaching sequence as each occasion's fundraiser gets it, in either language: on the
sequence screen and in the copy editor; copy that cannot render for one occasion is not saved."""

import re

import pytest

from crm.extensions import db
from crm.mail.models import EmailCopy, Sequence
from tests.helpers import post_form


@pytest.fixture
def marketing(make_client):
    return make_client("marketing")[0]


def _coaching_id(app):
    with app.app_context():
        return db.session.scalar(db.select(Sequence.id).filter_by(key="fundraiser_page_coaching"))


def _framed(client, src):
    return client.get(src.replace("&amp;", "&")).get_data(as_text=True)


def test_the_sequence_screen_previews_each_step_for_the_occasion_and_language_picked(app, marketing):
    client = marketing
    url = f"/staff/sequences/{_coaching_id(app)}"
    plain = client.get(url).get_data(as_text=True)
    assert '<select id="occasion" name="occasion">' in plain and "In memory of someone" in plain
    assert "<iframe" not in plain, "nothing previewed until asked"

    screen = client.get(url, query_string={"language": "fr", "occasion": "in_memory"}).get_data(as_text=True)
    frames = re.findall(r'<iframe class="email-preview" sandbox[^>]* title="([^"]+)" src="([^"]+)"', screen)
    assert len(frames) == 5 and all("occasion=in_memory" in src and "/fr/preview" in src for _title, src in frames)
    welcome = _framed(client, frames[0][1])
    assert "à la mémoire d&#39;une personne qui vous est chère" in welcome and "plong" not in welcome
    soon = _framed(client, frames[3][1])
    assert "Partagez un souvenir de la personne que vous honorez" in soon
    assert "/staff/email-copy/fundraiser_event_soon/fr?occasion=in_memory" in screen, "the editor opens the same"

    dip = client.get(url, query_string={"language": "en", "occasion": "polar_dip"}).get_data(as_text=True)
    src = re.findall(r'src="([^"]+fundraiser_event_soon[^"]+)"', dip)[0]
    assert "promise them a photo of the splash" in _framed(client, src)
    general = client.get(url, query_string={"language": "en", "occasion": ""}).get_data(as_text=True)
    src = re.findall(r'src="([^"]+fundraiser_coaching_welcome[^"]+)"', general)[0]
    assert "Your fundraiser page is live" in _framed(client, src)


def test_the_copy_editor_previews_an_occasion_and_refuses_copy_one_occasion_cannot_render(app, marketing):
    client = marketing
    url = "/staff/email-copy/fundraiser_coaching_welcome/en"
    page = client.get(url, query_string={"occasion": "birthday"}).get_data(as_text=True)
    assert '<option selected value="birthday">' in page
    assert 'src="/staff/email-copy/fundraiser_coaching_welcome/en/preview?occasion=birthday"' in page
    assert 'href="/staff/email-copy/fundraiser_coaching_welcome/fr?occasion=birthday"' in page
    framed = client.get(f"{url}/preview", query_string={"occasion": "birthday"}).get_data(as_text=True)
    assert "Your birthday page is live" in framed
    unknown = client.get(f"{url}/preview", query_string={"occasion": "<script>"}).get_data(as_text=True)
    assert "Your fundraiser page is live" in unknown, "an occasion we do not have: the general wording"

    body = '{% if occasion == "run_walk" %}Every step counts for “{{ page_title }}”.{% else %}Thanks.{% endif %}'
    shown = post_form(client, f"{url}?occasion=run_walk", {"subject": "Hi", "body": body, "preview": "1"})
    assert "Every step counts for “Alex for child safety”." in shown.get_data(as_text=True)
    broken = '{% if occasion == "in_memory" %}{{ "".__class__.__mro__[1].__subclasses__() }}{% endif %}Hi'
    refused = post_form(client, url, {"subject": "Hi", "body": broken, "submit": "1"})
    assert refused.status_code == 400 and "cannot be rendered" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(EmailCopy)) is None, "it would have failed for every memorial page"


def test_a_message_without_occasions_offers_none(marketing):
    page = marketing.get("/staff/email-copy/events_ack/en").get_data(as_text=True)
    assert 'name="occasion"' not in page and 'lang="fr">Français</a>' in page

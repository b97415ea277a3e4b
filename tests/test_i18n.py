"""English and French: the switch, the browser's choice, and a complete French catalogue."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.helpers import log_in

ROOT = Path(__file__).resolve().parent.parent


def test_browser_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.8,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Passer au contenu principal" in html


def test_switch_to_french_and_back_keeps_the_page(client):
    response = client.get("/language/fr?next=/account/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    html = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Mot de passe" in html
    assert 'href="/language/en?next=/account/login' in html

    client.get("/language/en?next=/")
    html = client.get("/account/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Password" in html


def test_switch_refuses_unknown_language_and_outside_redirects(client):
    assert client.get("/language/xx").status_code == 404
    response = client.get("/language/fr?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_form_errors_are_in_french(client):
    client.get("/language/fr")
    response = log_in(client, "nobody@example.org", "wrong password")
    assert "ne correspondent à aucun compte" in response.get_data(as_text=True)


def test_money_filter_follows_the_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        from flask import render_template_string

        assert render_template_string("{{ 123450|money }}") == "1\xa0234,50\xa0$"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 123450|money }}") == "$1,234.50"


def test_every_ui_string_has_a_french_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k",
         "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    assert len(wanted) > 100, "extraction found too few strings: check babel.cfg"
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        french = {message.id: message for message in read_po(handle) if message.id}
    missing = sorted(str(m) for m in wanted if m not in french or not french[m].string or french[m].fuzzy)
    assert missing == [], "run `make messages` and translate these in translations/fr: " + "; ".join(missing)

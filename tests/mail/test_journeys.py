"""From a public form to the inbox: the guide, and the newsletter's double opt-in, over real SMTP."""

import re

import pytest

from crm.extensions import db
from crm.supporters.models import ConsentRecord, Supporter
from crm.supporters.services.consent import may_email
from tests.helpers import csrf_token, post_form


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0, FORM_MIN_SECONDS=0)


def send_due(app):
    result = app.test_cli_runner().invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    return result.output


def link(message, path):
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https://crm\.example({path}/\S+)", text).group(1)


def test_guide_arrives_in_french_with_the_pdf_and_a_working_unsubscribe(app, client, smtp_sink):
    client.get("/language/fr")
    form = {"first_name": "Élodie", "last_name": "Côté", "email": "elodie@example.org", "event_kind": "polar_dip"}
    assert post_form(client, "/fundraise/learn-more", form).status_code == 302
    assert "sent 2" in send_due(app)

    by_recipient = {m["To"].addresses[0].addr_spec: m for m in smtp_sink.parsed()}
    guide = by_recipient["elodie@example.org"]
    assert guide["Subject"] == "Votre guide gratuit : 25 conseils pour organiser votre première collecte de fonds"
    assert guide["Content-Language"] == "fr"
    assert "Bonjour Élodie," in guide.get_body(("plain",)).get_content()
    (attachment,) = list(guide.iter_attachments())
    assert attachment.get_filename() == "25-conseils-collecte-de-fonds.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert guide["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.match(r"<https://crm\.example(/mail/unsubscribe/\S+)>", guide["List-Unsubscribe"]).group(1)

    lead = by_recipient[app.config["EVENTS_TEAM_EMAIL"]]
    assert "Élodie Côté" in lead["Subject"]
    assert "polar_dip" in lead.get_body(("plain",)).get_content()

    assert client.post(one_click).status_code == 200
    with app.app_context():
        supporter = db.session.scalar(db.select(Supporter).filter_by(email="elodie@example.org"))
        assert not may_email(supporter, "fundraiser_tips")


def test_newsletter_subscription_counts_only_after_the_emailed_confirmation(app, client, smtp_sink):
    form = {"email": "nina@example.org", "first_name": "Nina", "language": "en", "consent": "y"}
    page = client.get("/newsletter").get_data(as_text=True)
    version = re.search(r'name="wording_version" type="hidden" value="([^"]+)"', page).group(1)
    assert post_form(client, "/newsletter", {**form, "wording_version": version}).status_code == 302
    send_due(app)
    (confirm,) = smtp_sink.parsed()
    assert confirm["Subject"] == "Please confirm your subscription to Demo Charity news"
    with app.app_context():
        supporter = db.session.scalar(db.select(Supporter).filter_by(email="nina@example.org"))
        assert not may_email(supporter, "newsletter")

    url = link(confirm, "/preferences/confirm")
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        supporter = db.session.scalar(db.select(Supporter).filter_by(email="nina@example.org"))
        assert may_email(supporter, "newsletter")
        record = db.session.scalar(db.select(ConsentRecord).filter_by(purpose="newsletter"))
        assert record.wording.startswith("Yes, email me news")

    smtp_sink.reset()
    send_due(app)
    (welcome,) = smtp_sink.parsed()
    assert welcome["Subject"] == "Welcome to Demo Charity news"
    assert welcome["List-Unsubscribe"].startswith("<https://crm.example/mail/unsubscribe/")

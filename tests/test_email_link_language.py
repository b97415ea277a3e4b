"""Pages opened from an email link speak the person's stored language, not their browser's (issue 15).

A French supporter reading on an English computer opens the preference centre, the newsletter
confirmation, their monthly gift or a receipt link: the page is in French, the switch is there,
and a choice made on it wins from then on.
"""

import pytest

from crm.extensions import db
from crm.payments.models import Receipt, receipt_donations
from crm.payments.services.plan_links import manage_url
from crm.payments.services.receipt_links import make_receipt_token
from crm.supporters.models import Signup, Supporter
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.services.newsletter import make_confirmation_token
from crm.supporters.services.preferences import make_preference_token
from tests import factories
from tests.payments.helpers import gifts, give_monthly

ENGLISH_BROWSER = {"Accept-Language": "en-CA,en;q=0.9"}


@pytest.fixture
def french(app):
    with app.app_context():
        supporter, _, _ = find_or_create_supporter("camille@example.org", first_name="Camille", language="fr")
        signup = Signup(supporter_id=supporter.id, form="newsletter", language="fr")
        signup.consent_wording, signup.consent_version = "Oui", "2026-11-v1"
        db.session.add(signup)
        db.session.commit()
        return {
            "preferences": f"/preferences/{make_preference_token(supporter)}",
            "confirm": f"/preferences/confirm/{make_confirmation_token(signup.id)}",
        }


def lang(response):
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("page", ["preferences", "confirm"])
def test_a_supporter_link_opens_in_their_language_and_the_switch_wins_afterwards(client, french, page):
    url = french[page]
    response = client.get(url, headers=ENGLISH_BROWSER)
    assert (response.status_code, lang(response)) == (200, "fr")
    assert "/language/en" in response.get_data(as_text=True)  # the switch is there
    client.get(f"/language/en?next={url}")
    assert lang(client.get(url, headers=ENGLISH_BROWSER)) == "en"


def test_a_page_with_no_link_still_follows_the_browser(client, french):
    client.get(french["preferences"], headers=ENGLISH_BROWSER)
    assert lang(client.get("/newsletter", headers=ENGLISH_BROWSER)) == "en"


def test_a_cancelled_receipt_link_answers_in_the_donors_language(app, client):
    with app.app_context():
        donation = factories.gift("dominique@example.org", language="fr")
        db.session.get(Supporter, donation.supporter_id).language = "fr"
        receipt = Receipt(
            serial="2026-00077", year=2026, number=77, status="cancelled", supporter_id=donation.supporter_id,
            amount_cents=donation.amount_cents, eligible_cents=donation.amount_cents, currency="cad",
            received_on=donation.created_at.date(), donor_name="Dominique", pdf=b"%PDF-", pdf_sha256="0" * 64,
            language="fr",
        )  # fmt: skip
        db.session.add(receipt)
        db.session.flush()
        db.session.execute(receipt_donations.insert().values(receipt_id=receipt.id, donation_id=donation.id))
        db.session.commit()
        url = f"/receipts/{make_receipt_token(receipt)}"
    response = client.get(url, headers=ENGLISH_BROWSER)
    assert (response.status_code, lang(response)) == (410, "fr")
    assert "This receipt was cancelled" not in response.get_data(as_text=True)


def test_the_monthly_gift_link_opens_in_the_donors_language(make_app, localstripe):
    app = make_app()
    assert give_monthly(app.test_client(), localstripe, language="fr").status_code == 302
    [gift] = gifts(app)
    with app.app_context(), app.test_request_context():
        url = manage_url(gift, external=False)
    visitor = app.test_client()  # another browser: none of the gift's session
    assert lang(visitor.get(url, headers=ENGLISH_BROWSER)) == "fr"
    visitor.get(f"/language/en?next={url}")
    assert lang(visitor.get(url, headers=ENGLISH_BROWSER)) == "en"

"""A fundraiser's tools: cash and cheques (counted once staff verify, receipted when asked), the poster, thanks."""

import io

import pypdf

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, Occasion, OfflineGiftReport, PageGift
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.totals import campaign_total, page_total
from crm.images import store_image
from crm.mail.services.delivery import send_due
from crm.payments.models import Donation, Receipt
from crm.supporters.services.consent import suppress_email
from tests import factories
from tests.helpers import csrf_token, post_form

RECEIPTED = {
    "method": "cheque",
    "amount": "120,50",
    "received_on": "2026-12-01",
    "reference": "0042",
    "first_name": "Gilles",
    "last_name": "Lavoie",
    "email": "gilles@example.org",
    "wants_receipt": "y",
    "address_line1": "12 rue Ontario",
    "city": "Montréal",
    "region": "QC",
    "postal_code": "H2X 1Y4",
}


def _page(user, status="live"):
    campaign = Campaign(slug="dip", name_en="Polar dip")
    db.session.add(campaign)
    db.session.flush()
    owner = factories.supporter(user.email, "Fran")
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=owner.id,
        user_id=user.id,
        slug="fran",
        title="Fran dips",
        goal_cents=50000,
        status=status,
        language="fr",
    )
    db.session.add(page)
    db.session.commit()
    return page.id


def test_a_reported_cheque_counts_once_staff_verify_it_and_is_receipted(app, make_client):
    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user)
    url = f"/fundraise/pages/{page_id}/offline"
    assert post_form(fundraiser, url, RECEIPTED).status_code == 302
    cash = {"method": "cash", "amount": "20", "received_on": "2026-12-02"}  # a jar: no name, no receipt
    assert post_form(fundraiser, url, cash).status_code == 302
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page_total(page) == (0, 0)  # nothing counts before staff saw the money
        reports = db.session.scalars(db.select(OfflineGiftReport).order_by(OfflineGiftReport.id)).all()
        assert [r.amount_cents for r in reports] == [12050, 2000] and reports[0].city == "Montréal"
        ids = [r.id for r in reports]

    staff, _ = make_client("staff")
    queue = staff.get("/staff/fundraising/offline").get_data(as_text=True)
    assert "Gilles Lavoie" in queue and "Fran dips" in queue
    token = _token(staff)
    for report_id in ids:
        answer = staff.post(f"/staff/fundraising/offline/{report_id}/verify", data={"csrf_token": token})
        assert answer.status_code == 302
    # A second verification (a double click, another tab) changes nothing.
    again = staff.post(f"/staff/fundraising/offline/{ids[0]}/verify", data={"csrf_token": token})
    assert again.status_code == 409
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        assert page_total(page) == (14050, 2) and campaign_total(page.campaign) == (14050, 2)
        assert db.session.scalar(db.select(db.func.count()).select_from(PageGift)) == 2
        cheque, jar = (db.session.get(OfflineGiftReport, i) for i in ids)
        assert cheque.status == jar.status == "verified"
        receipts = db.session.scalars(db.select(Receipt)).all()
        assert [r.donations[0].id for r in receipts] == [cheque.donation_id]  # the jar asked for none
        donation = db.session.get(Donation, cheque.donation_id)
        assert donation.method == "cheque" and donation.supporter.email == "gilles@example.org"
        assert donation.offline_reference == "0042"

        owner_id = page.supporter_id
    html = fundraiser.get(url).get_data(as_text=True)
    assert html.count("Received: it counts on your page") == 2
    # The fundraiser's profile shows the page and its soft credits; the donor's, their own gift.
    profile = staff.get(f"/staff/supporters/{owner_id}").get_data(as_text=True)
    assert "Fran dips" in profile and "Soft credits: $140.50" in profile


def test_a_rejected_report_tells_the_fundraiser_why_and_never_counts(app, make_client, smtp_sink):
    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user)
    url = f"/fundraise/pages/{page_id}/offline"
    assert (
        post_form(fundraiser, url, {"method": "cash", "amount": "35", "received_on": "2026-12-02"}).status_code == 302
    )
    with app.app_context():
        report_id = db.session.scalar(db.select(OfflineGiftReport.id))
    staff, _ = make_client("staff")
    token = _token(staff)
    empty = staff.post(f"/staff/fundraising/offline/{report_id}/reject", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400 and "Say why" in empty.get_data(as_text=True)
    answer = staff.post(
        f"/staff/fundraising/offline/{report_id}/reject",
        data={"csrf_token": token, "reason": "No cash <arrived> with the envelope."},
    )
    assert answer.status_code == 302
    with app.app_context():
        assert page_total(db.session.get(FundraiserPage, page_id)) == (0, 0)
        send_due()
    subject, body = [(m["Subject"], m.get_body(("plain",)).get_content()) for m in smtp_sink.parsed()][-1]
    assert "Fran dips" in subject and "n'a pas été vérifié" in subject  # in the page's language
    assert "35,00" in body and "No cash <arrived> with the envelope." in body
    assert f"/fundraise/pages/{page_id}/offline" in body
    assert "No cash &lt;arrived&gt;" in fundraiser.get(url).get_data(as_text=True)


def test_bad_reports_are_refused_with_a_message_and_others_cannot_see_a_page(app, make_client):
    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user)
    url = f"/fundraise/pages/{page_id}/offline"
    cases = [
        ({"method": "cash", "amount": "0", "received_on": "2026-12-02"}, "between 0.01"),
        ({"method": "cash", "amount": "ten", "received_on": "2026-12-02"}, "amount"),
        ({"method": "cash", "amount": "10", "received_on": "2999-01-01"}, "not in the future"),
        ({"method": "gold", "amount": "10", "received_on": "2026-12-02"}, "Not a valid choice"),
        ({**RECEIPTED, "postal_code": ""}, "full address"),
    ]
    for data, message in cases:
        answer = post_form(fundraiser, url, data)
        assert answer.status_code == 400, data
        assert message in answer.get_data(as_text=True), data
    other, _ = make_client("fundraiser")
    assert other.get(url).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OfflineGiftReport)) == 0
    # Only staff open the queue; only editors decide.
    assert fundraiser.get("/staff/fundraising/offline").status_code in (302, 403)
    marketing, _ = make_client("marketing")
    assert marketing.get("/staff/fundraising/offline").status_code == 200


def _token(client):
    return csrf_token(client, "/staff/fundraising/offline")


def test_the_poster_names_the_page_and_links_to_it_in_the_pages_language(app, make_client):
    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user)
        db.session.get(FundraiserPage, page_id).title = "Fran plonge \u202e <b>"
        db.session.commit()
    answer = fundraiser.get(f"/fundraise/pages/{page_id}/poster.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "private, no-store"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.data)).pages)
    assert "Fran plonge" in text and "<b>" in text and "/fundraisers/fran" in text
    assert "Scannez" in text  # the page is in French
    other, _ = make_client("fundraiser")
    assert other.get(f"/fundraise/pages/{page_id}/poster.pdf").status_code == 404
    staff, _ = make_client("staff")
    assert staff.get(f"/fundraise/pages/{page_id}/poster.pdf").status_code == 200


def test_a_fundraiser_thanks_each_donor_once_never_the_suppressed_and_never_sees_an_address(
    app, make_client, smtp_sink
):
    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user)
        page = db.session.get(FundraiserPage, page_id)
        for email, status in (("ann@example.org", "succeeded"), ("gone@example.org", "succeeded")):
            credit_gift(factories.gift(email, 2500, status=status, first_name="Ann"), page.campaign, page)
        credit_gift(factories.gift("failed@example.org", 2500, status="failed"), page.campaign, page)
        suppress_email("gone@example.org", "bounced")
        db.session.commit()
    url = f"/fundraise/pages/{page_id}/thanks"
    html = fundraiser.get(url).get_data(as_text=True)
    assert "2 donors to thank." in html and "@example.org" not in html
    assert post_form(fundraiser, url, {"message": "  "}).status_code == 400
    assert post_form(fundraiser, url, {"message": "Thank you <3, truly!"}).status_code == 302
    assert "Nobody is waiting" in fundraiser.get(url).get_data(as_text=True)
    with app.app_context():
        send_due()
    thanked = [m for m in smtp_sink.parsed() if "Un merci de" in m["Subject"] or "thank-you from" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in thanked] == ["ann@example.org"]
    assert "Thank you <3, truly!" in thanked[0].get_body(("plain",)).get_content()
    # Another fundraiser cannot thank this page's donors.
    other, _ = make_client("fundraiser")
    assert other.get(url).status_code == 404


def test_a_returning_fundraiser_copies_last_years_page_with_its_photo_and_a_grown_goal(app, make_client):
    from tests.catalog.test_images import picture_bytes

    fundraiser, user = make_client("fundraiser")
    with app.app_context():
        page_id = _page(user, status="closed")
        page = db.session.get(FundraiserPage, page_id)
        page.published_at, page.story = page.created_at, "Last year I **dipped**."
        stored = store_image(picture_bytes(), app.config["MEDIA_ROOT"], "fundraising")
        page.photo_name, page.photo_width, page.photo_height = stored.name, stored.width, stored.height
        this_year = Campaign(slug="dip-2027", name_en="Polar dip 2027")
        this_year.occasions.append(Occasion(kind="own_idea", title_en="Mine"))
        db.session.add(this_year)
        credit_gift(factories.gift("ann@example.org", 61000), page.campaign, page)  # $610 raised of $500
        db.session.commit()
        target, old_photo = this_year.id, page.photo_name
    url = f"/fundraise/pages/{page_id}/copy"
    html = fundraiser.get(url).get_data(as_text=True)
    assert "Suggested goal: $700.00" in html and "Polar dip 2027" in html  # 671 rounded up to 50
    assert post_form(fundraiser, url, {"campaign": "999999"}).status_code == 400
    answer = post_form(fundraiser, url, {"campaign": str(target)})
    assert answer.status_code == 302
    with app.app_context():
        copy = db.session.scalar(db.select(FundraiserPage).filter_by(copied_from_id=page_id))
        assert (copy.campaign_id, copy.status, copy.goal_cents) == (target, "draft", 70000)
        assert copy.story == "Last year I **dipped**." and copy.title == "Fran dips" and copy.slug != "fran"
        assert copy.photo_name and copy.photo_name != old_photo  # its own file
        assert db.session.get(FundraiserPage, page_id).status == "closed"  # last year's page stays
    other, _ = make_client("fundraiser")
    assert other.get(url).status_code == 404

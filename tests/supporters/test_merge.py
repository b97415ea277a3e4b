"""Duplicate candidates and merging two records of one person."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from crm.audit import AuditEvent
from crm.extensions import db
from crm.supporters.models import (
    Activity,
    ConsentRecord,
    Inquiry,
    InquiryReply,
    Note,
    Signup,
    Supporter,
    Tag,
    supporter_tags,
)
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import add_activity, find_or_create_supporter
from crm.supporters.services.merging import MERGE_FIELDS, edit_distance, find_duplicates, first_names_close
from crm.supporters.signals import merged
from crm.supporters.wording import consent_wording
from tests.blns import STRINGS
from tests.helpers import csrf_token, post_form

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def person(email, now=T0, **values):
    supporter, _, _ = find_or_create_supporter(email, now=now, **values)
    return supporter


def raw_person(email, **values):
    """Insert a row the way an old import did: the email as typed, not normalised."""
    row = {"email": email, "created_at": T0, "updated_at": T0, **values}
    return db.session.execute(insert(Supporter.__table__).values(**row)).inserted_primary_key[0]


def merge_data(survivor="a", **picks):
    return {"survivor": survivor, **{name: picks.get(name, "a") for name in MERGE_FIELDS}}


# --- candidates --------------------------------------------------------------------------------


def test_name_similarity_rules():
    assert edit_distance("jon", "john") == 1
    assert first_names_close("Jon", "John")
    assert first_names_close("J.", "Jane")
    assert first_names_close("Élise", "Elise")
    assert first_names_close("Katherine", "Catherine")
    assert first_names_close("Sam", "Samuel")
    assert not first_names_close("Al", "Alexandra")  # two letters is too little to go on
    assert not first_names_close("Paul", "Luc")
    assert not first_names_close("Ana", "Eva")  # short names: one letter apart at most
    assert not first_names_close("", "Ana")


def test_duplicate_candidates_certain_and_likely_with_reasons(app):
    with app.app_context():
        same_a = raw_person("Dup@Example.org", first_name="Dana", last_name="Upton")
        same_b = raw_person("dup@example.org ", first_name="D", last_name="Upton")
        marie_1 = person("marie1@example.org", first_name="Marie", last_name="Tremblay", postal_code="h2x 1y4")
        marie_2 = person("marie2@example.org", first_name="Marie", last_name="Tremblay", postal_code="H2X1Y4")
        jon = person("jon@example.org", first_name="Jon", last_name="Smith", phone="514 555 0100")
        john = person("john@example.org", first_name="John", last_name="Smith", phone="+1 (514) 555-0100")
        initial = person("jd@example.org", first_name="J.", last_name="Doe", postal_code="K1A 0B1")
        jane = person("jane@example.org", first_name="Jane", last_name="Doe", postal_code="K1A0B1")
        # Not listed: different first names, no shared key, a merged record, an erased one.
        person("paul@example.org", first_name="Paul", last_name="Martin", postal_code="G1R 4P5")
        person("luc@example.org", first_name="Luc", last_name="Martin", postal_code="G1R 4P5")
        person("roy1@example.org", first_name="Anne", last_name="Roy", postal_code="T2P 1J9")
        person("roy2@example.org", first_name="Anne", last_name="Roy", postal_code="V6B 4Y8")
        live = person("kim1@example.org", first_name="Kim", last_name="Lee", postal_code="M5V 2T6")
        gone = person("kim2@example.org", first_name="Kim", last_name="Lee", postal_code="M5V 2T6")
        gone.merged_into_id = live.id
        erased = person("kim3@example.org", first_name="Kim", last_name="Lee", postal_code="M5V 2T6")
        erased.erased_at = T0
        # Blank names at one address are not a match.
        person("blank1@example.org", postal_code="H3A 0G4")
        person("blank2@example.org", postal_code="H3A 0G4")
        db.session.commit()

        pairs, more = find_duplicates()
        found = {(p.first.id, p.second.id): (p.certainty, p.reasons) for p in pairs}
        assert not more
        assert found == {
            (same_a, same_b): ("certain", ["same_email"]),
            (marie_1.id, marie_2.id): ("likely", ["same_name", "same_postal_code"]),
            (jon.id, john.id): ("likely", ["similar_name", "same_phone"]),
            (initial.id, jane.id): ("likely", ["similar_name", "same_postal_code"]),
        }
        assert pairs[0].certainty == "certain", "certain pairs come first"


def test_duplicate_list_is_capped_and_says_there_are_more(app):
    with app.app_context():
        for n in range(6):
            person(f"twin{n}a@example.org", first_name="Twin", last_name=f"Number{n}", postal_code="H2X 1Y4")
            person(f"twin{n}b@example.org", first_name="Twin", last_name=f"Number{n}", postal_code="H2X 1Y4")
        db.session.commit()
        pairs, more = find_duplicates(limit=4)
        assert len(pairs) == 4 and more
        pairs, more = find_duplicates(limit=6)
        assert len(pairs) == 6 and not more


def test_duplicates_page_shows_pairs_with_reasons_and_link(app, make_client):
    with app.app_context():
        a = person("eve1@example.org", first_name="Ève", last_name="Côté", postal_code="H2X 1Y4")
        b = person("eve2@example.org", first_name="Eve", last_name="Cote", postal_code="H2X1Y4")
        db.session.commit()
        ids = a.id, b.id
    client, _ = make_client(role="marketing")
    response = client.get("/staff/supporters/duplicates", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ève Côté" in html and "eve2@example.org" in html
    assert "Likely" in html and "same name, same postal code" in html
    assert f'href="/staff/supporters/merge/{ids[0]}/{ids[1]}"' in html
    assert "Compare and merge" in html


# --- merging -----------------------------------------------------------------------------------


@pytest.fixture
def two_records(app):
    """Two records of Sam Rivers, each with consents, a timeline, a signup, an inquiry, notes and tags."""
    with app.app_context():
        old = person(
            "sam.old@example.org",
            now=T0,
            first_name="Sam",
            last_name="Rivers",
            phone="514-555-0111",
            city="Montréal",
            postal_code="H2X 1Y4",
        )
        new = person(
            "sam@example.org",
            now=T0 + timedelta(days=30),
            first_name="Samuel",
            last_name="Rivers",
            organization="Rivers & Co",
            postal_code="H2X 1Y4",
        )
        old.updated_at, new.updated_at = T0, T0 + timedelta(days=30)
        text, version = consent_wording("newsletter", "en")
        grant_consent(old, "newsletter", "express", wording=text, wording_version=version, form="newsletter", now=T0)
        add_activity(old, "signup", "Newsletter signup", now=T0)
        db.session.add(Signup(supporter_id=old.id, form="newsletter", message="hello", created_at=T0, source="web"))
        inquiry = Inquiry(supporter_id=old.id, kind="media", name="Sam Rivers", email="sam.old@example.org")
        db.session.add(inquiry)
        db.session.flush()
        db.session.add(InquiryReply(inquiry_id=inquiry.id, body="Thanks, Sam"))
        db.session.add(Note(supporter_id=old.id, body="Met at the gala", created_at=T0))
        shared, only_old = Tag(name="Volunteer"), Tag(name="Gala 2025")
        old.tags.extend([shared, only_old])
        new.tags.append(shared)
        db.session.commit()
        return old.id, new.id


def counts(supporter_id):
    return {
        model.__tablename__: db.session.scalar(
            db.select(db.func.count()).select_from(model).where(model.supporter_id == supporter_id)
        )
        for model in (ConsentRecord, Activity, Signup, Inquiry, Note)
    }


def test_merge_screen_preselects_non_blank_and_newest_values(two_records, make_client):
    old, new = two_records
    client, _ = make_client()
    response = client.get(f"/staff/supporters/merge/{old}/{new}", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Samuel" in html and "sam.old@example.org" in html and "Rivers &amp; Co" in html
    # The newer record's first name, the only phone (the old record's), the newer record survives.
    assert '<input checked id="first_name-1" name="first_name" required type="radio" value="b">' in html
    assert '<input checked id="phone-0" name="phone" required type="radio" value="a">' in html
    assert '<input checked id="survivor-1" name="survivor" required type="radio" value="b">' in html
    assert '<input checked id="organization-1"' in html and '<input checked id="city-0"' in html


def test_merge_moves_everything_and_is_audited(app, two_records, make_client):
    old, new = two_records
    client, user = make_client()
    with app.app_context():
        before_old, before_new = counts(old), counts(new)
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["survivor"].id, kwargs["merged"].id, kwargs["actor"].id))

    url = f"/staff/supporters/merge/{old}/{new}"
    # Keep the newer record (b) with the old record's email address and phone.
    data = merge_data(survivor="b", first_name="b", email="a", phone="a", organization="b", city="a")
    with merged.connected_to(receiver):
        response = post_form(client, url, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/supporters/{new}")
    assert received == [(new, old, user.id)]

    with app.app_context():
        survivor, absorbed = db.session.get(Supporter, new), db.session.get(Supporter, old)
        assert (survivor.first_name, survivor.email, survivor.phone) == (
            "Samuel",
            "sam.old@example.org",
            "514-555-0111",
        )
        assert (survivor.organization, survivor.city, survivor.phone_key) == ("Rivers & Co", "Montréal", "5145550111")
        assert absorbed.merged_into_id == new and absorbed.email is None
        assert absorbed.first_name == "Sam", "the absorbed row is kept as it was"
        after = counts(new)
        assert counts(old) == dict.fromkeys(after, 0)
        for table, count in after.items():
            extra = 1 if table == "activities" else 0  # the "merge" entry
            assert count == before_old[table] + before_new[table] + extra, table
        assert sorted(tag.name for tag in survivor.tags) == ["Gala 2025", "Volunteer"]
        assert absorbed.tags == []
        links = db.session.execute(db.select(supporter_tags)).all()
        assert len(links) == 2, "no duplicate tag rows"
        merge_entry = db.session.scalar(db.select(Activity).filter_by(supporter_id=new, kind="merge"))
        assert merge_entry.actor_id == user.id and merge_entry.details["absorbed_id"] == old
        audit = db.session.scalar(db.select(AuditEvent).filter_by(action="merge"))
        assert (audit.actor_id, audit.target_type, audit.target_id) == (user.id, "supporter", new)
        assert audit.changes["survivor_id"] == new and audit.changes["absorbed_id"] == old
        assert audit.changes["values"]["email"] == "sam.old@example.org"
        assert audit.changes["values"]["first_name"] == "Samuel"
        assert audit.changes["absorbed_email"] == "sam.old@example.org"
        assert audit.created_at is not None

    # A merged record cannot be merged again, nor shown as a duplicate.
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert f"already merged into record #{new}" in response.get_data(as_text=True)
    with app.app_context():
        assert find_duplicates() == ([], False)


def test_survivor_keeps_its_own_email_and_uniqueness_holds(app, two_records, make_client):
    old, new = two_records
    client, _ = make_client()
    response = post_form(client, f"/staff/supporters/merge/{old}/{new}", merge_data(survivor="a", email="a"))
    assert response.status_code == 302
    with app.app_context():
        survivor = db.session.get(Supporter, old)
        assert survivor.email == "sam.old@example.org"
        assert db.session.get(Supporter, new).email is None
        assert find_or_create_supporter("SAM.OLD@example.org")[0].id == old


def test_certain_duplicates_with_unnormalised_email_merge_into_one_address(app, make_client):
    with app.app_context():
        first = raw_person("Dup@Example.org", first_name="Dana")
        second = raw_person("dup@example.org", last_name="Upton")
        db.session.commit()
    client, _ = make_client()
    data = merge_data(survivor="a", email="a", last_name="b")
    response = post_form(client, f"/staff/supporters/merge/{first}/{second}", data)
    assert response.status_code == 302
    with app.app_context():
        kept = db.session.get(Supporter, first)
        assert (kept.email, kept.first_name, kept.last_name) == ("dup@example.org", "Dana", "Upton")
        assert db.session.get(Supporter, second).email is None


def test_merge_refuses_an_address_a_third_record_holds(app, make_client):
    with app.app_context():
        first = raw_person("Taken@Example.org", first_name="Tam")
        second = raw_person("tam@example.org", first_name="Tam")
        third = person("taken@example.org", first_name="Other")
        db.session.commit()
        third_id = third.id
    client, _ = make_client()
    response = post_form(client, f"/staff/supporters/merge/{first}/{second}", merge_data(survivor="b", email="a"))
    assert response.status_code == 409
    assert f"Another supporter (#{third_id}) already has this email address." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Supporter, first).merged_into_id is None
        assert db.session.get(Supporter, second).email == "tam@example.org"


def test_refusals_are_clear_and_never_500(app, two_records, make_client):
    old, new = two_records
    client, _ = make_client()
    with app.app_context():
        erased = person("gone@example.org", first_name="Gone")
        erased.erased_at = T0
        db.session.commit()
        erased_id = erased.id
    same = client.get(f"/staff/supporters/merge/{old}/{old}", headers={"Accept-Language": "en"})
    assert same.status_code == 409
    assert "cannot be merged with itself" in same.get_data(as_text=True)
    response = client.get(f"/staff/supporters/merge/{old}/{erased_id}", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert f"Record #{erased_id} was erased" in response.get_data(as_text=True)
    token = csrf_token(client, "/staff/")
    posted = client.post(f"/staff/supporters/merge/{old}/{old}", data={**merge_data(), "csrf_token": token})
    assert posted.status_code == 409
    assert client.get(f"/staff/supporters/merge/{old}/99999999").status_code == 404
    # A tampered or missing choice re-renders the form with an error tied to the field.
    bad = post_form(client, f"/staff/supporters/merge/{old}/{new}", {**merge_data(), "email": "c", "city": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="email-error"' in html and 'id="city-error"' in html
    with app.app_context():
        assert db.session.get(Supporter, old).merged_into_id is None
        assert db.session.get(Supporter, new).merged_into_id is None


def test_merge_access_rules(app, two_records, make_client):
    old, new = two_records
    url = f"/staff/supporters/merge/{old}/{new}"
    anonymous = app.test_client()
    for path in ("/staff/supporters/duplicates", url):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    fundraiser, _ = make_client(role="fundraiser")
    assert fundraiser.get("/staff/supporters/duplicates").status_code == 403
    assert fundraiser.get(url).status_code == 403
    marketing, _ = make_client(role="marketing")
    assert marketing.get("/staff/supporters/duplicates").status_code == 200
    page = marketing.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'name="survivor"' not in page.get_data(as_text=True)
    token = csrf_token(marketing, "/staff/")
    assert marketing.post(url, data={**merge_data(), "csrf_token": token}).status_code == 403
    admin, _ = make_client(role="admin")
    assert post_form(admin, url, merge_data()).status_code == 302
    with app.app_context():
        assert db.session.get(Supporter, new).merged_into_id == old


def test_merge_keeps_dates_and_blns_values_unchanged(app, make_client):
    hostile = next(s for s in STRINGS if "<script>" in s)
    with app.app_context():
        a = person("x1@example.org", first_name="Zoë", last_name=hostile[:100], postal_code="H2X 1Y4")
        b = person("x2@example.org", first_name="Zoe", last_name=hostile[:100], postal_code="H2X 1Y4")
        db.session.add(Signup(supporter_id=b.id, form="newsletter", planned_on=date(2026, 5, 1)))
        db.session.commit()
        ids = a.id, b.id
    client, _ = make_client()
    page = client.get(f"/staff/supporters/merge/{ids[0]}/{ids[1]}")
    assert page.status_code == 200 and "<script>" not in page.get_data(as_text=True).split("<main", 1)[1]
    assert post_form(client, f"/staff/supporters/merge/{ids[0]}/{ids[1]}", merge_data()).status_code == 302
    with app.app_context():
        kept = db.session.get(Supporter, ids[0])
        assert (kept.first_name, kept.last_name) == ("Zoë", hostile[:100])
        assert db.session.scalar(db.select(Signup.planned_on).filter_by(supporter_id=ids[0])) == date(2026, 5, 1)


@pytest.mark.browser
def test_merge_in_the_browser_at_phone_width(page, live_server, make_user, two_records, tmp_path):
    from playwright.sync_api import expect

    old, new = two_records
    staff = make_user(role="staff")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/account/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/staff/supporters/duplicates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates")
    expect(page.get_by_role("cell", name="same postal code")).to_be_visible()
    page.get_by_role("link", name="Compare and merge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare and merge")
    page.get_by_role("group", name="Record to keep").get_by_label("Sam Rivers").check()
    page.get_by_role("group", name="Email").get_by_label("sam@example.org").check()
    page.screenshot(path=tmp_path / "merge.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "no sideways scrolling at 320px"
    page.get_by_role("button", name="Merge the two records").click()
    expect(page).to_have_url(re.compile(rf"/staff/supporters/{old}$"))
    assert errors == [], errors  # includes CSP violations
    with live_server.app.app_context():
        assert db.session.get(Supporter, new).merged_into_id == old
        assert db.session.get(Supporter, old).email == "sam@example.org"

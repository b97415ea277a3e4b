"""Staff supporter screens: the list (search, filters, sort, pages), the profile, edits, tags, notes."""

import re
from datetime import timedelta
from html import escape, unescape

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.supporters.models import Activity, Inquiry, Note, Signup, Supporter, Tag
from crm.supporters.services.consent import grant_consent, record_implied_consent, withdraw_consent
from tests.blns import STRINGS
from tests.factories import T0
from tests.helpers import csrf_token, log_in, post_form

ROW_LINK = re.compile(r'<td><a href="/staff/supporters/(\d+)">([^<]*)</a>')


def listed(html):
    """Return the names in the list's rows, in order."""
    return [unescape(name) for _, name in ROW_LINK.findall(html)]


@pytest.fixture
def staff(make_user):
    return make_user(email="casey@example.org", role="staff")


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff.email, staff.password)
    return client


@pytest.fixture
def people(app, make_supporter):
    """A few supporters with accents, tags, languages, sources, dates and consents."""
    with app.app_context():
        elise = make_supporter(
            "elise@example.org", "Élise", "Côté", T0, tags=["Volunteer"], language="fr", source="gala"
        )
        bob = make_supporter("bob@example.net", "Bob", "Smith", T0 + timedelta(days=10), tags=["Board"], source="web")
        ana = make_supporter("ana.cotes@example.org", "Ana", "Berg", T0 + timedelta(days=20), source="web")
        zoe = make_supporter("zoe@example.com", "Zoé", "Adams", T0 + timedelta(days=30), language="fr", source="web")
        grant_consent(elise, "newsletter", "express", wording="Yes, email me.", wording_version="v1", given_at=T0)
        grant_consent(bob, "newsletter", "express", wording="Yes, email me.", wording_version="v1", given_at=T0)
        withdraw_consent(bob, "newsletter", now=T0 + timedelta(days=11))
        record_implied_consent(ana, "implied_gift", T0 + timedelta(days=20))
        db.session.commit()
        return {"elise": elise.id, "bob": bob.id, "ana": ana.id, "zoe": zoe.id}


# --- the list --------------------------------------------------------------------------------


def test_name_search_ignores_accents_and_case(staff_client, people):
    for query in ("cote", "CÔTÉ", "élise côté", "Elise"):
        html = staff_client.get("/staff/supporters/", query_string={"q": query}).get_data(as_text=True)
        assert listed(html) == ["Élise Côté"], query
    html = staff_client.get("/staff/supporters/?q=smi").get_data(as_text=True)
    assert listed(html) == ["Bob Smith"]


def test_email_search_finds_part_of_an_address(staff_client, people):
    html = staff_client.get("/staff/supporters/", query_string={"q": "@EXAMPLE.NET"}).get_data(as_text=True)
    assert listed(html) == ["Bob Smith"]
    html = staff_client.get("/staff/supporters/", query_string={"q": "ana.cotes@"}).get_data(as_text=True)
    assert listed(html) == ["Ana Berg"]
    # Without "@", the start of an address matches too.
    html = staff_client.get("/staff/supporters/", query_string={"q": "zoe"}).get_data(as_text=True)
    assert listed(html) == ["Zoé Adams"]


def test_search_text_with_like_wildcards_is_taken_literally(staff_client, people):
    html = staff_client.get("/staff/supporters/", query_string={"q": "%"}).get_data(as_text=True)
    assert listed(html) == []
    assert "No supporters match." in html


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"tag": "Volunteer"}, ["Élise Côté"]),
        ({"tag": "Board"}, ["Bob Smith"]),
        ({"language": "fr"}, ["Zoé Adams", "Élise Côté"]),
        ({"source": "web"}, ["Zoé Adams", "Ana Berg", "Bob Smith"]),
        ({"consent": "subscribed:newsletter"}, ["Ana Berg", "Élise Côté"]),
        ({"consent": "withdrawn"}, ["Bob Smith"]),
        ({"consent": "none"}, ["Zoé Adams"]),
        ({"signed_up_from": "2026-03-11", "signed_up_to": "2026-03-21"}, ["Ana Berg", "Bob Smith"]),
        ({"signed_up_to": "2026-03-01"}, ["Élise Côté"]),
        ({"language": "fr", "source": "web"}, ["Zoé Adams"]),
    ],
)
def test_each_filter(staff_client, people, args, expected):
    response = staff_client.get("/staff/supporters/", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == expected
    assert f"of {len(expected)} supporters" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Zoé Adams", "Ana Berg", "Bob Smith", "Élise Côté"]),
        ("created", ["Élise Côté", "Bob Smith", "Ana Berg", "Zoé Adams"]),
        ("name", ["Zoé Adams", "Ana Berg", "Élise Côté", "Bob Smith"]),
        ("-name", ["Bob Smith", "Élise Côté", "Ana Berg", "Zoé Adams"]),
        ("email", ["Ana Berg", "Bob Smith", "Élise Côté", "Zoé Adams"]),
    ],
)
def test_sort(staff_client, people, sort, expected):
    html = staff_client.get("/staff/supporters/", query_string={"sort": sort}).get_data(as_text=True)
    assert listed(html) == expected


def test_filters_stay_in_the_page_and_sort_links(staff_client, people):
    html = staff_client.get("/staff/supporters/?tag=Volunteer&language=fr").get_data(as_text=True)
    assert '<option selected value="Volunteer">' in html
    assert 'href="/staff/supporters/?tag=Volunteer&amp;language=fr&amp;sort=name"' in html


def test_pages_of_fifty_with_links_and_a_count(app, staff_client, make_supporter):
    with app.app_context():
        for n in range(120):
            make_supporter(f"p{n:03d}@example.org", f"Person{n:03d}", "Page", T0 + timedelta(minutes=n))
        db.session.commit()
    first = staff_client.get("/staff/supporters/?sort=created").get_data(as_text=True)
    assert listed(first)[:2] == ["Person000 Page", "Person001 Page"]
    assert len(listed(first)) == 50
    assert "Showing 1 to 50 of 120 supporters" in first
    assert 'href="/staff/supporters/?page=3&amp;sort=created"' in first
    assert 'rel="next"' in first
    third = staff_client.get("/staff/supporters/?sort=created&page=3").get_data(as_text=True)
    assert listed(third) == [f"Person{n:03d} Page" for n in range(100, 120)]
    assert "Showing 101 to 120 of 120 supporters" in third
    assert 'aria-current="page">3<' in third
    # Out of range or junk page numbers land on a real page, never an error.
    assert listed(staff_client.get("/staff/supporters/?sort=created&page=99999999999999999999").get_data(True)) == (
        listed(third)
    )
    assert len(listed(staff_client.get("/staff/supporters/?page=-4").get_data(as_text=True))) == 50
    assert len(listed(staff_client.get("/staff/supporters/?page=abc").get_data(as_text=True))) == 50


def test_merged_records_are_left_out_of_the_list(app, staff_client, people):
    with app.app_context():
        db.session.get(Supporter, people["zoe"]).merged_into_id = people["ana"]
        db.session.commit()
    html = staff_client.get("/staff/supporters/?source=web").get_data(as_text=True)
    assert listed(html) == ["Ana Berg", "Bob Smith"]


def test_a_bad_filter_is_a_form_error_not_a_crash(staff_client, people):
    response = staff_client.get("/staff/supporters/?signed_up_from=yesterday&consent=bogus")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="signed_up_from-error"' in html
    assert 'id="consent-error"' in html
    assert len(listed(html)) == 4  # what does parse is still applied


def test_nul_characters_in_the_query_string_are_dropped(staff_client, people):
    args = {"q": "co\x00te", "tag": "Volun\x00teer", "source": "\x00", "language": "\x00", "sort": "\x00"}
    response = staff_client.get("/staff/supporters/", query_string=args)
    assert response.status_code in (200, 400)
    assert listed(response.get_data(as_text=True)) == ["Élise Côté"]


# --- the profile -----------------------------------------------------------------------------


def test_profile_shows_details_consent_proof_signups_inquiries_and_timeline(app, staff_client, people):
    with app.app_context():
        elise = db.session.get(Supporter, people["elise"])
        elise.phone, elise.organization, elise.city, elise.postal_code = "514-555-0199", "Média Inc.", "Montréal", "H2X"
        withdraw_consent(elise, "newsletter", ip_address="198.51.100.9", form="preferences", now=T0 + timedelta(days=5))
        grant_consent(
            elise,
            "fundraising_news",
            "express",
            wording="Oui, écrivez-moi au sujet des campagnes.",
            wording_version="2026-11-v1",
            form="fundraiser_interest",
            ip_address="203.0.113.7",
            given_at=T0 + timedelta(days=6),
        )
        db.session.add(
            Signup(
                supporter_id=elise.id,
                form="fundraiser_interest",
                source="instagram",
                utm_source="insta",
                utm_campaign="polar-dip-2026",
                created_at=T0 + timedelta(days=6),
            )
        )
        inquiry = Inquiry(supporter_id=elise.id, kind="media", topic="Interview request", created_at=T0)
        db.session.add(inquiry)
        db.session.commit()
        inquiry_id = inquiry.id

    response = staff_client.get(f"/staff/supporters/{people['elise']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Élise Côté</h1>" in html
    for text in ("elise@example.org", "514-555-0199", "Média Inc.", "Montréal", "gala"):
        assert text in html
    # Proof of each consent record: wording, version, form, address, and the state now.
    assert "Oui, écrivez-moi au sujet des campagnes." in html
    assert "2026-11-v1" in html and "fundraiser_interest" in html
    assert "203.0.113.7" in html and "198.51.100.9" in html
    assert "No: withdrawn" in html and "Yes: express consent" in html
    # Signups with attribution, inquiries linking to the queue.
    assert "polar-dip-2026" in html and "utm_source: insta" in html
    assert f'href="/staff/inquiries/{inquiry_id}"' in html
    # Timeline newest first.
    timeline = html[html.index('class="timeline"') :]
    assert timeline.index("fundraising_news") < timeline.index("withdrawn: newsletter")


def test_implied_consent_shows_its_expiry(staff_client, people):
    html = staff_client.get(f"/staff/supporters/{people['ana']}").get_data(as_text=True)
    assert "Yes: implied consent" in html
    assert "Implied (gift)" in html
    assert "Mar 21, 2028" in html  # two years after the gift


def test_merged_and_erased_records_say_so(app, staff_client, people):
    with app.app_context():
        db.session.get(Supporter, people["zoe"]).merged_into_id = people["ana"]
        erased = db.session.get(Supporter, people["bob"])
        erased.erased_at, erased.email, erased.first_name, erased.last_name = T0, None, "", ""
        db.session.commit()
    html = staff_client.get(f"/staff/supporters/{people['zoe']}").get_data(as_text=True)
    assert "This record was merged into another one." in html
    assert f'href="/staff/supporters/{people["ana"]}">Go to the surviving record: Ana Berg' in html
    assert "Edit details" not in html
    html = staff_client.get(f"/staff/supporters/{people['bob']}").get_data(as_text=True)
    assert "personal data was erased" in html
    assert "Edit details" not in html
    response = post_form(
        staff_client, f"/staff/supporters/{people['bob']}/edit", {"first_name": "Bob", "country": "CA"}
    )
    assert response.status_code == 400
    assert "This record was erased" in response.get_data(as_text=True)


def test_unknown_supporter_is_404(staff_client):
    assert staff_client.get("/staff/supporters/999999").status_code == 404
    assert staff_client.get("/staff/supporters/999999/edit").status_code == 404


# --- edits, tags, notes ----------------------------------------------------------------------


def edit_data(**changes):
    data = {"email": "elise@example.org", "first_name": "Élise", "last_name": "Côté", "country": "CA", "language": "fr"}
    return {**data, **changes}


def test_edit_is_audited_and_on_the_timeline(app, staff_client, staff, people):
    url = f"/staff/supporters/{people['elise']}/edit"
    assert "Élise" in staff_client.get(url).get_data(as_text=True)
    response = post_form(
        staff_client, url, edit_data(email=" Elise.Cote@Example.org ", first_name="Elisabeth", city="Québec")
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/supporters/{people['elise']}"
    with app.app_context():
        supporter = db.session.get(Supporter, people["elise"])
        assert (supporter.email, supporter.first_name, supporter.city) == (
            "elise.cote@example.org",
            "Elisabeth",
            "Québec",
        )
        assert supporter.search_name == "elisabeth cote"
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="supporter.edit"))
        assert event.actor_id == staff.id
        assert (event.target_type, event.target_id) == ("supporter", people["elise"])
        assert event.changes == {
            "email": ["elise@example.org", "elise.cote@example.org"],
            "first_name": ["Élise", "Elisabeth"],
            "city": ["", "Québec"],
        }
        assert event.ip_address == "127.0.0.1"
        activity = db.session.scalar(db.select(Activity).filter_by(kind="edit"))
        assert activity.actor_id == staff.id and activity.supporter_id == people["elise"]
    html = staff_client.get(f"/staff/supporters/{people['elise']}").get_data(as_text=True)
    history = html[html.index("History of changes") :]
    assert "casey@example.org" in history and "supporter.edit" in history
    assert "<del>Élise</del> → <ins>Elisabeth</ins>" in history
    assert "Details changed: email, first_name, city" in html


def test_saving_without_changes_records_nothing(app, staff_client, people):
    response = post_form(staff_client, f"/staff/supporters/{people['elise']}/edit", edit_data())
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0


def test_duplicate_email_is_a_form_error(app, staff_client, people):
    url = f"/staff/supporters/{people['elise']}/edit"
    response = post_form(staff_client, url, edit_data(email="BOB@example.net", first_name="Changed"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert "Another supporter already has this email address." in html
    with app.app_context():
        supporter = db.session.get(Supporter, people["elise"])
        assert (supporter.email, supporter.first_name) == ("elise@example.org", "Élise")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"country": "Canada"}, "country"),
        ({"first_name": "x" * 101}, "first_name"),
    ],
)
def test_invalid_details_are_form_errors(staff_client, people, changes, field):
    response = post_form(staff_client, f"/staff/supporters/{people['elise']}/edit", edit_data(**changes))
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_tags_are_trimmed_created_once_and_removable(app, staff_client, staff, people):
    profile = f"/staff/supporters/{people['bob']}"
    response = post_form(staff_client, f"{profile}/tags", {"name": "  Major   donor "})
    assert response.status_code == 302
    post_form(staff_client, f"{profile}/tags", {"name": "Major donor"})
    post_form(staff_client, f"{profile}/tags", {"name": "Volunteer"})  # an existing tag is reused
    with app.app_context():
        assert sorted(db.session.scalars(db.select(Tag.name)).all()) == ["Board", "Major donor", "Volunteer"]
        bob = db.session.get(Supporter, people["bob"])
        assert [tag.name for tag in bob.tags] == ["Board", "Major donor", "Volunteer"]
        major = db.session.scalar(db.select(Tag).filter_by(name="Major donor"))
        events = db.session.scalars(db.select(AuditEvent).filter_by(action="supporter.tag_add")).all()
        assert [event.changes for event in events] == [{"tags": [None, "Major donor"]}, {"tags": [None, "Volunteer"]}]
        assert all(event.actor_id == staff.id for event in events)
    html = staff_client.get(profile).get_data(as_text=True)
    assert 'aria-label="Remove tag Major donor"' in html
    response = post_form(staff_client, f"{profile}/tags/{major.id}/remove", {})
    assert response.status_code == 302
    with app.app_context():
        assert [tag.name for tag in db.session.get(Supporter, people["bob"]).tags] == ["Board", "Volunteer"]
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="supporter.tag_remove")).changes == {
            "tags": ["Major donor", None]
        }
        kinds = db.session.scalars(db.select(Activity.summary).filter_by(kind="tag").order_by(Activity.id)).all()
        assert kinds == ["Tag added: Major donor", "Tag added: Volunteer", "Tag removed: Major donor"]
    # The list's tag filter offers the new tag.
    assert '<option value="Major donor">' in staff_client.get("/staff/supporters/").get_data(as_text=True)


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_tag_names_need_1_to_60_characters(staff_client, people, name):
    response = post_form(staff_client, f"/staff/supporters/{people['bob']}/tags", {"name": name})
    assert response.status_code == 400
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_note_is_shown_audited_and_on_the_timeline(app, staff_client, staff, people):
    profile = f"/staff/supporters/{people['zoe']}"
    response = post_form(staff_client, f"{profile}/notes", {"body": "Called her: <b>prefers</b> phone.\nBack in May."})
    assert response.status_code == 302
    html = staff_client.get(profile).get_data(as_text=True)
    assert escape("Called her: <b>prefers</b> phone.\nBack in May.") in html
    with app.app_context():
        note = db.session.scalar(db.select(Note))
        assert note.author_id == staff.id
        assert (
            db.session.scalar(db.select(AuditEvent).filter_by(action="supporter.note_add")).target_id == people["zoe"]
        )
        assert db.session.scalar(db.select(Activity).filter_by(kind="note")).actor_id == staff.id
    response = post_form(staff_client, f"{profile}/notes", {"body": "   "})
    assert response.status_code == 400
    assert 'id="body-error"' in response.get_data(as_text=True)


def test_naughty_strings_read_back_unchanged(app, staff_client, people):
    profile = f"/staff/supporters/{people['zoe']}"
    token = csrf_token(staff_client, profile)
    kept = []
    for value in [*STRINGS[::7], "\x00nul\x00 inside", "Ω≈ç√∫", "<script>alert(1)</script>", "👾 🙇 💁"]:
        response = staff_client.post(f"{profile}/notes", data={"body": value, "csrf_token": token})
        assert response.status_code in (302, 400), (value, response.status_code)
        if response.status_code == 302:
            kept.append(value.replace("\x00", "").strip())
        tag = staff_client.post(f"{profile}/tags", data={"name": value[:60], "csrf_token": token})
        assert tag.status_code in (302, 400), (value, tag.status_code)
        edit = staff_client.post(
            f"{profile}/edit", data={**edit_data(email="zoe@example.com"), "organization": value, "csrf_token": token}
        )
        assert edit.status_code in (302, 400), (value, edit.status_code)
    with app.app_context():
        notes = db.session.scalars(db.select(Note.body).order_by(Note.id)).all()
    assert notes == kept
    html = staff_client.get(profile).get_data(as_text=True)
    assert escape("<script>alert(1)</script>") in html
    assert "<script>alert(1)</script>" not in html


# --- who may change what ----------------------------------------------------------------------


def test_marketing_reads_but_cannot_change_anything(app, client, make_user, people):
    marketer = make_user(role="marketing")
    log_in(client, marketer.email, marketer.password)
    profile = f"/staff/supporters/{people['elise']}"
    assert client.get("/staff/supporters/?q=cote").status_code == 200
    html = client.get(profile).get_data(as_text=True)
    assert "Élise Côté" in html
    assert "Edit details" not in html and "Add tag" not in html and "Add note" not in html
    token = csrf_token(client, profile.replace(profile, "/"))
    with app.app_context():
        tag_id = db.session.scalar(db.select(Tag.id).filter_by(name="Volunteer"))
    for url, data in [
        (f"{profile}/edit", edit_data(first_name="Hacked")),
        (f"{profile}/tags", {"name": "Hacked"}),
        (f"{profile}/tags/{tag_id}/remove", {}),
        (f"{profile}/notes", {"body": "Hacked"}),
    ]:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert client.get(f"{profile}/edit").status_code == 403
    with app.app_context():
        supporter = db.session.get(Supporter, people["elise"])
        assert supporter.first_name == "Élise" and [tag.name for tag in supporter.tags] == ["Volunteer"]
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0


def test_list_counts_exactly_up_to_the_cap_then_says_more_than(app, monkeypatch):
    from crm import lists
    from crm.supporters.services import records
    from crm.supporters.services.intake import find_or_create_supporter
    from crm.supporters.services.search import SupporterFilter

    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    with app.app_context():
        for n in range(5):
            find_or_create_supporter(f"capped{n}@example.org")
        page = records.list_supporters(SupporterFilter(), per_page=2)
        assert page.total == 4 and page.total_is_capped
        exact = records.list_supporters(SupporterFilter(q="capped1"), per_page=2)
        assert exact.total == 1 and not exact.total_is_capped

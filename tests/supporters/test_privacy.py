"""Privacy: export everything about one person, and erase them (keeping the proof the law needs)."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from crm.audit import AuditEvent, record_audit
from crm.extensions import db
from crm.supporters.models import (
    Activity,
    ConsentRecord,
    Inquiry,
    InquiryReply,
    Note,
    Signup,
    Supporter,
    Suppression,
    Tag,
    email_hash,
)
from crm.supporters.services.consent import grant_consent, is_suppressed, may_email
from crm.supporters.services.intake import add_activity, find_or_create_supporter
from crm.supporters.services.merging import merge_supporters
from crm.supporters.signals import erased
from crm.supporters.wording import consent_wording
from tests.blns import STRINGS
from tests.helpers import csrf_token, post_form

T0 = datetime(2026, 2, 10, 15, 45, tzinfo=UTC)
EMAIL = "zq.private@example.org"
OLD_EMAIL = "zuzu.old@example.org"
SECRETS = (
    "Zuzanna",
    "Quixley",
    EMAIL,
    OLD_EMAIL,
    "514-555-0142",
    "5145550142",
    "Quixley Media",
    "77 Rue Secrète",
    "H2X 1Y4",
    "H2X1Y4",
    "Gazette Zed",
    "203.0.113.9",
    "SecretBrowser",
)


@pytest.fixture
def zuzanna(app, make_user):
    """One person with a bit of everything, and an older record of theirs merged into this one."""
    staff = make_user(email="records.staff@example.org", role="staff")
    with app.app_context():
        from crm.accounts.models import User

        actor = db.session.get(User, staff.id)
        supporter, _, _ = find_or_create_supporter(
            EMAIL,
            now=T0,
            first_name="Zuzanna",
            last_name="Quixley",
            phone="514-555-0142",
            organization="Quixley Media",
            address_line1="77 Rue Secrète",
            city="Montréal",
            region="QC",
            postal_code="H2X 1Y4",
        )
        older, _, _ = find_or_create_supporter(OLD_EMAIL, now=T0, first_name="Zuzanna", last_name="Quixley")
        text_shown, version = consent_wording("newsletter", "en")
        grant_consent(
            older,
            "newsletter",
            "express",
            wording=text_shown,
            wording_version=version,
            form="newsletter",
            ip_address="203.0.113.9",
            user_agent="SecretBrowser/1.0",
            now=T0,
        )
        merge_supporters(supporter, older, {}, actor, now=T0 + timedelta(minutes=5))
        db.session.add(
            Signup(
                supporter_id=supporter.id,
                form="fundraiser_interest",
                message="Zuzanna Quixley here, call me at 514-555-0142",
                landing_page=f"/fundraise?email={EMAIL}",
                utm_source="newsletter",
                created_at=T0,
            )
        )
        inquiry = Inquiry(
            supporter_id=supporter.id,
            kind="media",
            name="Zuzanna Quixley",
            email=EMAIL,
            phone="514-555-0142",
            outlet="Gazette Zed",
            topic="Interview for Gazette Zed",
            message="I am Zuzanna from Gazette Zed.",
            created_at=T0,
        )
        db.session.add(inquiry)
        db.session.flush()
        db.session.add(InquiryReply(inquiry_id=inquiry.id, body="Dear Zuzanna, yes.", created_at=T0))
        db.session.add(Note(supporter_id=supporter.id, body="Zuzanna prefers phone: 514-555-0142", created_at=T0))
        add_activity(supporter, "note", "Note: Zuzanna prefers phone", {"note": "Zuzanna"}, actor=actor, now=T0)
        add_activity(supporter, "inquiry", "Media inquiry from Zuzanna Quixley", {"inquiry_id": inquiry.id}, now=T0)
        record_audit(actor, "supporter.edit", "supporter", supporter.id, {"phone": ["", "514-555-0142"]}, now=T0)
        record_audit(actor, "inquiry.reply", "inquiry", inquiry.id, {"to": EMAIL}, now=T0)
        supporter.tags.append(Tag(name="Press"))
        db.session.commit()
        return supporter.id, older.id


def scan_for_secrets():
    """Return every (table, column, value) in the database that still holds one of SECRETS."""
    found = []
    pattern = re.compile("|".join(re.escape(s) for s in SECRETS), re.IGNORECASE)
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue  # staff accounts, not the person
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                flat = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                if pattern.search(flat):
                    found.append((table.name, column, flat))
    return found


# --- export -----------------------------------------------------------------------------------


def test_privacy_export_contains_everything_and_is_audited(app, zuzanna, make_client):
    supporter_id, older_id = zuzanna
    client, user = make_client()
    response = client.get(f"/staff/supporters/{supporter_id}/privacy-export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"supporter-{supporter_id}-privacy-export.json" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["supporter"]["first_name"] == "Zuzanna" and data["supporter"]["email"] == EMAIL
    assert data["supporter"]["address_line1"] == "77 Rue Secrète", "Unicode survives"
    assert data["supporter"]["created_at"] == "2026-02-10T15:45:00Z"
    assert [record["id"] for record in data["merged_records"]] == [older_id]
    assert data["tags"] == ["Press"]
    consent = data["consent_records"][0]
    assert (consent["action"], consent["wording_version"], consent["ip_address"]) == (
        "grant",
        "2026-11-v1",
        "203.0.113.9",
    )
    assert consent["wording"] == consent_wording("newsletter", "en")[0]
    assert {a["kind"] for a in data["activities"]} >= {"consent", "merge", "note", "inquiry"}
    assert data["signups"][0]["landing_page"] == f"/fundraise?email={EMAIL}"
    assert data["signups"][0]["utm_source"] == "newsletter"
    assert data["inquiries"][0]["outlet"] == "Gazette Zed"
    assert data["inquiries"][0]["replies"][0]["body"] == "Dear Zuzanna, yes."
    assert data["notes"][0]["body"].startswith("Zuzanna prefers")
    assert {e["action"] for e in data["audit_events"]} >= {"merge", "supporter.edit", "inquiry.reply"}
    assert all(e["created_at"].endswith("Z") for e in data["audit_events"])

    with app.app_context():
        audit = db.session.scalar(select(AuditEvent).filter_by(action="privacy_export"))
        assert (audit.actor_id, audit.target_type, audit.target_id) == (user.id, "supporter", supporter_id)
        entry = db.session.scalar(select(Activity).filter_by(kind="privacy_export"))
        assert (entry.supporter_id, entry.actor_id) == (supporter_id, user.id)


def test_privacy_page_links_export_and_erase(zuzanna, make_client):
    supporter_id, _ = zuzanna
    client, _ = make_client()
    response = client.get(f"/staff/supporters/{supporter_id}/privacy", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/staff/supporters/{supporter_id}/privacy-export.json"' in html
    assert f'href="/staff/supporters/{supporter_id}/erase"' in html
    assert "Consent records: 1" in html and "Records merged into this one: 1" in html
    assert client.get("/staff/supporters/99999999/privacy").status_code == 404


# --- erasure ----------------------------------------------------------------------------------


def test_erase_scrubs_every_trace_and_keeps_the_proof(app, zuzanna, make_client):
    supporter_id, older_id = zuzanna
    client, user = make_client()
    with app.app_context():
        assert scan_for_secrets(), "the fixture holds personal data to erase"
        consents_before = db.session.scalar(select(db.func.count()).select_from(ConsentRecord))
        activities_before = db.session.scalar(select(db.func.count()).select_from(Activity))
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["supporter"].id, kwargs["actor"].id))

    url = f"/staff/supporters/{supporter_id}/erase"
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Type ERASE to confirm" in page.get_data(as_text=True)
    with erased.connected_to(receiver):
        response = post_form(client, url, {"confirm": "ERASE"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/supporters/{supporter_id}/privacy")
    assert received == [(supporter_id, user.id)]

    with app.app_context():
        assert scan_for_secrets() == []
        supporter = db.session.get(Supporter, supporter_id)
        assert supporter.email is None and supporter.erased_at is not None
        assert (supporter.first_name, supporter.phone, supporter.search_name, supporter.phone_key) == ("", "", "", "")
        assert supporter.tags == []
        assert db.session.get(Supporter, older_id).erased_at is not None
        # The proof and the timeline stay; only their personal text went.
        assert db.session.scalar(select(db.func.count()).select_from(ConsentRecord)) == consents_before
        assert db.session.scalar(select(db.func.count()).select_from(Activity)) == activities_before + 1
        consent = db.session.scalar(select(ConsentRecord))
        assert consent.wording == consent_wording("newsletter", "en")[0] and consent.wording_version
        assert (consent.ip_address, consent.user_agent) == ("", "")
        assert db.session.scalar(select(Note.body)) == "[erased]"
        assert db.session.scalar(select(InquiryReply.body)) == "[erased]"
        assert db.session.scalar(select(Inquiry.kind)) == "media"
        assert db.session.scalar(select(Signup.utm_source)) == "newsletter"
        entry = db.session.scalar(select(Activity).filter_by(kind="erase"))
        assert (entry.supporter_id, entry.actor_id, entry.summary) == (supporter_id, user.id, "Personal data erased")
        audit = db.session.scalar(select(AuditEvent).filter_by(action="erase"))
        assert (audit.actor_id, audit.target_id) == (user.id, supporter_id)
        # Both of the person's addresses are suppressed, as hashes only.
        hashes = set(db.session.scalars(select(Suppression.email_hash).filter_by(reason="erased")))
        assert hashes == {email_hash(EMAIL), email_hash(OLD_EMAIL)}
        assert is_suppressed(OLD_EMAIL)
        assert not may_email(supporter, "transactional")
        assert not may_email(supporter, "newsletter")

        # Someone signs up again with the same address: a new record, still never emailed.
        again, created, _ = find_or_create_supporter(EMAIL.upper(), first_name="Zuzanna")
        text_shown, version = consent_wording("newsletter", "en")
        grant_consent(again, "newsletter", "express", wording=text_shown, wording_version=version, form="newsletter")
        db.session.commit()
        assert created and again.id != supporter_id
        assert not may_email(again, "newsletter")
        assert not may_email(again, "transactional")

    # Erasing twice is refused with a clear message.
    twice = post_form(client, url, {"confirm": "ERASE"}, headers={"Accept-Language": "en"})
    assert twice.status_code == 409
    assert "This record was already erased." in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Activity).filter_by(kind="erase")) == 1


def test_erase_needs_the_word_and_accepts_the_french_one(app, zuzanna, make_client):
    supporter_id, older_id = zuzanna
    client, _ = make_client()
    url = f"/staff/supporters/{supporter_id}/erase"
    for word in ("", "erase it", "DELETE", "ERASÉ", "E\x00RASE!", *STRINGS[:40:4]):
        response = post_form(client, url, {"confirm": word}, headers={"Accept-Language": "en"})
        assert response.status_code == 400, word
        assert 'id="confirm-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Supporter, supporter_id).erased_at is None
    # The merged-away record is erased through the record kept.
    merged_away = post_form(client, f"/staff/supporters/{older_id}/erase", {"confirm": "ERASE"})
    assert merged_away.status_code == 409
    client.get("/language/fr")
    response = post_form(client, url, {"confirm": " effacer "})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Supporter, supporter_id).erased_at is not None


def test_privacy_access_rules(app, zuzanna, make_client):
    supporter_id, _ = zuzanna
    paths = [f"/staff/supporters/{supporter_id}/{end}" for end in ("privacy", "privacy-export.json", "erase")]
    anonymous = app.test_client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], path
    for role in ("fundraiser", "marketing"):
        client, _ = make_client(role=role)
        for path in paths:
            assert client.get(path).status_code == 403, (role, path)
        token = csrf_token(client, "/")
        assert client.post(paths[2], data={"confirm": "ERASE", "csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Supporter, supporter_id).erased_at is None
        assert (
            db.session.scalar(select(db.func.count()).select_from(AuditEvent).filter_by(action="privacy_export")) == 0
        )


def test_scan_sees_raw_sql_too(app, zuzanna):
    """The scan reads every table with plain SQL: a secret stored anywhere is found."""
    with app.app_context():
        db.session.execute(text("UPDATE tags SET name = 'Quixley fan'"))
        assert any(table == "tags" for table, _, _ in scan_for_secrets())
        db.session.rollback()

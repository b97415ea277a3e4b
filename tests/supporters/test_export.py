"""Exporting the supporter list as CSV: filters, consent per purpose, formula injection, Unicode, audit."""

import csv
import io
from datetime import UTC, datetime

import pytest

from crm.audit import AuditEvent
from crm.exports import safe_cell
from crm.extensions import db
from crm.supporters.models import PURPOSES, Supporter, Tag
from crm.supporters.services.consent import consent_state, grant_consent, suppress_email, withdraw_consent
from crm.supporters.services.intake import find_or_create_supporter
from tests.blns import STRINGS as BLNS
from tests.helpers import log_in

EXPORT = "/staff/supporters/export.csv"
UNICODE_NAMES = ["田中さんにあげて下さい", "👾 🙇 💁 🙅 🙆 🙋 🙎 🙍", "Ω≈ç√∫˜µ≤≥÷", "ﷺ", "Élise Côté-Ñúñez"]
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "-1E+02"]
CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.fixture
def people(app):
    """Supporters with hostile and Unicode values, and consent in each state."""
    assert all(name in BLNS for name in UNICODE_NAMES[:4])
    assert "-2147483648/-1" in BLNS and '@{[system "touch /tmp/blns.fail"]}' in BLNS
    with app.app_context():
        made = {}
        for i, name in enumerate(UNICODE_NAMES):
            made[name], _, _ = find_or_create_supporter(
                f"uni{i}@example.org", first_name=name, language="fr", city="Montréal", now=CREATED
            )
        for i, formula in enumerate(FORMULAS):
            made[formula], _, _ = find_or_create_supporter(
                f"f{i}@example.org", first_name=formula, organization="-2147483648/-1", now=CREATED
            )
        hacker, _, _ = find_or_create_supporter(
            "blns@example.org", last_name='@{[system "touch /tmp/blns.fail"]}', phone="+1 514 555 0101"
        )
        hacker.tags = [Tag(name='=HYPERLINK("http://evil")'), Tag(name="donor")]
        express = made[UNICODE_NAMES[0]]
        grant_consent(express, "newsletter", "express", wording="Yes, send me news", wording_version="v1")
        withdraw_consent(made[UNICODE_NAMES[1]], "all", form="test")
        grant_consent(made[UNICODE_NAMES[2]], "all", "implied_gift", given_at=datetime.now(UTC))
        grant_consent(made[UNICODE_NAMES[3]], "all", "implied_gift", given_at=datetime(2020, 1, 1, tzinfo=UTC))
        suppress_email("uni4@example.org", "bounced")
        db.session.commit()
        return {key: supporter.id for key, supporter in made.items()} | {"hacker": hacker.id}


def export(client, query=""):
    response = client.get(EXPORT + query)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # Excel needs the BOM to show accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return rows


@pytest.fixture
def staff(client, make_user):
    user = make_user(role="staff")
    log_in(client, user.email, user.password)
    return user


def test_export_keeps_unicode_and_neutralises_formulas(app, client, staff, people):
    rows = export(client)
    assert len(rows) == len(UNICODE_NAMES) + len(FORMULAS) + 1
    by_email = {row["email"]: row for row in rows}
    for i, name in enumerate(UNICODE_NAMES):
        row = by_email[f"uni{i}@example.org"]
        assert row["first_name"] == name
        assert (row["city"], row["language"]) == ("Montréal", "fr")
        assert row["created_at"] == "2024-05-06T07:08:09+00:00"
    for i, formula in enumerate(FORMULAS):
        row = by_email[f"f{i}@example.org"]
        assert row["first_name"] == "'" + formula
        assert row["organization"] == "'-2147483648/-1"
    hacker = by_email["blns@example.org"]
    assert hacker["last_name"] == '\'@{[system "touch /tmp/blns.fail"]}'
    assert hacker["phone"] == "'+1 514 555 0101"
    assert hacker["tags"] == '\'=HYPERLINK("http://evil"); donor'
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for value in row.values())


def test_consent_columns_match_the_consent_rules(app, client, staff, people):
    rows = {int(row["id"]): row for row in export(client)}
    assert rows[people[UNICODE_NAMES[0]]]["consent_newsletter"] == "express"
    assert rows[people[UNICODE_NAMES[0]]]["consent_fundraising_news"] == "never given"
    assert rows[people[UNICODE_NAMES[1]]]["consent_newsletter"] == "withdrawn"
    assert rows[people[UNICODE_NAMES[2]]]["consent_fundraiser_tips"] == "implied"
    assert rows[people[UNICODE_NAMES[3]]]["consent_newsletter"] == "expired"
    assert rows[people[UNICODE_NAMES[4]]]["consent_newsletter"] == "suppressed"
    with app.app_context():
        for supporter in db.session.scalars(db.select(Supporter)):
            for purpose in PURPOSES:
                assert rows[supporter.id][f"consent_{purpose}"] == consent_state(supporter, purpose).reason


def test_export_follows_the_list_filters_and_is_audited(app, client, staff, people):
    rows = export(client, "?language=fr&sort=name")
    assert sorted(row["email"] for row in rows) == [f"uni{i}@example.org" for i in range(len(UNICODE_NAMES))]
    assert [row["first_name"] for row in export(client, "?q=%C3%89lise")] == ["Élise Côté-Ñúñez"]
    assert export(client, "?q=nobody-by-that-name") == []
    assert export(client, "?q=%00") is not None  # a NUL in the query never reaches PostgreSQL
    with app.app_context():
        audits = db.session.scalars(db.select(AuditEvent).filter_by(action="export").order_by(AuditEvent.id)).all()
        assert audits[0].changes == {"filter": {"language": "fr", "sort": "name"}}
        assert audits[0].actor_id == staff.id and audits[0].target_type == "supporter"
        assert len(audits) == 4


def test_export_streams_more_rows_than_one_batch(app, client, staff, monkeypatch):
    monkeypatch.setattr("crm.exports.BATCH_SIZE", 7)
    with app.app_context():
        for i in range(23):
            find_or_create_supporter(f"p{i:02d}@example.org", first_name=f"P{i:02d}")
        db.session.commit()
    rows = export(client, "?sort=email")
    assert [row["email"] for row in rows] == [f"p{i:02d}@example.org" for i in range(23)]


def test_marketing_may_export_but_anonymous_visitors_may_not(app, client, make_user, people):
    assert client.get(EXPORT).status_code == 302  # to the login page
    fundraiser = make_user(role="fundraiser")
    log_in(client, fundraiser.email, fundraiser.password)
    assert client.get(EXPORT).status_code == 403
    marketing = make_user(role="marketing")
    other = app.test_client()
    log_in(other, marketing.email, marketing.password)
    assert len(export(other)) == len(UNICODE_NAMES) + len(FORMULAS) + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("Ana", "Ana"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("a=b", "a=b"),
        (" =x", " =x"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected

"""Every naughty string typed as a name in a public form reads back unchanged where staff read it:
on the supporter's profile (escaped once, never twice) and in the CSV export."""

import csv
import io
import json
from pathlib import Path

import pytest
from markupsafe import escape

from crm.exports import safe_cell
from crm.extensions import db
from crm.forms import clean_line
from crm.supporters.models import Supporter
from tests.helpers import log_in
from tests.supporters.test_public_forms import FUNDRAISER, submit

BLNS = Path(__file__).resolve().parents[3] / "shared" / "data" / "blns" / "blns.json"
STRINGS = json.loads(BLNS.read_text(encoding="utf-8"))


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, FORM_MIN_SECONDS=0)


def test_names_read_back_on_the_profile_and_in_the_export(app, client, make_user):
    accepted = {}
    for n, value in enumerate(STRINGS):
        email = f"blns{n}@example.org"
        response = submit(client, "/fundraise/learn-more", {**FUNDRAISER, "email": email, "last_name": value})
        assert response.status_code in (302, 400), (response.status_code, value)
        if response.status_code == 302:
            accepted[email] = clean_line(value)
    assert len(accepted) > 0.9 * len(STRINGS), "most strings are acceptable names"

    staff = make_user(role="staff")
    desk = app.test_client()
    log_in(desk, staff.email, staff.password)
    with app.app_context():
        ids = dict(db.session.execute(db.select(Supporter.email, Supporter.id)).all())
    for email, name in accepted.items():
        page = desk.get(f"/staff/supporters/{ids[email]}").get_data(as_text=True)
        # Escaped exactly once, the way the templates escape: no raw markup, no &amp;amp;.
        assert str(escape(name)) in page, repr(name)

    export = desk.get("/staff/supporters/export.csv?sort=email")
    assert export.status_code == 200
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))}
    for email, name in accepted.items():
        assert rows[email]["last_name"] == safe_cell(name), repr(name)

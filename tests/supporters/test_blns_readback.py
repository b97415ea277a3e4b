"""Every naughty string typed as a name in a public form reads back unchanged where staff read it:
on the supporter's profile (escaped once, never twice) and in the CSV export.

Every string is stored the way the fundraiser form and its service store it (the form and the
service are tried with every string in test_public_bad_input) and read back in the export; the
sample is typed through HTTP and read back on the profile page too.
"""

import csv
import io

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from crm.exports import safe_cell
from crm.extensions import db
from crm.forms import clean_line
from crm.supporters.attribution import current_visit
from crm.supporters.forms.public import FundraiserInterestForm
from crm.supporters.models import Supporter
from crm.supporters.services.signups import register_fundraiser_interest
from tests.blns import SAMPLE, STRINGS
from tests.helpers import log_in
from tests.supporters.test_public_forms import FUNDRAISER, submit


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, FORM_MIN_SECONDS=0)


def test_names_read_back_on_the_profile_and_in_the_export(app, client, make_user):
    accepted = {}
    with app.test_request_context("/fundraise/learn-more", method="POST"):
        for n, value in enumerate(STRINGS):
            email = f"blns{n}@example.org"
            data = MultiDict({**FUNDRAISER, "email": email, "last_name": value})
            form = FundraiserInterestForm(formdata=data, meta={"csrf": False})
            if form.validate():
                register_fundraiser_interest(current_visit(), **form.arguments())
                accepted[email] = clean_line(value)
        db.session.commit()
    assert len(accepted) > 0.9 * len(STRINGS), "most strings are acceptable names"
    typed = {}
    for n, value in enumerate(SAMPLE):
        email = f"typed{n}@example.org"
        response = submit(client, "/fundraise/learn-more", {**FUNDRAISER, "email": email, "last_name": value})
        assert response.status_code in (302, 400), (response.status_code, value)
        if response.status_code == 302:
            typed[email] = clean_line(value)
    assert len(typed) > len(SAMPLE) / 2  # the sample is the hard cases: blanks, controls, a long one

    staff = make_user(role="staff")
    desk = app.test_client()
    log_in(desk, staff.email, staff.password)
    with app.app_context():
        ids = dict(db.session.execute(db.select(Supporter.email, Supporter.id)).all())
    for email, name in typed.items():
        page = desk.get(f"/staff/supporters/{ids[email]}").get_data(as_text=True)
        # Escaped exactly once, the way the templates escape: no raw markup, no &amp;amp;.
        assert str(escape(name)) in page, repr(name)

    export = desk.get("/staff/supporters/export.csv?sort=email")
    assert export.status_code == 200
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))}
    for email, name in {**accepted, **typed}.items():
        assert rows[email]["last_name"] == safe_cell(name), repr(name)

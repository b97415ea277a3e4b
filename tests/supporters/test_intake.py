"""One record per person, whatever way they type their email."""

import pytest

from crm.extensions import db
from crm.supporters.models import Supporter
from crm.supporters.services.intake import find_or_create_supporter, find_supporter


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_same_person_typed_two_ways_is_one_supporter(ctx):
    first, created, _ = find_or_create_supporter("Ana@Example.org ", first_name="Ana")
    second, created_again, _ = find_or_create_supporter("ana@example.org")
    assert created and not created_again
    assert first.id == second.id
    assert find_supporter(" ANA@EXAMPLE.ORG").id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Supporter)) == 1


def test_unicode_forms_of_one_address_are_one_supporter(ctx):
    composed, _, _ = find_or_create_supporter("Élise@example.org")
    decomposed, created, _ = find_or_create_supporter("E\u0301lise@example.org")
    assert not created and composed.id == decomposed.id


def test_known_values_are_never_overwritten_by_blanks_or_strangers(ctx):
    supporter, _, _ = find_or_create_supporter("bo@example.org", first_name="Bo", phone="")
    again, _, conflicts = find_or_create_supporter("bo@example.org", first_name="", last_name="Berg", phone="555")
    assert again.first_name == "Bo"
    assert (again.last_name, again.phone) == ("Berg", "555")
    assert conflicts == {}
    _, _, conflicts = find_or_create_supporter("bo@example.org", first_name="Robert")
    assert supporter.first_name == "Bo"
    assert conflicts == {"first_name": ["Bo", "Robert"]}


def test_search_keys_follow_the_record(ctx):
    supporter, _, _ = find_or_create_supporter(
        "cote@example.org", first_name="Étienne", last_name="Côté", postal_code="h2x 1y4", phone="+1 (514) 555-0199"
    )
    assert supporter.search_name == "etienne cote"
    assert supporter.postal_key == "H2X1Y4"
    assert supporter.phone_key == "5145550199"

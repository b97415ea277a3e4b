"""Fixtures for the mail tests: an app wired to the SMTP sink, supporters with consent."""

from datetime import timedelta

import pytest

from crm.extensions import db
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.wording import consent_wording
from crm.utc import utcnow


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(
        BASE_URL="https://crm.example",
        MAIL_RATE_PER_MINUTE=0,
        MAIL_DEFAULT_SENDER="Demo Charity <hello@charity.example>",
        CHARITY_ADDRESS="123 Main St, Winnipeg MB R3C 0A1",
        CHARITY_REGISTRATION_NUMBER="123456789RR0001",
    )


@pytest.fixture
def ctx(app):
    with app.test_request_context("/", base_url="https://crm.example"):
        yield
        db.session.rollback()


@pytest.fixture
def subscriber(ctx):
    """A supporter with express consent for the newsletter, given a day ago."""

    def factory(email="sub@example.org", first_name="Sam", language="en", purpose="newsletter"):
        supporter, _, _ = find_or_create_supporter(email, first_name=first_name, language=language)
        text, version = consent_wording(purpose, language)
        grant_consent(
            supporter, purpose, "express", wording=text, wording_version=version, form="test",
            now=utcnow() - timedelta(days=1),
        )  # fmt: skip
        db.session.commit()
        return supporter

    return factory

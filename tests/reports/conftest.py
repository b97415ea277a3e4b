"""The report tests work inside an app context, on the test database of the engine under test."""

import pytest


@pytest.fixture
def ctx(app):
    """The test app's context, for the loaders' queries."""
    with app.app_context():
        yield app

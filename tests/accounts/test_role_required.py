"""role_required lets in only the roles it names."""

import pytest

from crm.accounts.access import role_required
from tests.helpers import log_in


@pytest.fixture
def admin_only_app(make_app):
    app = make_app()

    @app.get("/admin-only")
    @role_required("admin")
    def admin_only():
        return "secret admin page"

    return app


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("staff", 403), ("marketing", 403), ("fundraiser", 403)])
def test_role_required_admin(admin_only_app, make_user, role, status):
    user = make_user(role=role)
    client = admin_only_app.test_client()
    log_in(client, user.email, user.password)
    assert client.get("/admin-only").status_code == status


def test_role_required_anonymous_goes_to_login(admin_only_app):
    response = admin_only_app.test_client().get("/admin-only")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Fadmin-only"

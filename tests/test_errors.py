"""Error pages are friendly, in English and French, with the right status."""

import pytest
from werkzeug.exceptions import abort


@pytest.fixture
def failing_app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/fail/<int:code>")
    def fail(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    return app


ENGLISH = {
    400: "Bad request",
    403: "Access denied",
    404: "Page not found",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
FRENCH = {
    400: "Demande invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    413: "Trop volumineux",
    429: "Trop de tentatives",
    500: "Une erreur est survenue",
}


@pytest.mark.parametrize("code", sorted(ENGLISH))
@pytest.mark.parametrize(("language", "accept", "titles"), [("en", "en", ENGLISH), ("fr", "fr-CA,fr;q=0.9", FRENCH)])
def test_error_page_in_each_language(failing_app, code, language, accept, titles):
    response = failing_app.test_client().get(f"/fail/{code}", headers={"Accept-Language": accept})
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert f"<h1>{titles[code]}</h1>" in html
    assert f'lang="{language}"' in html
    assert "Traceback" not in html and "boom" not in html


def test_a_user_error_that_escapes_a_view_is_its_message_and_a_4xx_with_nothing_saved(make_app):
    """Every feature's errors share one base (crm.errors.UserError), turned into a page in one place."""
    from flask_babel import lazy_gettext as _l

    from crm.accounts.services import AccountError
    from crm.catalog.services import CatalogError
    from crm.errors import UserError
    from crm.extensions import db
    from crm.mail.services.outbox import MailError
    from crm.payments.services import DonationError
    from crm.supporters.models import Supporter
    from crm.supporters.services import SupporterError

    for error_class in (SupporterError, DonationError, CatalogError, AccountError, MailError):
        assert issubclass(error_class, UserError)

    class Gone(SupporterError):
        status = 409

    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/refused")
    def refused():
        db.session.add(Supporter(email="half-done@example.org"))
        db.session.flush()
        raise Gone(_l("Bad request"))

    client = app.test_client()
    response = client.get("/refused", headers={"Accept-Language": "fr"})
    assert response.status_code == 409
    assert "Demande invalide" in response.get_data(as_text=True)  # the message, in the visitor's language
    with app.app_context():
        assert db.session.scalar(db.select(Supporter).filter_by(email="half-done@example.org")) is None

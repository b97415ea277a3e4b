"""The application factory."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from crm.config import ROOT, Config, load_dotenv_file
from crm.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config=None):
    """Build the application; `config` (a Config) replaces the environment's settings."""
    load_dotenv_file()
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    if config is None:
        # Production unless FLASK_DEBUG is on; testing always passes its own config.
        config = Config(production=not app.debug, instance_path=app.instance_path)
    app.config.from_mapping(config.as_dict())
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_templates(app)
    register_commands(app)
    register_followups(app)
    return app


def register_extensions(app):
    from crm.i18n import select_locale
    from crm.security import limit_form_size

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    app.before_request(limit_form_size)  # before CSRFProtect reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    import crm.accounts.models
    import crm.audit
    import crm.catalog.models
    import crm.fundraising.models
    import crm.mail.models
    import crm.payments.models
    import crm.sqlite
    import crm.supporters.models  # noqa: F401

    register_personal_data()


def register_personal_data():
    """Load each feature's entries in the personal-data registry (crm.personal)."""
    # In this order on the privacy pages: the person, then each feature above supporters.
    import crm.supporters.personal  # noqa: I001
    import crm.payments.personal
    import crm.catalog.personal
    import crm.fundraising.personal
    import crm.mail.personal
    import crm.accounts.personal  # noqa: F401


def register_blueprints(app):
    from crm.accounts.views import bp as accounts_bp
    from crm.admin.views import bp as admin_bp
    from crm.catalog.views import bp as catalog_bp
    from crm.fundraising.views import bp as fundraising_bp
    from crm.i18n import bp as i18n_bp
    from crm.mail.views import bp as mail_bp
    from crm.pages.views import bp as pages_bp
    from crm.payments.views import bp as payments_bp
    from crm.supporters.views import bp as supporters_bp

    for blueprint in (
        pages_bp,
        i18n_bp,
        accounts_bp,
        admin_bp,
        supporters_bp,
        mail_bp,
        payments_bp,
        catalog_bp,
        fundraising_bp,
    ):
        app.register_blueprint(blueprint)


def register_security(app):
    from crm.security import SessionInterface, ensure_session_id, set_security_headers

    app.session_interface = SessionInterface()
    app.after_request(ensure_session_id)
    app.after_request(set_security_headers)


def register_errors(app):
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    from crm.errors import UserError, handle_csrf_error, handle_http_error, handle_user_error

    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(UserError, handle_user_error)
    app.register_error_handler(500, handle_http_error)


def register_templates(app):
    from crm.i18n import money_filter, template_globals

    app.add_template_filter(money_filter, "money")
    app.context_processor(template_globals)


def register_commands(app):
    from crm import backups  # noqa: F401  (adds `flask db backup` and `flask db restore`)
    from crm.accounts.commands import users_cli
    from crm.demo import demo_cli
    from crm.mail.commands import mail_cli
    from crm.payments.commands import donations_cli, payments_cli
    from crm.reports.commands import reports_cli
    from crm.supporters.commands import supporters_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(donations_cli)
    app.cli.add_command(supporters_cli)
    app.cli.add_command(reports_cli)


def register_followups(app):
    from crm.catalog import receivers as catalog_receivers
    from crm.catalog import refunds as catalog_refunds
    from crm.fundraising import notifications as fundraising_notifications
    from crm.fundraising import panels as fundraising_panels
    from crm.fundraising import receivers as fundraising_receivers
    from crm.fundraising.services import page_cache
    from crm.mail import followups
    from crm.payments import panels

    followups.connect()
    fundraising_notifications.connect()
    panels.connect()
    fundraising_panels.connect()
    catalog_refunds.connect()
    catalog_receivers.connect()
    fundraising_receivers.connect()
    page_cache.connect()

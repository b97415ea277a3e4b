"""Migrations build the schema the models describe, and can be undone."""

from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from crm import create_app
from crm.config import TestConfig
from crm.extensions import db


def test_models_and_migrations_agree(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade()
        check()  # exits non-zero (failing this test) if autogenerate would write anything
        assert {"users", "supporters", "alembic_version"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_upgrade_again(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()

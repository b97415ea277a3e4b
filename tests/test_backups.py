"""`flask db backup` and `flask db restore`: a round trip gives back every row of every table."""

from sqlalchemy import text

from crm.demo import seed_demo
from crm.extensions import db


def _every_table(app):
    """{table: sorted rows as text} for every table the models and migrations know."""
    with app.app_context():
        names = [table.name for table in db.metadata.sorted_tables] + ["alembic_version"]
        with db.engine.connect() as conn:
            return {name: sorted(map(repr, conn.execute(text(f"SELECT * FROM {name}")).all())) for name in names}


def test_a_backup_restores_every_row_of_every_table(app, runner, tmp_path):
    with app.app_context():
        seed_demo()
        db.session.commit()
    before = _every_table(app)
    assert sum(1 for rows in before.values() if rows) >= 15, "the demo data fills most tables"
    backup = tmp_path / "crm.backup"
    result = runner.invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0

    with app.app_context():  # a mistake after the backup
        db.session.execute(text("UPDATE users SET email = 'changed@example.org' WHERE id = 1"))
        db.session.commit()
    assert _every_table(app) != before

    result = runner.invoke(args=["db", "restore", str(backup)], input="y\n")
    assert result.exit_code == 0, result.output
    assert _every_table(app) == before
    with app.app_context():  # and the app works on it
        assert db.session.execute(text("SELECT count(*) FROM supporters")).scalar() == len(before["supporters"])


def test_restore_asks_first_and_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = runner.invoke(args=["db", "restore", str(junk)], input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
    result = runner.invoke(args=["db", "restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "not" in result.output and "Traceback" not in result.output
    assert runner.invoke(args=["db", "restore", "--yes", str(tmp_path / "missing")]).exit_code != 0

"""`flask demo seed`: demo accounts and supporters for a development machine."""

import unicodedata

import click
from flask import current_app
from flask.cli import AppGroup

from crm.accounts.models import User
from crm.accounts.services import create_user
from crm.extensions import db
from crm.supporters.models import Supporter

demo_cli = AppGroup("demo", help="Demo data for development.")

# Development-only passwords, printed by the command; the command refuses to run in production.
DEMO_ACCOUNTS = [
    ("admin@demo.example", "admin", "demo-admin-password"),
    ("staff@demo.example", "staff", "demo-staff-password"),
    ("marketing@demo.example", "marketing", "demo-marketing-password"),
    ("fundraiser@demo.example", "fundraiser", "demo-fundraiser-password"),
]

DEMO_SUPPORTERS = [
    ("Amélie", "Tremblay", "fr", "newsletter"),
    ("Jordan", "Smith", "en", "polar-dip-2026"),
    ("Priya", "Patel", "en", "gift-catalog"),
    ("Mathieu", "Gagnon", "fr", "facebook"),
    ("Chloé", "Roy", "fr", "newsletter"),
    ("Liam", "O'Connor", "en", "birthday"),
    ("Sofia", "Nguyen", "en", "media"),
    ("Étienne", "Côté", "fr", "gift-catalog"),
    ("Olivia", "Brown", "en", "run-for-kids"),
    ("Noah", "Wilson", "en", "newsletter"),
    ("Léa", "Bouchard", "fr", "in-memory"),
    ("Ava", "Martin", "en", "events"),
]


def _ascii(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch not in "' ")


def seed_demo():
    """Add the demo accounts and supporters; return False if they are already there."""
    if db.session.scalar(db.select(User).filter_by(email=DEMO_ACCOUNTS[0][0])) is not None:
        return False
    for email, role, password in DEMO_ACCOUNTS:
        create_user(email, password, role=role)
    for first, last, language, source in DEMO_SUPPORTERS:
        email = _ascii(f"{first}.{last}@demo.example")
        db.session.add(Supporter(email=email, first_name=first, last_name=last, language=language, source=source))
    db.session.flush()
    return True


@demo_cli.command("seed")
def seed():
    """Create demo staff accounts (one per role) and demo supporters, once."""
    if not current_app.debug and not current_app.testing:
        raise click.ClickException("Demo data is for development only (set FLASK_DEBUG=1).")
    if seed_demo():
        db.session.commit()
        click.echo("Demo data created. Development logins:")
    else:
        click.echo("Demo data is already there. Development logins:")
    for email, role, password in DEMO_ACCOUNTS:
        click.echo(f"  {role:<11} {email:<26} {password}")

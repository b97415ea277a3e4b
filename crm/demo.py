"""`flask demo seed`: demo accounts and supporters for a development machine."""

import unicodedata
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from crm.accounts.models import User
from crm.accounts.services import create_user
from crm.catalog.demo import seed_demo_catalog
from crm.extensions import db
from crm.fundraising.demo import seed_demo_fundraising
from crm.payments.services.offline import OfflineGift, record_offline_gift
from crm.payments.services.receipts import local_date
from crm.supporters.models import Inquiry, Signup, Tag
from crm.supporters.services.consent import grant_consent, record_implied_consent, withdraw_consent
from crm.supporters.services.intake import add_activity, find_or_create_supporter
from crm.supporters.wording import consent_wording
from crm.utc import utcnow

demo_cli = AppGroup("demo", help="Demo data for development.")

# Development-only passwords, printed by the command; the command refuses to run in production.
DEMO_ACCOUNTS = [
    ("admin@demo.example", "admin", "demo-admin-password"),
    ("staff@demo.example", "staff", "demo-staff-password"),
    ("marketing@demo.example", "marketing", "demo-marketing-password"),
    ("fundraiser@demo.example", "fundraiser", "demo-fundraiser-password"),
]

# supporter index -> (amount in cents, method) of a demo gift
DEMO_GIFTS = {1: (5000, "cheque"), 2: (2500, "cash"), 4: (10000, "cheque"), 7: (25000, "cheque"), 10: (4000, "cash")}

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


def seed_demo(now=None):
    """Add the demo accounts and supporters; return False if they are already there."""
    if db.session.scalar(db.select(User).filter_by(email=DEMO_ACCOUNTS[0][0])) is not None:
        return False
    admin = None
    for email, role, password in DEMO_ACCOUNTS:
        user = create_user(email, password, role=role)
        admin = admin or user
    now = now or utcnow()
    volunteers = Tag(name="volunteer")
    for n, (first, last, language, source) in enumerate(DEMO_SUPPORTERS):
        joined = now - timedelta(days=3 * (len(DEMO_SUPPORTERS) - n))
        supporter, _, _ = find_or_create_supporter(
            _ascii(f"{first}.{last}@demo.example"),
            source=source,
            now=joined,
            first_name=first,
            last_name=last,
            language=language,
            city="Montréal" if language == "fr" else "Winnipeg",
            region="QC" if language == "fr" else "MB",
        )
        _demo_history(supporter, n, joined, volunteers)
        if n in DEMO_GIFTS:
            _demo_gift(supporter, n, joined, admin, now)
    seed_demo_catalog(current_app.config["MEDIA_ROOT"], admin, now)
    seed_demo_fundraising(current_app.config["MEDIA_ROOT"], admin, now)
    db.session.flush()
    return True


def _demo_gift(supporter, n, joined, admin, now):
    """Record a cheque or cash gift the way staff would, so the gift screens and receipts have data."""
    amount_cents, method = DEMO_GIFTS[n]
    received = min(joined + timedelta(days=1), now)
    donor = {name: getattr(supporter, name) for name in ("first_name", "last_name", "city", "region", "language")}
    postal_code = "R3C 0A1" if supporter.region == "MB" else "H2X 1Y4"
    donor.update(address_line1=f"{10 + n} Demo Street", postal_code=postal_code)
    gift = OfflineGift(
        email=supporter.email,
        amount_cents=amount_cents,
        received_on=local_date(received),  # the charity's calendar day, not UTC's
        method=method,
        reference=f"{1000 + n}" if method == "cheque" else "",
        donor=donor,
    )
    record_offline_gift(gift, admin, current_app.config["CURRENCY"], now=received)


def _demo_history(supporter, n, joined, volunteers):
    """Give a demo supporter a plausible history: a signup, consent, an inquiry or a tag."""
    language = supporter.language
    if n % 3 == 0:
        text, version = consent_wording("newsletter", language)
        db.session.add(
            Signup(
                supporter_id=supporter.id,
                form="newsletter",
                language=language,
                source=supporter.source,
                created_at=joined,
            )
        )
        grant_consent(
            supporter,
            "newsletter",
            "express",
            wording=text,
            wording_version=version,
            form="newsletter",
            language=language,
            ip_address="192.0.2.10",
            now=joined,
        )
        add_activity(supporter, "signup", "newsletter", now=joined)
    elif n % 3 == 1:
        db.session.add(
            Signup(
                supporter_id=supporter.id,
                form="fundraiser_interest",
                language=language,
                event_kind="polar_dip",
                source=supporter.source,
                created_at=joined,
            )
        )
        grant_consent(supporter, "fundraiser_tips", "implied_inquiry", form="fundraiser_interest", now=joined)
        add_activity(supporter, "signup", "fundraiser_interest", now=joined)
    else:
        kind = "media" if n % 2 else "events"
        db.session.add(
            Inquiry(
                supporter_id=supporter.id,
                kind=kind,
                name=supporter.display_name,
                email=supporter.email,
                topic="Interview request" if kind == "media" else "Help with my event",
                message="Could we talk this week?",
                language=language,
                created_at=joined,
            )
        )
        add_activity(supporter, "inquiry", kind, now=joined)
    if n % 4 == 0:
        record_implied_consent(supporter, "implied_gift", given_at=joined, reference="demo")
        supporter.tags.append(volunteers)
    if n == 5:
        withdraw_consent(supporter, "all", form="preference_centre", now=joined + timedelta(days=1))


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

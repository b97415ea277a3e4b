"""`flask users ...`: manage accounts from the command line."""

import sys

import click
from flask.cli import AppGroup

from crm.accounts.models import ROLES, User
from crm.accounts.services import AccountError, create_user, find_user, set_role
from crm.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="fundraiser", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create(email, role, password_stdin):
    """Create an account with EMAIL and ROLE; the password is prompted for."""
    try:
        user = create_user(email, _read_password(password_stdin), role=role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(email, role):
    """Give the account with EMAIL a new ROLE (its sessions end)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email}.")
    set_role(user, role)
    db.session.commit()
    click.echo(f"{user.email} is now {role}.")


@users_cli.command("list")
@click.option("--role", type=click.Choice(ROLES), help="Only accounts with this role.")
def list_users(role):
    """List accounts: email, role, active, last login."""
    query = db.select(User).order_by(User.role, User.email)
    if role:
        query = query.filter_by(role=role)
    for user in db.session.scalars(query):
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        state = "active" if user.active else "disabled"
        click.echo(f"{user.email}\t{user.role}\t{state}\tlast login {last}")

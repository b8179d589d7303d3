"""Flask CLI commands: database set-up and checks, account administration, and the
speech engine's tools (`tts`, from `tts/commands.py`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from . import dbcheck
from .auth.routes import find_by_email
from .extensions import db
from .models import User

users_cli = AppGroup("users", help="Administer accounts.")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the schema (adopting a database the old init_db() made)."""
    report = dbcheck.diagnose()
    if report.failure and not report.failure.fixed_by_upgrade:
        raise click.ClickException(report.failure.explain())
    upgrade()
    after = dbcheck.diagnose()
    if after.failure:
        raise click.ClickException(after.failure.explain())
    click.echo(f"Database ready at revision {after.current} ({after.url}).")


@click.command("check-db")
@with_appcontext
def check_db_command() -> None:
    """Connect, say whether the schema is current, and explain any failure."""
    report = dbcheck.diagnose()
    click.echo(f"Database: {report.url}")
    if report.failure:
        click.echo(report.failure.explain(), err=True)
        raise SystemExit(1)
    click.echo(f"Connected; schema is current (revision {report.current}); {report.users} users.")


def _user(email: str) -> User:
    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with email {email!r}.")
    return user


@users_cli.command("list")
def list_users() -> None:
    """List accounts: id, email, active, credits."""
    for user in db.session.scalars(db.select(User).order_by(User.id)):
        credits = "unlimited" if user.credits is None else user.credits
        state = "active" if user.is_active is not False else "inactive"
        click.echo(f"{user.id}\t{user.email}\t{state}\t{credits}")


@users_cli.command("credits")
@click.argument("email")
@click.argument("amount")
def set_credits(email: str, amount: str) -> None:
    """Set an account's credits: a whole number, or 'unlimited'."""
    user = _user(email)
    if amount.lower() == "unlimited":
        user.credits = None
    else:
        try:
            user.credits = max(0, int(amount))
        except ValueError as exc:
            raise click.ClickException("AMOUNT must be a whole number or 'unlimited'.") from exc
    db.session.commit()
    click.echo(f"{user.email}: credits {amount}")


@users_cli.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Let an account log in again."""
    _user(email).is_active = True
    db.session.commit()
    click.echo(f"{email}: active")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop an account from logging in; its tokens are refused at once."""
    _user(email).is_active = False
    db.session.commit()
    click.echo(f"{email}: inactive")


def register_cli(app: Flask) -> None:
    from .tts.commands import tts_cli

    app.cli.add_command(init_db_command)
    app.cli.add_command(check_db_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(tts_cli)


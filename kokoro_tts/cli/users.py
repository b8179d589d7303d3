"""`flask users …`: list accounts, set credits, (de)activate, promote to operator and demote.

Credit changes and promotions are recorded in the audit log, their actor "cli"."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import User
from ..services import audit, ledger, operators
from ..services.accounts import find_by_email

CLI = audit.Actor(audit.CLI)

users_cli = AppGroup("users", help="Administer accounts.")


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
        click.echo(f"{user.id}\t{user.email}\t{state}\t{credits}" + ("\toperator" if user.is_admin else ""))


@users_cli.command("credits")
@click.argument("email")
@click.argument("amount")
@click.option("--reason", default=None, help="Kept in the audit log.")
def set_credits(email: str, amount: str, reason: str | None) -> None:
    """Set an account's credits: a whole number, or 'unlimited'."""
    user = _user(email)
    credits: int | None = None
    if amount.lower() != "unlimited":
        try:
            credits = max(0, int(amount))
        except ValueError as exc:
            raise click.ClickException("AMOUNT must be a whole number or 'unlimited'.") from exc
    ledger.set_balance(user.id, credits, CLI, reason)
    click.echo(f"{user.email}: credits {ledger.balance_text(credits)}")


def _set_active(email: str, active: bool) -> None:
    user = _user(email)
    before = user.is_active is not False
    user.is_active = active
    audit.record(CLI, "activated" if active else "deactivated", user, {"is_active": before}, {"is_active": active})
    db.session.commit()
    click.echo(f"{email}: {'active' if active else 'inactive'}")


@users_cli.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Let an account log in again."""
    _set_active(email, True)


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop an account from logging in; its tokens are refused at once."""
    _set_active(email, False)


@users_cli.command("promote")
@click.argument("email")
def promote(email: str) -> None:
    """Make an account an operator (the admin API and the Administration screen)."""
    done = operators.promote(_user(email), CLI)
    click.echo(f"{email}: operator" + ("" if done else " already"))


@users_cli.command("demote")
@click.argument("email")
def demote(email: str) -> None:
    """An operator goes back to an ordinary account (its admin keys grant nothing more)."""
    done = operators.demote(_user(email), CLI)
    click.echo(f"{email}: not an operator" + ("" if done else " (it was not one)"))

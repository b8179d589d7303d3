"""`flask init-db` and `flask check-db`: migrate (adopting an init_db()-era database) and diagnose."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .. import dbcheck
from ..services import ledger


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


@click.command("settle-pending")
@click.option("--older-than", type=float, default=None,
              help="Seconds (default: PENDING_GENERATION_TIMEOUT).")
@with_appcontext
def settle_pending_command(older_than: float | None) -> None:
    """Settle generations left pending (a killed worker, a database outage): kept if their
    audio is stored, refunded otherwise. Requests do this by themselves; this is for cron."""
    timeout = older_than if older_than is not None else current_app.config["PENDING_GENERATION_TIMEOUT"]
    total = 0
    while settled := ledger.sweep(timeout):
        total += settled
    click.echo(f"{total} pending generations settled.")

"""`flask audio …`: the store of generated audio."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from ..services import audio_store
from ..services.audio_migration import migrate
from ..storage import BadStorageUrl, open_store

audio_cli = AppGroup("audio", help="The store of generated audio (AUDIO_STORAGE_URL).")


@audio_cli.command("migrate")
@click.option("--to", "url", required=True, help="The new store: file:///path or s3://bucket/prefix.")
@click.option("--verbose", "-v", is_flag=True, help="One line per object.")
def migrate_command(url: str, verbose: bool) -> None:
    """Copy every item's audio to another store, each object verified; changes nothing here.

    Resumable: run it again and objects already copied are skipped. Then set AUDIO_STORAGE_URL.
    """
    try:
        target = open_store(url)
    except BadStorageUrl as exc:
        raise click.ClickException(str(exc)) from exc
    source = audio_store.store()
    if source.url == target.url:
        raise click.ClickException(f"{url} is the store in use already")
    click.echo(f"from {source.url} to {target.url}")
    report = migrate(target, (lambda key, what: click.echo(f"{key}: {what}")) if verbose else (lambda k, w: None))
    click.echo(f"{report.copied} copied, {report.already} already there, {report.missing} missing at the source, "
               f"{len(report.failed)} failed")
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} objects could not be copied (run again to retry): "
                                   + ", ".join(report.failed[:10]))


@audio_cli.command("sweep")
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), default=3600.0, show_default=True,
              help="Seconds an object must have existed (a writer may be about to record a newer one).")
def sweep_command(older_than: float) -> None:
    """Remove the audio no row points at (job workers do it every AUDIO_SWEEP_INTERVAL)."""
    removed = audio_store.sweep_orphans(timedelta(seconds=older_than))
    click.echo(f"{removed} objects with no row removed")

"""Flask CLI commands: database set-up and checks (`database.py`), account administration
(`users.py`), the speech engine's tools (`speech.py`), the audio store (`audio.py`) and the
worker of long-form jobs (`jobs.py`)."""

from __future__ import annotations

from flask import Flask

from .audio import audio_cli
from .database import check_db_command, init_db_command, settle_pending_command
from .jobs import jobs_cli
from .speech import tts_cli
from .users import users_cli


def register_cli(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(check_db_command)
    app.cli.add_command(settle_pending_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(tts_cli)
    app.cli.add_command(audio_cli)
    app.cli.add_command(jobs_cli)

"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from kokoro_tts import create_app

app = create_app()

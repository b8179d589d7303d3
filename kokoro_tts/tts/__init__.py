"""Speech over HTTP: voices and favourites, generation, history (routes over the services)."""

from ..rest import Blueprint

bp = Blueprint("tts", __name__, url_prefix="/api/tts", description="Text to speech")

from . import captions, generate, history, jobs, pronunciations, voices  # noqa: E402,F401  (they attach themselves to bp)

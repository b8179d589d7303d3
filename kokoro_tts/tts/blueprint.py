"""The tts blueprint: voices and favourites, generation, history."""

from ..rest import Blueprint

bp = Blueprint("tts", __name__, url_prefix="/api/tts", description="Text to speech")

from . import generate_api, history_api, voices_api  # noqa: E402,F401  (they attach to bp)

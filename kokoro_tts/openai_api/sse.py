"""`stream_format: "sse"`: the audio as OpenAI's server-sent events.

Each piece of encoded audio is a `speech.audio.delta` event (base64); the last event is
`speech.audio.done` with the usage: `input_tokens` are the characters charged, `output_tokens`
the length of the audio in the model's 25 ms frames (40 per second, pauses included).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from flask import Response

from ..rest import bounded_stream
from ..services.generation import Audio

FRAMES_PER_SECOND = 40


def _event(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()


def events(audio: Audio) -> Iterator[bytes]:
    assert not isinstance(audio.body, bytes)
    body = audio.body
    try:
        for data in body:
            if not data:  # waiting in line for real-time capacity: a comment, which SSE parsers skip
                place = audio.headers.get("X-Queue-Position", "")
                yield f": waiting in line, place {place}\n\n".encode()
                continue
            yield _event({"type": "speech.audio.delta", "audio": base64.b64encode(data).decode("ascii")})
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()  # a client gone: synthesis stops, the unspoken part is refunded
    characters = int(audio.headers.get("X-Characters-Charged", 0))
    frames = round(audio.seconds() * FRAMES_PER_SECOND)
    usage = {"input_tokens": characters, "output_tokens": frames, "total_tokens": characters + frames}
    yield _event({"type": "speech.audio.done", "usage": usage})


def sse_response(audio: Audio) -> Response:
    headers = {k: v for k, v in audio.headers.items() if k != "Content-Disposition"}
    headers["Cache-Control"] = "no-store"
    return Response(bounded_stream(events(audio)), mimetype="text/event-stream", headers=headers)


#: One event as an SSE parser reads it: its `data` is the JSON of the event.
SSE_DOC: dict[str, Any] = {
    "responses": {200: {"content": {"text/event-stream": {"schema": {
        "type": "object",
        "description": "Each event's `data` is JSON: `{\"type\": \"speech.audio.delta\", \"audio\": base64}` "
                       "as the audio is made, then `{\"type\": \"speech.audio.done\", \"usage\": "
                       "{\"input_tokens\", \"output_tokens\", \"total_tokens\"}}`.",
        "properties": {
            "event": {"type": "string"},
            "data": {"type": "string", "description": "JSON"},
        },
        "required": ["data"],
    }}}}},
}

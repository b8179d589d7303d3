"""`/v1/text-to-speech/{voice_id}/stream-input`: ElevenLabs' WebSocket for text streamed in while
audio and its timing stream out (voice agents speaking an LLM's reply as it is written).

flask-sock (on simple-websocket) runs it under the project's gunicorn gthread workers and under
Werkzeug's server alike, one thread per socket, with no other event loop; the key is checked
before the handshake (`admit`), so a wrong one is an HTTP 401, never an open socket. Each piece of
text ready to speak (`input_text`) is one streamed generation: charged when it is accepted for
speech, settled when it is spoken (the unspoken part refunded if the client leaves), admitted
and paced like any stream, so the socket counts as one stream while it speaks. Messages are
read in a thread of their own, so that text keeps arriving while a piece is spoken; what arrived
meanwhile is then spoken as one piece (a lone sentence still starts as soon as it ends).
"""

from __future__ import annotations

import base64
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed, Server

from ..context import get_engine
from ..engine import EngineError
from ..engine.audio import silence
from ..engine.chunking import PAUSES
from ..engine.errors import Message
from ..models import User
from ..security import XI_API_KEY, caller
from ..services import api_keys
from ..services.errors import ServiceError
from ..services.generation import Audio, Order, generate
from ..translate import N_, say
from .alignment import Aligner
from .formats import OutputFormat, convert, parse
from .input_text import DEFAULT_SCHEDULE, TextBuffer
from .schemas import MODELS

ws_bp = Blueprint("elevenlabs_socket", __name__, url_prefix="/v1")
sock = Sock()
#: ElevenLabs' default and longest wait for text, in seconds: then the socket is closed.
IDLE_SECONDS, MAX_IDLE_SECONDS = 20.0, 180.0
#: The longest a socket opened without a key waits for the first message, which must carry it.
KEY_SECONDS = 10.0
_IDLE, _GONE = object(), object()


class _OpenSockets:
    """Sockets open in this process. Each holds a worker thread for as long as it is open (up to
    MAX_IDLE_SECONDS between messages), so a client opening many would take the threads every other
    request needs: beyond STREAM_INPUT_SOCKETS, a new one is refused before the upgrade."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    def enter(self, limit: int) -> None:
        with self.lock:
            if self.count >= limit:
                raise ServiceError("busy", Message("{limit} sockets are open on this server process: try again "
                                                   "in a moment.", limit=limit))
            self.count += 1

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


_open = _OpenSockets()


@ws_bp.before_request
def admit() -> None:
    """Before the handshake: the output format, the model and a key given in the headers are checked,
    and a refusal is an HTTP answer in ElevenLabs' shape. The page's session cookie is accepted
    from the page's own origin."""
    g.output_format = parse(request.args.get("output_format"))
    model = request.args.get("model_id")
    if model is not None and model not in MODELS:
        raise ServiceError("model_not_found", Message("Unknown model {model!r}; use one of {models}.",
                                                    model=model, models=", ".join(MODELS)))
    if XI_API_KEY in request.headers or request.authorization is not None:
        caller()
    elif request.cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"]):
        _same_origin()  # the page's session cookie: only from the page's own origin
        caller()
    _open.enter(current_app.config["STREAM_INPUT_SOCKETS"])
    g.socket_counted = True


@ws_bp.teardown_request
def _leave(_exc: BaseException | None) -> None:
    """The socket has ended (or its upgrade failed): its place is free."""
    if g.pop("socket_counted", False):
        _open.leave()


def _same_origin() -> None:
    """A socket opened with the session cookie must come from this site's own page: a browser
    sends the cookie whatever page opens the socket, and a WebSocket has no CSRF header."""
    origin = request.headers.get("Origin", "")
    if urlsplit(origin).netloc != request.host:
        raise ServiceError("forbidden", Message("A socket with the session cookie is opened by this site's page "
                                                "only (Origin {origin!r}).", origin=origin))


@sock.route("/text-to-speech/<voice_id>/stream-input", bp=ws_bp)
def stream_input(ws: Server, voice_id: str) -> None:
    try:
        _Session(ws, voice_id, g.output_format, g.get("caller")).run()
    finally:
        _hang_up(ws)


def _hang_up(ws: Server) -> None:
    """Under Werkzeug's server (not gunicorn), flask-sock lets the route's empty HTTP answer be
    written after the socket has ended, which a browser reads as a broken frame ("Invalid frame
    header"): once the socket is closed, the connection's sending side is shut instead, so that
    answer is dropped unsent (a dropped connection, to Werkzeug)."""
    raw = request.environ.get("werkzeug.socket")
    if ws.mode != "werkzeug" or raw is None:
        return
    try:
        ws.close()
    except ConnectionClosed:
        pass
    try:
        raw.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _idle_seconds() -> float:
    try:
        return min(max(float(request.args.get("inactivity_timeout", IDLE_SECONDS)), 1.0), MAX_IDLE_SECONDS)
    except ValueError:
        return IDLE_SECONDS


class _Session:
    def __init__(self, ws: Server, voice_id: str, out: OutputFormat, user: User | None) -> None:
        self.ws, self.voice_id, self.out, self.user = ws, voice_id, out, user
        self.idle = _idle_seconds()
        self.lang = request.args.get("language_code")
        self.buffer = TextBuffer(DEFAULT_SCHEDULE)
        self.speed: float | None = None
        self.clock = 0.0  # seconds of audio sent before the piece being spoken
        self.previous = ""  # the piece spoken before
        self.events: queue.Queue[object] = queue.Queue()
        self.speaking = threading.Event()
        self.ended = False  # the empty text that ends the input has come
        self.first_sent: float | None = None  # when the first audio was sent (monotonic)

    def run(self) -> None:
        threading.Thread(target=self._read, name="stream-input", daemon=True).start()
        while self._batch(self._next_events()):
            pass

    def _next_events(self) -> list[object]:
        """The next message and every one already waiting behind it."""
        events = [self.events.get()]
        while True:
            try:
                events.append(self.events.get_nowait())
            except queue.Empty:
                return events

    def _batch(self, events: list[object]) -> bool:
        """Messages that came while the last piece was spoken, taken together: what is ready among
        them is spoken as one piece, not one piece per sentence, since each piece pays a first-chunk
        latency of its own and a player fed an LLM's reply would stall between them. False when
        the socket is done."""
        flush = False
        for event in events:
            if event is _GONE:
                return False
            if event is _IDLE:
                return self._refuse("input_timeout", say(Message("No text for {seconds} s: the socket is closed.",
                                                                 seconds=self.idle)))
            accepted = self._accept(str(event))
            if accepted is None:
                return False
            flush = flush or accepted
            if self.ended:
                break
        try:
            ready = self.buffer.take(flush=flush)
            if ready:
                self._speak(ready)
        except (ServiceError, EngineError) as exc:
            return self._refuse(exc.code, say(exc.message))
        if self.ended:
            self.ws.send(json.dumps({"isFinal": True}))
            self.ws.close(1000)
            return False
        return True

    def _read(self) -> None:
        """Messages into the queue; silence past the idle time ends it (not while a piece is spoken),
        and past KEY_SECONDS before the first message of a socket opened without a key."""
        timeout = self.idle if self.user is not None else min(self.idle, KEY_SECONDS)
        while True:
            try:
                data = self.ws.receive(timeout=timeout)
                timeout = self.idle
            except ConnectionClosed:
                self.events.put(_GONE)
                return
            if data is None and not self.speaking.is_set():
                self.events.put(_IDLE)
                return
            if data is not None:
                self.events.put(data)

    def _accept(self, raw: str) -> bool | None:
        """One message's settings and text into the buffer: whether it asks for a flush (its end
        does), None when it was refused and the socket is done."""
        try:
            message = json.loads(raw)
            if not isinstance(message, dict) or not isinstance(message.get("text"), str):
                raise ValueError(raw)
            self._configure(message)
        except (ValueError, TypeError):
            self._refuse("invalid_message", say(N_('Each message is a JSON object with a "text" string.')))
            return None
        except ServiceError as exc:
            self._refuse(exc.code, say(exc.message))
            return None
        self.buffer.add(message["text"])
        self.ended = message["text"] == ""
        return self.ended or bool(message.get("flush"))

    def _configure(self, message: dict[str, Any]) -> None:
        """The key (first message), the speed and the chunk schedule, whenever they come."""
        if self.user is None:
            key = message.get("xi_api_key")
            if not isinstance(key, str) or not key:
                raise ServiceError("invalid_api_key", "Send your API key: the xi-api-key header or xi_api_key.")
            self.user = api_keys.user_for_key(key)
        settings = message.get("voice_settings") or {}
        if isinstance(settings, dict) and settings.get("speed") is not None:
            self.speed = float(settings["speed"])
        schedule = (message.get("generation_config") or {}).get("chunk_length_schedule")
        if isinstance(schedule, list) and schedule and all(isinstance(n, int) and n > 0 for n in schedule):
            self.buffer.schedule = schedule

    def _speak(self, text: str) -> None:
        """One piece: a streamed generation sent as ElevenLabs' audio messages with their alignment,
        paced for a client still hearing the pieces before it."""
        assert self.user is not None
        self.speaking.set()
        try:
            self._pause_before(text)
            order = Order(text=text, voice=self.voice_id, speed=self.speed, lang=self.lang, format=self.out.fmt,
                          stream=True, source="elevenlabs", unheard=self._unheard())
            made = generate(self.user, order)
            assert not isinstance(made.body, bytes)  # a stream
            try:
                self._relay(made, made.body, text)
            finally:
                getattr(made.body, "close", lambda: None)()  # a client gone: the stream settles, unspoken refunded
                self.clock += made.seconds()
        finally:
            self.speaking.clear()

    def _relay(self, made: Audio, body: Iterator[bytes], text: str) -> None:
        aligner, seen = Aligner(text), 0
        for chunk in convert(body, self.out):
            words = made.words_so_far()
            aligner.add(words[seen:])
            seen = len(words)
            if chunk:
                self._send(chunk, aligner.take())
        aligner.finish(made.seconds())
        rest = aligner.take()
        if rest["characters"]:
            self._send(b"", rest)

    def _unheard(self) -> float:
        """Seconds of the audio sent that the client has still to hear, playing it in real time from
        the first."""
        if self.first_sent is None:
            return 0.0
        return max(0.0, self.clock - (time.monotonic() - self.first_sent))

    def _pause_before(self, text: str) -> None:
        """The pause between two pieces (each generation is trimmed of silence at its ends): a
        sentence's, or a paragraph's after a line break, as inside one generation."""
        if self.clock == 0:
            self.previous = text
            return
        seconds = PAUSES["paragraph" if "\n" in self.previous[len(self.previous.rstrip()):] else "sentence"]
        seconds /= self.speed or 1.0
        self.previous = text
        encoded = get_engine().encode(silence(seconds), self.out.fmt)
        self._send(b"".join(convert([encoded], self.out)), Aligner("").take())
        self.clock += seconds

    def _send(self, chunk: bytes, aligned: dict[str, list]) -> None:
        if chunk and self.first_sent is None:
            self.first_sent = time.monotonic()
        starts = aligned["character_start_times_seconds"]
        timing = {
            "chars": aligned["characters"],
            "charStartTimesMs": [round((self.clock + s) * 1000) for s in starts],
            "charsDurationsMs": [round((e - s) * 1000) for s, e in zip(starts, aligned["character_end_times_seconds"],
                                                                        strict=True)],
        }
        self.ws.send(json.dumps({"audio": base64.b64encode(chunk).decode("ascii") or None, "isFinal": None,
                                 "alignment": timing, "normalizedAlignment": timing}))

    def _refuse(self, code: str, message: str) -> bool:
        """ElevenLabs' error message, then the socket closed (1008: policy)."""
        try:
            self.ws.send(json.dumps({"message": message, "error": code, "code": 1008}))
            self.ws.close(1008, message[:120])
        except ConnectionClosed:
            pass
        return False

"""Helpers the tests share (fixtures live in conftest.py): an app with overrides, the `auth`
actions, bearer headers, credits read and set behind the API's back, audio decoding."""

from __future__ import annotations

import email
import io
import re
import socket
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import soundfile as sf
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from kokoro_tts import create_app
from kokoro_tts.extensions import db
from kokoro_tts.models import User

PASSWORD = "correct horse battery"


def make_app(**overrides: Any) -> Flask:
    class Config(TestingConfig):
        pass

    for key, value in overrides.items():
        setattr(Config, key, value)
    return create_app(Config)


class AuthActions:
    """Registers and logs in through the real API."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def register(self, email: str = "ada@example.com", password: str = PASSWORD, **extra: Any):
        return self.client.post(
            "/api/auth/register", json={"email": email, "password": password, **extra}
        )

    def login(self, email: str = "ada@example.com", password: str = PASSWORD):
        return self.client.post("/api/auth/login", json={"email": email, "password": password})

    def token(self, email: str = "ada@example.com", password: str = PASSWORD) -> str:
        response = self.register(email, password)
        assert response.status_code == 201, response.json
        return response.json["access_token"]

    def headers(self, email: str = "ada@example.com", password: str = PASSWORD) -> dict[str, str]:
        return bearer(self.token(email, password))

    def headers_for_login(self, email: str = "ada@example.com", password: str = PASSWORD) -> dict[str, str]:
        """Headers for an account that already exists."""
        return bearer(self.login(email, password).json["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_credits(app: Flask, email: str, credits: int | None) -> None:
    with app.app_context():
        db.session.execute(db.update(User).where(User.email == email).values(credits=credits))
        db.session.commit()


def credits_of(app: Flask, email: str) -> int | None:
    with app.app_context():
        return db.session.scalar(db.select(User.credits).where(User.email == email))


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode any container soundfile reads; streamed FLAC has no total length, so read it raw."""
    with sf.SoundFile(io.BytesIO(data)) as f:
        rate = f.samplerate
        if f.frames < 1 << 40:
            return f.read(dtype="float32"), rate
        out = np.zeros(rate * 600, dtype=np.float32)
        n = sf._snd.sf_readf_float(f._file, sf._ffi.cast("float *", out.ctypes.data), len(out))
        return out[:n], rate


class Inbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def token(self, address: str, purpose: str, base: str = "https://tts.example.org") -> str:
        """The token of the newest `purpose` link sent to `address` (a link to `base`)."""
        for message in reversed(self.to(address)):
            found = re.search(rf"(https?://\S+\?{purpose}=\S+)", message.get_payload(decode=True).decode())
            if found:
                assert found.group(1).startswith(base + "/?")  # PUBLIC_URL, else the request's host
                return parse_qs(urlparse(found.group(1)).query)[purpose][0]
        raise AssertionError(f"no {purpose} link to {address} among {len(self.messages)} messages")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

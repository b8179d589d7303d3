"""A real SMTP server's handler for the tests (aiosmtpd): what it is sent, and the links in it."""

from __future__ import annotations

import asyncio
import email
import re
import time
from email.message import Message
from urllib.parse import parse_qs, urlparse


class Inbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0
        #: Seconds each message takes to be accepted: a distant server is slower than this one.
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def token(self, address: str, purpose: str, base: str = "https://tts.example.org", wait: float = 10) -> str:
        """The token of the newest `purpose` link sent to `address` (a link to `base`, the app's
        PUBLIC_URL), waiting up to `wait` seconds for it: some messages are sent in the background."""
        deadline = time.monotonic() + wait
        while True:
            url = self.link(address, purpose)
            if url or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if url is None:
            raise AssertionError(f"no {purpose} link to {address} among {len(self.messages)} messages")
        assert url.startswith(base + "/?"), url
        return parse_qs(urlparse(url).query)[purpose][0]

    def link(self, address: str, purpose: str) -> str | None:
        """The newest `purpose` link sent to `address`, if any."""
        for message in reversed(self.to(address)):
            found = re.search(rf"(https?://\S+\?{purpose}=\S+)", message.get_payload(decode=True).decode())
            if found:
                return found.group(1)
        return None

"""A real SMTP server's handler for the tests (aiosmtpd): what it is sent, and the links in it."""

from __future__ import annotations

import email
import re
from email.message import Message
from urllib.parse import parse_qs, urlparse


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

"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.web.conftest import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        text = payload.decode() if isinstance(payload, bytes) else str(payload)
        return text.replace("\r\n", "\n")


@dataclass
class Inbox:
    """What the server received, in order."""

    mails: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.mails.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                       email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.mails)


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        controller.stop()

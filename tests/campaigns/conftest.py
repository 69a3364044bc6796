"""A real SMTP server for the campaign tests: aiosmtpd on a free local port, started by the test
that asks for `smtp` and stopped after it. Django's SMTP backend is pointed at it, and
PUBLIC_BASE_URL at the test client's host, so the links in a received message can be followed
with `django.test.Client`. Tests that start their own workers (test_worker.py) pass `smtp.port`
to the workers' environment instead.

    def test_it(smtp):
        ...send...
        message = smtp.messages[0]          # email.message.Message, headers included
        smtp.html(message), smtp.text(message)
"""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """An SMTP handler that keeps what it receives. It can hold its answer to the n-th message
    (`hold_at = n`) until the test sets `release`: the sender then waits, as on a slow server."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.port: int | None = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
            number = len(self.messages)
        if number == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)

    def to(self, address: str) -> list[email.message.Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def part(message: email.message.Message, content_type: str) -> str:
        part = next(p for p in message.walk() if p.get_content_type() == content_type)
        return part.get_payload(decode=True).decode()

    def html(self, message: email.message.Message) -> str:
        return self.part(message, "text/html")

    def text(self, message: email.message.Message) -> str:
        return self.part(message, "text/plain")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.PUBLIC_BASE_URL = "http://testserver"
    yield inbox
    inbox.release.set()
    controller.stop()

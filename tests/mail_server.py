"""A real SMTP server on this machine for the e-mail tests (aiosmtpd), and what it received.

It runs on its own thread and port; `inbox` holds every message it accepted, parsed. It can
require authentication, refuse recipients, or answer DATA with a temporary failure."""

from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "shop", "s3cret-p@ss word"
# Test modules that start the server mark themselves with this: it has no certificate, so
# it takes AUTH without TLS, and aiosmtpd warns about that on every connection.
QUIET = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, kind: str) -> str:
        body = self.message.get_body(preferencelist=(kind,))
        assert body is not None, f"no text/{kind} part"
        return body.get_content()

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    fail_data: int = 0  # how many DATA commands to answer 451 first
    holding: threading.Event = field(default_factory=threading.Event)  # a test's DATA hold
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address: str, options) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.fail_data > 0:
            self.fail_data -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def _authenticator(inbox: Inbox):  # type: ignore[no-untyped-def]
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            ok = data.login.decode() == USER and data.password.decode() == PASSWORD
            if ok:
                inbox.logins.append(data.login.decode())
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    return check


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(*, auth: bool = False) -> Iterator[tuple[Inbox, str]]:
    """A running server and the RETURNS_SMTP_URL that reaches it (with credentials when the
    server requires them; no TLS: the test server has no certificate)."""
    inbox = Inbox()
    port = free_port()
    options: dict[str, Any] = {}
    if auth:
        options = {
            "authenticator": _authenticator(inbox),
            "auth_required": True,
            "auth_require_tls": False,
        }
    with warnings.catch_warnings():  # "AUTH without TLS": the test server has no certificate
        warnings.simplefilter("ignore", UserWarning)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
    try:
        from urllib.parse import quote

        credentials = f"{quote(USER)}:{quote(PASSWORD, safe='')}@" if auth else ""
        yield inbox, f"smtp://{credentials}127.0.0.1:{port}?starttls=false&timeout=5"
    finally:
        controller.stop()

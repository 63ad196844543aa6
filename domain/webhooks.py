"""Webhooks: where a merchant wants events POSTed, how each delivery is signed, and how
failed deliveries are retried. Pure rules; sending and storing live in the outer layers."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from domain import events
from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidInput
from domain.values import optional_text


def _concrete(cls: type[events.DomainEvent]) -> list[type[events.DomainEvent]]:
    """Every event class below `cls`; a class that only shares fields (StoreCreditMoved)
    has subclasses of its own and is not an event type."""
    found: list[type[events.DomainEvent]] = []
    for sub in cls.__subclasses__():
        found += _concrete(sub) if sub.__subclasses__() else [sub]
    return found


EVENT_TYPES = frozenset(cls.__name__ for cls in _concrete(events.DomainEvent))
# Events whose own facts the receiver acts on, not only the request's state: the merchant's
# order system creates the outbound order of an exchange from ExchangeReleased's lines and
# address. Their webhook body is the event's facts with the request beside them.
FACTS_IN_BODY = frozenset(name for name in EVENT_TYPES if name.startswith("Exchange"))
MAX_URL = 2000
MIN_SECRET, MAX_SECRET = 16, 200
MAX_ATTEMPTS = 8
MAX_ENDPOINTS = 25  # per tenant: each one multiplies the deliveries every commit writes
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
SIGNATURE_HEADER = "X-Returns-Signature"
DELIVERY_HEADER = "X-Returns-Delivery"
EVENT_ID_HEADER = "X-Returns-Event-Id"
EVENT_TYPE_HEADER = "X-Returns-Event-Type"
EVENT_POSITION_HEADER = "X-Returns-Event-Position"
REQUEST_ID_HEADER = "X-Returns-Return-Request-Id"
SIGNED_HEADERS = (
    DELIVERY_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    EVENT_POSITION_HEADER,
    REQUEST_ID_HEADER,
)


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    endpoint_id: str
    merchant: str | None  # None: every merchant of the tenant
    url: str
    event_types: tuple[str, ...]  # empty: every event type
    secret: str
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1  # optimistic concurrency: a change made on an older one is refused

    @classmethod
    def register(
        cls,
        *,
        url: str,
        event_types: tuple[str, ...] = (),
        merchant: str | None = None,
        secret: str | None = None,
        now: datetime,
    ) -> WebhookEndpoint:
        """A new, active endpoint; a secret is generated when none is given."""
        _check(url, event_types, secret)
        return cls(
            endpoint_id=f"WH-{secrets.token_hex(6).upper()}",
            merchant=optional_text(merchant, "merchant", 100),
            url=url.strip(),
            event_types=tuple(dict.fromkeys(event_types)),
            secret=secret if secret is not None else secrets.token_urlsafe(32),
            active=True,
            created_at=now,
            updated_at=now,
        )

    def changed(
        self,
        *,
        url: str | None = None,
        event_types: tuple[str, ...] | None = None,
        secret: str | None = None,
        active: bool | None = None,
        now: datetime,
    ) -> WebhookEndpoint:
        _check(url if url is not None else self.url, event_types or (), secret)
        return replace(
            self,
            url=url.strip() if url is not None else self.url,
            event_types=tuple(dict.fromkeys(event_types))
            if event_types is not None
            else self.event_types,
            secret=secret if secret is not None else self.secret,
            active=active if active is not None else self.active,
            updated_at=now,
        )

    def wants(self, event_type: str, merchant: str) -> bool:
        return (
            self.active
            and (self.merchant is None or self.merchant == merchant)
            and (not self.event_types or event_type in self.event_types)
        )


def _check(url: str, event_types: tuple[str, ...], secret: str | None) -> None:
    problems: list[DomainError] = []
    if disguised := _disguised_address(url):
        problems.append(
            InvalidInput(f"url names the address {disguised}: write it in ASCII", field="url")
        )
    elif not _absolute_http_url(url):
        problems.append(InvalidInput("url must be an absolute http(s) URL", field="url"))
    elif len(url) > MAX_URL or any(c.isspace() or c == "\x00" for c in url.strip()):
        problems.append(
            InvalidInput(f"url must be at most {MAX_URL} characters, no spaces", field="url")
        )
    unknown = sorted(set(event_types) - EVENT_TYPES)
    if unknown:
        problems.append(
            DomainError(
                f"unknown event types {', '.join(unknown)}; "
                f"known: {', '.join(sorted(EVENT_TYPES))}",
                field="event_types",
                code=ErrorCode.UNKNOWN_CODE,
            )
        )
    if secret is not None and not (
        MIN_SECRET <= len(secret) <= MAX_SECRET and secret.isascii() and secret.isprintable()
    ):
        problems.append(
            InvalidInput(
                f"secret must be {MIN_SECRET} to {MAX_SECRET} printable ASCII characters",
                field="secret",
            )
        )
    if problems:
        raise DomainErrors(problems)


def _absolute_http_url(url: object) -> bool:
    """http(s), a host that encodes as a domain name or an IP address, a valid port."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises for a port out of range
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host:
            return False
        if host.replace(".", "").isdigit() or ":" in host:
            ipaddress.ip_address(host)
        else:
            host.encode("idna")
    except (ValueError, UnicodeError):
        return False
    return True


# Full stops that IDNA separates labels with, as it does with ".".
_IDNA_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def client_host(host: str) -> str:
    """A host as HTTP clients read it before connecting: NFKC folds compatibility forms
    (fullwidth and circled digits, fullwidth letters) onto ASCII, and IDNA takes the
    ideographic and fullwidth full stops for dots: fullwidth `127` with ideographic full
    stops is 127.0.0.1."""
    return unicodedata.normalize("NFKC", host).translate(_IDNA_DOTS).lower()


def _disguised_address(url: str) -> str | None:
    """The address a non-ASCII host stands for, when the client would read it as an IP
    literal (digits and dots, or a colon, as aiohttp decides) and connect to it without
    resolving: such a spelling only serves to slip past an address check."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return None  # not a URL at all: said otherwise
    if host.isascii():
        return None
    read = client_host(host)
    if read.isascii() and (":" in read or read.replace(".", "").isdigit()):
        return read
    return None


def signed_content(timestamp: int, headers: Mapping[str, str], body: bytes) -> bytes:
    """What a signature covers: the timestamp, the value of each of `SIGNED_HEADERS` in that
    order, one per line, then the body. A header value cannot hold a line break, so no two
    different deliveries read alike, and no header can be altered without the secret."""
    lines = [str(timestamp), *(headers[name] for name in SIGNED_HEADERS)]
    return "\n".join(lines).encode() + b"\n" + body


def signature(secret: str, timestamp: int, headers: Mapping[str, str], body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of signed_content>`: the receiver recomputes
    it with the shared secret and refuses stale timestamps, so a captured delivery cannot be
    forged, altered or replayed much later."""
    signed = signed_content(timestamp, headers, body)
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str,
    header: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int | None = None,
    tolerance: int = 300,
) -> bool:
    """What a receiver does (and our tests do) with a delivery's signature header: the
    HMAC must match and, when `now` (unix seconds) is given, the timestamp be recent."""
    fields = dict(part.partition("=")[::2] for part in header.split(","))
    timestamp = fields.get("t", "")
    if not timestamp.isdigit() or any(name not in headers for name in SIGNED_HEADERS):
        return False
    if now is not None and abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), headers, body), header)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries: 30 s, 1 min, 2 min … at most 6 h
    apart; None once MAX_ATTEMPTS have failed (the delivery is then FAILED)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)

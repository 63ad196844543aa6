"""Sends due webhook deliveries: one POST per delivery, signed, retried with backoff.

The body is the return request as the Carriyo API shows it (`GET /returns/requests/{id}`),
as it stands when the delivery is sent (an exchange event's body is its own facts with that
request beside them, domain/webhooks.FACTS_IN_BODY); the event it announces travels in the
`X-Returns-Event-*` headers, its position ordering events of one tenant; the signature covers
headers and body. Every attempt is recorded; a delivery that keeps failing ends FAILED after
`MAX_ATTEMPTS` and can be re-sent.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import aiohttp
import aiohttp.abc
from yarl import URL

from core.periodic import Job
from core.wiring import Wiring
from domain.ports import Clock
from domain.returns import ReturnRequest
from domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_ID_HEADER,
    EVENT_POSITION_HEADER,
    EVENT_TYPE_HEADER,
    FACTS_IN_BODY,
    REQUEST_ID_HEADER,
    SIGNATURE_HEADER,
    next_attempt,
    signature,
)
from edge import logs
from edge.json_answers import dumps_json
from persistence import read_model
from persistence.database import Database
from persistence.webhooks import DeliveryJob, WebhookStore

log = logging.getLogger(__name__)
# What a delivery's body says of its return request (the app hands in Carriyo's answer).
Payload = Callable[[ReturnRequest], Any]

BATCH = 50
PRIVATE_TARGET = "the URL resolves to a private, loopback or link-local address"
USER_AGENT = "returns-api-webhooks/1"


class WebhookSender:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        payload: Payload,
        timeout_seconds: float = 10,
        allow_private_targets: bool = False,
        on_attempt: Callable[[str], None] = lambda _outcome: None,
    ) -> None:
        self._db = db
        self._payload = payload  # a return request as its webhook body says it
        self._on_attempt = on_attempt  # told "delivered", "retrying" or "failed"
        self._clock = clock
        self._allow_private = allow_private_targets
        self._store = WebhookStore(db)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._lease = timedelta(seconds=timeout_seconds * 3)

    async def send_due(self) -> int:
        """Send every delivery due now (in batches); returns how many were attempted."""
        attempted = 0
        if self._allow_private:
            connector = aiohttp.TCPConnector()
        else:
            connector = aiohttp.TCPConnector(
                resolver=PublicAddresses(), socket_factory=public_socket
            )
        async with aiohttp.ClientSession(timeout=self._timeout, connector=connector) as http:
            while jobs := await self._store.claim_due(
                self._clock.now(), limit=BATCH, lease=self._lease
            ):
                bodies = await self._bodies(jobs)
                await asyncio.gather(
                    *(self._send(http, job, bodies) for job in jobs), return_exceptions=True
                )
                attempted += len(jobs)
        return attempted

    async def _bodies(self, jobs: list[DeliveryJob]) -> dict[tuple[str, str], bytes]:
        """Each request's current representation, loaded once per batch and tenant."""
        wanted: dict[str, set[str]] = {}
        for job in jobs:
            event = job.delivery.event
            wanted.setdefault(event.tenant_id, set()).add(event.return_request_id)
        bodies: dict[tuple[str, str], bytes] = {}
        async with self._db.reading() as reads:
            for tenant_id, ids in wanted.items():
                found = await read_model.load_return_requests(reads, tenant_id, sorted(ids))
                for rid, request in found.items():
                    bodies[(tenant_id, rid)] = dumps_json(self._payload(request)).encode()
        return bodies

    async def _send(
        self, http: aiohttp.ClientSession, job: DeliveryJob, bodies: dict[tuple[str, str], bytes]
    ) -> None:
        """One attempt, logged (and sent) with the id of the request that caused the event."""
        caused_by = logs.request_id.set(job.delivery.event.request_id)
        try:
            await self._attempt(http, job, bodies)
        finally:
            logs.request_id.reset(caused_by)

    async def _attempt(
        self, http: aiohttp.ClientSession, job: DeliveryJob, bodies: dict[tuple[str, str], bytes]
    ) -> None:
        delivery, event = job.delivery, job.delivery.event
        body = bodies.get((event.tenant_id, event.return_request_id)) or _event_body(event)
        if event.event_type in FACTS_IN_BODY:
            body = _facts_body(event, body)
        now = self._clock.now()
        facts = {
            DELIVERY_HEADER: delivery.delivery_id,
            EVENT_ID_HEADER: event.event_id,
            EVENT_TYPE_HEADER: event.event_type,
            EVENT_POSITION_HEADER: str(event.position),
            REQUEST_ID_HEADER: event.return_request_id,
        }
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **facts,
            SIGNATURE_HEADER: signature(job.secret, int(now.timestamp()), facts, body),
        }
        if event.request_id:  # for tracing only: not signed, absent for background jobs
            headers[logs.REQUEST_ID_HEADER] = event.request_id
        status, error = None, None
        try:
            if not self._allow_private and inner_address(job.url):
                error = PRIVATE_TARGET
            else:
                # No redirects: they would lead past the address checks.
                async with http.post(
                    job.url, data=body, headers=headers, allow_redirects=False
                ) as response:
                    status = response.status
                    # The response body is not kept: a tenant must not read other systems.
                    error = None if 200 <= status < 300 else f"HTTP {status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        except Exception as failure:  # one endpoint's oddity must not stop the others
            log.exception("webhook delivery %s could not be sent", delivery.delivery_id)
            error = f"cannot send: {type(failure).__name__}"
        done = self._clock.now()
        retry_at = None if error is None else next_attempt(delivery.attempts + 1, done)
        await self._store.record(
            delivery,
            now=done,
            delivered=error is None,
            response_status=status,
            error=error,
            retry_at=retry_at,
        )
        self._on_attempt("delivered" if error is None else "retrying" if retry_at else "failed")
        if error is not None:
            log.warning("webhook delivery %s failed: %s", delivery.delivery_id, error)


class PublicAddresses(aiohttp.abc.AbstractResolver):
    """Resolves names for the webhook client and refuses any answer that holds an address
    inside our own network (loopback, private ranges, cloud metadata at 169.254.169.254): a
    tenant's webhook must not become a way to probe them. The connection uses the very
    addresses checked, so a name that resolves differently a moment later (DNS rebinding)
    gets nowhere."""

    def __init__(self, inner: aiohttp.abc.AbstractResolver | None = None) -> None:
        self._inner = inner or aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not found or not all(_global(result["host"]) for result in found):
            raise OSError(errno.EACCES, PRIVATE_TARGET)
        return found

    async def close(self) -> None:
        await self._inner.close()


AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]  # one getaddrinfo() answer


def public_socket(addr_info: AddrInfo) -> socket.socket:
    """Every socket the webhook client opens, refused for an address inside our network
    however the client came to it (a literal, a resolver answer, a lookalike spelling read
    as a literal): the last check, made on the very address the connection uses."""
    family, kind, proto, _, address = addr_info
    if not _global(str(address[0])):
        raise OSError(errno.EACCES, PRIVATE_TARGET)
    return socket.socket(family, kind, proto)


def inner_address(url: str) -> bool:
    """A URL naming, literally, an address inside our own network, its host read exactly as
    the HTTP client reads it: yarl maps IDNA/UTS46 and NFKC forms onto ASCII, so 127.0.0.1
    written with ideographic or fullwidth full stops, or fullwidth digits, is 127.0.0.1 to
    it, a literal it connects to without asking any resolver."""
    try:
        host = URL(url).raw_host or ""
    except ValueError:
        return False  # the client cannot send to it either; it reports why
    try:
        return not _global(host)
    except ValueError:
        return False  # a name: PublicAddresses checks what it resolves to


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _global(address: str) -> bool:
    """A public address, and so is any IPv4 address it carries (IPv4-mapped, 6to4, Teredo,
    NAT64, IPv4-compatible): `::ffff:127.0.0.1` is loopback by another name."""
    ip = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.is_global and all(inner.is_global for inner in _carried_ipv4(ip))
    return ip.is_global


def _carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    carried = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return [address for address in carried if address is not None]


def webhook_job(
    wiring: Wiring,
    payload: Payload,
    on_attempt: Callable[[str], None],
    interval_seconds: float,
    timeout_seconds: float = 10,
    allow_private_targets: bool = False,
) -> Job:
    """The sender as a periodic job: it sends due deliveries after every commit of this
    process that created some, and every `interval_seconds` (0 disables the sender here,
    and nothing listens for commits)."""
    sender = WebhookSender(
        wiring.db,
        wiring.clock,
        payload=payload,
        timeout_seconds=timeout_seconds,
        allow_private_targets=allow_private_targets,
        on_attempt=on_attempt,
    )
    wake = CommitWakeup()
    if interval_seconds > 0:
        wiring.db.on_deliveries_routed(wake.committed)
    return Job("webhook-sender", interval_seconds, sender.send_due, wake=wake)


class CommitWakeup(asyncio.Event):
    """Set by commits that created deliveries, once per commit. Position 0 means "unknown"
    and always wakes."""

    def __init__(self) -> None:
        super().__init__()
        self._heard: dict[str, int] = {}

    def committed(self, tenant_id: str, position: int) -> None:
        if position and position <= self._heard.get(tenant_id, 0):
            return
        self._heard[tenant_id] = position
        self.set()


def _facts_body(event: Any, request: bytes) -> bytes:
    """An event whose facts the receiver acts on (ExchangeReleased: the outbound order to
    create, with its lines and address): the facts, and the request beside them as every
    other delivery shows it."""
    return (
        dumps_json({"event_type": event.event_type, "payload": event.payload})[:-1].encode()
        + b',"return_request":'
        + request
        + b"}"
    )


def _event_body(event: Any) -> bytes:
    """The body of an event about no return request (a store-credit debit, an adjustment):
    its own facts, since there is no request to show."""
    return dumps_json({"event_type": event.event_type, "payload": event.payload}).encode()

"""Failed authentication costs time: an API client's secret, API credentials, a portal link
or a customer's email or phone for an order can be tried only so often a minute.

Each failure is remembered for a minute under the address it came from and, where there is
one, the subject it was aimed at (the client id, the order). Once a key holds its limit of
failures, every attempt under it, with the right secret too, is refused unheard with
`TooManyRequests` (429 and `Retry-After`) until its oldest failure is a minute old; else a
guesser would simply go on until the right answer got through. A success counts nothing.

Counts live in this process (several processes each allow the limit) and in bounded memory:
at most `limit` timestamps per key and `MAX_KEYS` keys per log, the least recently failed
key forgotten first. Time comes from the wiring's clock, so tests move it by hand."""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from domain.errors import TooManyRequests
from domain.ports import Clock

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)
MAX_KEYS = 50_000
IPV6_PREFIX = 64  # one subscriber's IPv6 network: an attacker holds all of a /64
SHOWN_SUBJECT_LENGTH = 64


class Sender(Protocol):
    """What the throttle reads of a request (an aiohttp request is one): the connection's
    peer and the headers, for X-Forwarded-For behind proxies of ours."""

    @property
    def remote(self) -> str | None: ...

    @property
    def headers(self) -> Any: ...


class Kind(StrEnum):
    """What was tried: the label of the /metrics counters."""

    CLIENT_SECRET = "client_secret"  # POST /oauth/token
    API_CREDENTIALS = "api_credentials"  # bearer token, x-api-key and tenant-id of a call
    PORTAL_LINK = "portal_link"  # a return-portal link that is altered, foreign or expired
    CUSTOMER_LOOKUP = "customer_lookup"  # an order's customer email or phone (Carriyo)
    STAFF_PASSWORD = "staff_password"  # a desk sign-in (tenant and e-mail) or password link
    PORTAL_START = "portal_start"  # order number and email or phone, typed by a customer
    FRESH_LINK = "fresh_link"  # a new portal link asked for by e-mail (each one counts)


# A customer lookup comes from the merchant's own storefront server, on behalf of all its
# customers: counting its address would lock out the whole shop, so only the order counts.
# The customer-facing pages are typed into by the customers themselves: their address counts.
_ADDRESS_KINDS = frozenset(
    {
        Kind.CLIENT_SECRET,
        Kind.API_CREDENTIALS,
        Kind.PORTAL_LINK,
        Kind.STAFF_PASSWORD,
        Kind.PORTAL_START,
        Kind.FRESH_LINK,
    }
)


class FailureLog:
    """A sliding window of failures per key: the times of its last `limit` failures."""

    def __init__(self, limit: int, window: timedelta = WINDOW, *, max_keys: int = MAX_KEYS):
        self._limit = limit
        self._window = window
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def wait(self, key: str, now: datetime) -> int | None:
        """Whole seconds until `key` is heard again; None when it is heard now."""
        times = self._failures.get(key)
        if times is None or len(times) < self._limit:
            return None
        remaining = (times[0] + self._window - now).total_seconds()
        if remaining <= 0:
            return None
        return max(1, math.ceil(min(remaining, self._window.total_seconds())))

    def fail(self, key: str, now: datetime) -> bool:
        """Count a failure of `key`; True when this one reaches the limit."""
        times = self._failures.pop(key, None) or deque(maxlen=self._limit)
        times.append(now)
        self._failures[key] = times  # the most recently failed key goes last
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)
        return self.wait(key, now) is not None

    def __len__(self) -> int:
        return len(self._failures)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a credential: what kind, from which address, at which subject."""

    kind: Kind
    address: str
    subject: str | None = None  # a client id, an order; None where only the address counts

    def keys(self) -> tuple[str | None, str | None]:
        """(address key, subject key) in the logs; None where that side does not count."""
        address = self.address if self.kind in _ADDRESS_KINDS else None
        subject = f"{self.kind}:{self.subject}" if self.subject is not None else None
        return address, subject


class AuthThrottle:
    """The failure logs of this process and the counts /metrics exports."""

    def __init__(
        self,
        clock: Clock,
        *,
        per_subject: int,
        per_address: int,
        proxy_hops: int = 0,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self._clock = clock
        self._subjects = FailureLog(per_subject, max_keys=max_keys)
        self._addresses = FailureLog(per_address, max_keys=max_keys)
        self._proxy_hops = proxy_hops
        self.failures: Counter[Kind] = Counter()
        self.throttled: Counter[Kind] = Counter()

    def attempt(self, kind: Kind, request: Sender, subject: str | None = None) -> Attempt:
        return Attempt(kind, client_address(request, self._proxy_hops), subject)

    def check(self, attempt: Attempt) -> None:
        """Raise TooManyRequests while the attempt's address or subject is throttled."""
        now = self._clock.now()
        address, subject = attempt.keys()
        waits = [
            wait
            for log_, key in ((self._addresses, address), (self._subjects, subject))
            if key is not None and (wait := log_.wait(key, now)) is not None
        ]
        if waits:
            self.throttled[attempt.kind] += 1
            raise TooManyRequests(
                f"too many failed attempts; try again in {max(waits)} seconds",
                retry_after=max(waits),
            )

    def failed(self, attempt: Attempt) -> None:
        """Count a failed attempt; say so in the log when it throttles its address or
        subject (once per key reaching its limit, never per refusal: a guesser cannot
        flood the log)."""
        now = self._clock.now()
        self.failures[attempt.kind] += 1
        address, subject = attempt.keys()
        tripped = [
            name
            for log_, key, name in (
                (self._addresses, address, "address"),
                (self._subjects, subject, "subject"),
            )
            if key is not None and log_.fail(key, now)
        ]
        if tripped:
            log.warning(
                "throttling failed authentication (%s) by %s: %s from address %s",
                attempt.kind.value,
                " and ".join(tripped),
                _shown(attempt.subject),
                attempt.address,
            )


def _shown(subject: str | None) -> str:
    """A subject as the log shows it: quoted (it is the caller's text) and cut short."""
    return "-" if subject is None else repr(subject[:SHOWN_SUBJECT_LENGTH])


def client_address(request: Sender, proxy_hops: int = 0) -> str:
    """Who sent `request`, as the throttle counts them: the peer of the connection, or, with
    `proxy_hops` reverse proxies of ours in front, the address the outermost of them saw
    (that many entries from the end of X-Forwarded-For; the ones before are the client's
    own say and could be anything). IPv6 addresses count by their /64 network."""
    address = request.remote or "unknown"
    if proxy_hops > 0:
        forwarded = [
            entry.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for entry in header.split(",")
            if entry.strip()
        ]
        if forwarded:
            address = forwarded[-min(proxy_hops, len(forwarded))]
    return _network(address)


@functools.lru_cache(maxsize=4096)
def _network(address: str) -> str:
    """The address as the throttle counts it: a pure function of the text, kept for the
    addresses seen lately (parsing one cost a few microseconds of every request)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:SHOWN_SUBJECT_LENGTH]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)

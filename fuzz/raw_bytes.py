"""The byte stage of `make fuzz`: requests no schema describes.

schemathesis generates schema-valid JSON through a well-behaved HTTP client, so it never
sends what a hostile client can: header values that are not UTF-8, bodies with stray bytes,
escapes of NULs and half surrogate pairs, percent-encoded garbage in paths and queries. This
stage starts from real requests on every face (GraphQL, Carriyo REST, OTO REST, the token
endpoint, the portal), mutates their headers, bodies and targets byte by byte with a fixed
seed, writes them on a raw socket, and fails on any 5xx, or on a GraphQL answer that masks a
server failure as "Unexpected error." (a 500 in all but status).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

# Bytes and escapes that broke something once, or could: not UTF-8, encoded surrogates,
# overlong forms, NUL and control characters, JSON escapes of both.
HOSTILE_BYTES = (
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x00",
    b"\x01",
    b"\x7f",
    b"\\u0000",
    b"\\ud800",
    b"\\udfff",
    b"\\",
    b'"',
    "\u0663".encode(),
    "\u202e".encode(),
    "\ufeff".encode(),
)
PERCENT_ESCAPES = ("%ff", "%00", "%ed%a0%80", "%c3", "%", "%zz", "%2e%2e%2f")
# What a GraphQL answer says in place of a server failure: a 500 in all but status.
MASKED = b"Unexpected error."
HEADERS_TO_POISON = (
    "Authorization",
    "x-api-key",
    "tenant-id",
    "X-User",
    "x-user",
    "Idempotency-Key",
    "Content-Type",
    "Origin",
    "X-Request-Id",
    "Accept",
    "Cookie",
)


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: dict[str, bytes] = field(default_factory=dict)
    body: bytes = b""

    def encode(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1".encode(), b"Host: fuzz"]
        lines += [b"Connection: close", f"Content-Length: {len(self.body)}".encode()]
        lines += [name.encode() + b": " + value for name, value in self.headers.items()]
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


@dataclass
class Outcome:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[tuple[Request, int, bytes]] = field(default_factory=list)
    seed_statuses: list[tuple[str, int]] = field(default_factory=list)


async def send(host: str, port: int, request: Request) -> tuple[int, bytes]:
    """The status and first bytes of the answer; 0 when the server closed without one
    (aiohttp drops some malformed requests; that is a refusal, not an error)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request.encode())
        await writer.drain()
        async with asyncio.timeout(30):
            answer = await reader.read()
    except ConnectionResetError:
        return 0, b""
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), body[:300]


# --------------------------------------------------------------------------- mutations


def _splice(rng: random.Random, data: bytes, insert: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + insert + data[at:]


def poison_header(rng: random.Random, request: Request) -> Request:
    """A header (one the request carries, or another we read) with hostile bytes in it,
    or replaced by them."""
    name = rng.choice([*request.headers, *HEADERS_TO_POISON])
    value = request.headers.get(name, b"x")
    hostile = rng.choice(HOSTILE_BYTES)
    value = hostile if rng.random() < 0.2 else _splice(rng, value, hostile)
    return replace(request, headers=request.headers | {name: value})


def poison_body(rng: random.Random, request: Request) -> Request:
    """Hostile bytes spliced in, a byte flipped, or the body cut short."""
    body = request.body or b"{}"
    choice = rng.random()
    if choice < 0.6:
        body = _splice(rng, body, rng.choice(HOSTILE_BYTES))
    elif choice < 0.8:
        at = rng.randrange(len(body))
        body = body[:at] + bytes([rng.randrange(256)]) + body[at + 1 :]
    else:
        body = body[: rng.randrange(len(body))]
    return replace(request, body=body)


def poison_target(rng: random.Random, request: Request) -> Request:
    """Percent-encoded garbage in the path or the query string."""
    path, _, query = request.target.partition("?")
    escape = rng.choice(PERCENT_ESCAPES)
    if rng.random() < 0.5 or not query:
        at = rng.randrange(1, len(path) + 1)
        path = path[:at] + escape + path[at:]
    else:
        query = query + rng.choice(["", "&x="]) + escape
    return replace(request, target=path + ("?" + query if query else ""))


MUTATIONS: tuple[Callable[[random.Random, Request], Request], ...] = (
    poison_header,
    poison_body,
    poison_target,
)


# --------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Known:
    """What the fuzz run set up: credentials and real ids to aim the seeds at."""

    headers: dict[str, str]
    client_id: str
    client_secret: str
    return_ids: list[str]
    merchant: str
    order: str
    sku: str
    portal_token: str


def seeds(known: Known) -> list[Request]:
    """One real request of each kind, so a mutation reaches as deep as a valid one would."""
    creds = {name: value.encode() for name, value in known.headers.items()}
    as_json = creds | {"Content-Type": b"application/json"}
    rid, pending = known.return_ids[0], known.return_ids[-1]

    def graphql(query: str, variables: dict[str, object] | None = None) -> Request:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return Request("POST", "/graphql", as_json, body)

    def rest(method: str, target: str, body: object = None) -> Request:
        data = json.dumps(body).encode() if body is not None else b""
        headers = (as_json if data else creds) | {"x-user": b"fuzz@example.com"}
        return Request(method, target, headers, data)

    token = {"grant_type": "client_credentials", "client_id": known.client_id}
    token["client_secret"] = known.client_secret
    return [
        graphql(
            "query ($m: String) { returnRequests(first: 5, filter: {merchant: $m}) "
            "{ edges { node { returnRequestId status items { sku } events { position } } } } }",
            {"m": known.merchant},
        ),
        graphql(
            "mutation ($id: String!) { addReturnNote(input: {returnRequestId: $id, "
            'text: "fuzz"}) { userErrors { code } } }',
            {"id": rid},
        ),
        graphql(
            'mutation { addRefund(input: {returnRequestId: "' + rid + '", amount: "1.50", '
            'currency: "AED"}) { userErrors { code } } }'
        ),
        graphql(  # values written in the document, where scalars parse literals
            '{ returnEvents(first: 5, after: "1") { edges { cursor } } '
            'returnRequests(first: 5, filter: {createdBefore: "2030-01-31T10:00:00+04:00"}) '
            "{ totalCount } }"
        ),
        Request("GET", "/graphql?query=%7B__typename%7D", creds),
        rest("GET", f"/returns/requests/{rid}"),
        rest("GET", f"/returns/reasons?merchant={known.merchant}&language=ar"),
        rest("POST", f"/returns/requests/{rid}/notes", {"text": "fuzz"}),
        rest("POST", f"/returns/requests/{rid}/refunds", {"amount": 1.5, "currency": "AED"}),
        rest("PATCH", f"/returns/requests/{pending}", {"customer_comment": "fuzz"}),
        rest("POST", "/rest/v2/getReturnDetails", {"orderId": known.order}),
        Request(
            "POST",
            "/oauth/token",
            {"Content-Type": b"application/json"},
            json.dumps(token).encode(),
        ),
        Request(
            "POST",
            "/oauth/token",
            {"Content-Type": b"application/x-www-form-urlencoded"},
            "&".join(f"{name}={value}" for name, value in token.items()).encode(),
        ),
        Request("GET", f"/portal/returns?token={known.portal_token}", {}),
        Request(
            "POST",
            f"/portal/returns?token={known.portal_token}",
            {"Content-Type": b"application/json"},
            json.dumps({"items": [{"sku": known.sku, "quantity": 1}]}).encode(),
        ),
    ]


async def run(host: str, port: int, known: Known, *, examples: int, seed: int) -> Outcome:
    """Each seed as it is, then `examples` mutants of it per kind of mutation."""
    rng = random.Random(seed)
    outcome = Outcome()
    for original in seeds(known):
        mutants = [original]
        for mutate in MUTATIONS:
            mutants += [mutate(rng, original) for _ in range(examples)]
        for request in mutants:
            status, body = await send(host, port, request)
            if request is original:
                outcome.seed_statuses.append((f"{request.method} {request.target}", status))
            outcome.sent += 1
            outcome.statuses[status] += 1
            if status >= 500 or MASKED in body:
                outcome.failures.append((request, status, body))
    return outcome


def report(outcome: Outcome) -> int:
    """Print what was sent and every 5xx; the exit status of the stage."""
    seeds = ", ".join(f"{target} {status}" for target, status in outcome.seed_statuses)
    print(f"fuzz: byte stage seeds answered: {seeds}", flush=True)
    counts = sorted(outcome.statuses.items())
    statuses = ", ".join(f"{status or 'closed'}: {n}" for status, n in counts)
    print(f"fuzz: byte stage sent {outcome.sent} requests ({statuses})", flush=True)
    for request, status, body in outcome.failures[:20]:
        print(f"  {status} for {request.encode()[:400]!r}\n    answered {body!r}", flush=True)
    if outcome.failures:
        print(f"fuzz: byte stage FAILED: {len(outcome.failures)} server failures", flush=True)
        return 1
    return 0

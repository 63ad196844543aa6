"""Large query texts pin no memory (issue 21): a text over the size limit is refused before
it is parsed, on every transport, and the cache of parsed documents (POST's pipeline and
strawberry's GET and websockets share it) stays within its bound in bytes, whatever a key
sends. Comments count: they are how a tiny query becomes a large text."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.access import Role
from graphql_api.bounded_cache import BoundedCache
from graphql_api.limits import GraphQLLimits
from ops.app import create_app
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials, document_cache
from tests.unit.test_desk_documents import DOCUMENTS, complete, fragments

PROTOCOL = "graphql-transport-ws"
TYPENAME = "{ __typename }"
SUBSCRIPTION = "subscription { returnEvents { position } }"
COMMENT_LINE = "# " + "x" * 110 + "\n"  # 113 bytes, one token
LIMITS = GraphQLLimits()


def padded(operation: str, size: int, tag: int = 0) -> str:
    """`operation`, made distinct by `tag` and padded with comment lines to `size` bytes."""
    head = f"{operation}\n# {tag}\n"
    lines, rest = divmod(size - len(head), len(COMMENT_LINE))
    return head + COMMENT_LINE * lines + "#" * rest


class SmallCaches(Settings):
    """Caches of 200 KB of text, none over 20 KB: their bounds are reached in a few requests."""

    graphql_cache_bytes: int = 200_000
    graphql_cache_entry_bytes: int = 20_000


async def client_of(
    db: Database, clock: Any, settings_class: type[Settings] = Settings, **settings: Any
) -> TestClient:
    headers = await credentials(db, clock, DEFAULT_TENANT, Role.READ_ONLY)
    app = create_app(
        settings_class(migrate_on_start=False, webhook_interval_seconds=0, **settings),
        db=db,
        clock=clock,
    )
    return TestClient(TestServer(app), headers=headers)


@pytest.fixture
async def reader(db: Database, clock: Any) -> AsyncIterator[TestClient]:
    """A read-only key on a server with the default limits."""
    async with await client_of(db, clock) as client:
        yield client


@pytest.fixture
async def small_limit(db: Database, clock: Any) -> AsyncIterator[TestClient]:
    """A server taking query texts of 2,048 bytes at most (a GET carries no more than 8 KB)."""
    async with await client_of(db, clock, graphql_max_query_bytes=2048) as client:
        yield client


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED", error
    return error


async def test_a_query_text_over_the_size_limit_is_refused(reader: TestClient) -> None:
    query = padded(TYPENAME, LIMITS.max_query_bytes + 1)
    response = await reader.post("/graphql", json={"query": query})

    assert response.status == 200
    error = refusal(await response.json())
    assert f"over the limit of {LIMITS.max_query_bytes} bytes" in error["message"]
    fits = await reader.post("/graphql", json={"query": padded(TYPENAME, 90_000)})
    assert (await fits.json())["data"] == {"__typename": "Query"}


async def test_the_size_limit_applies_to_every_operation_of_a_post(
    small_limit: TestClient,
) -> None:
    mutation = padded('mutation { cancelReturn(input: {returnRequestId: "RR-1"}) { id } }', 3000)
    response = await small_limit.post("/graphql", json={"query": mutation})

    assert response.status == 200
    refusal(await response.json())


async def test_the_size_limit_applies_to_a_get(small_limit: TestClient) -> None:
    refused = await small_limit.get("/graphql", params={"query": padded(TYPENAME, 3000)})
    refusal(await refused.json())
    fits = await small_limit.get("/graphql", params={"query": padded(TYPENAME, 2000)})
    assert (await fits.json())["data"] == {"__typename": "Query"}


async def subscribe(client: TestClient, db: Database, clock: Any, query: str) -> Any:
    """The first answer to a subscription of `query`: a message, or the close code."""
    async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        payload = await credentials(db, clock, DEFAULT_TENANT)
        await ws.send_json({"type": "connection_init", "payload": payload})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        answer = await ws.receive(timeout=5)
    return answer.json() if answer.type == WSMsgType.TEXT else (ws.close_code, answer.extra)


async def test_the_size_limit_applies_to_a_websocket_subscription(
    small_limit: TestClient, db: Database, clock: Any
) -> None:
    answer = await subscribe(small_limit, db, clock, padded(SUBSCRIPTION, 3000))

    assert (answer["id"], answer["type"]) == ("1", "error"), answer
    [error] = answer["payload"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_a_subscription_over_the_token_limit_is_refused_as_the_protocol_says(
    db: Database, clock: Any
) -> None:
    """Comment lines count as tokens. The refusal, raised while parsing, used to end the
    operation with a bare `complete`; a document that does not parse closes with 4400."""
    async with await client_of(db, clock, graphql_max_tokens=100) as client:
        answer = await subscribe(client, db, clock, SUBSCRIPTION + "\n#" * 100)

    assert answer == (
        4400,
        "Syntax Error: Document contains more than 100 tokens. Parsing aborted.",
    )


def test_every_desk_document_is_small_enough_to_be_kept() -> None:
    """The desk sends the same few documents all day: each must fit in the caches."""
    sizes = {path.stem: len(complete(path.read_text(), fragments()).encode()) for path in DOCUMENTS}
    assert max(sizes.values()) <= LIMITS.cache_entry_bytes < LIMITS.max_query_bytes, sizes


def within_bounds(cache: BoundedCache[Any, Any]) -> bool:
    return cache.total_bytes <= 200_000 and len(cache) <= LIMITS.cache_size


async def test_many_distinct_large_queries_keep_the_cache_within_its_byte_bound(
    db: Database, clock: Any
) -> None:
    """30 distinct texts of 15 KB, each worth keeping: 450 KB, more than the cache takes."""
    queries = [padded(TYPENAME, 15_000, tag) for tag in range(30)]
    async with await client_of(db, clock, SmallCaches) as client:
        cache = document_cache(client)
        first: weakref.ref[Any] | None = None
        for query in queries:
            response = await client.post("/graphql", json={"query": query})
            assert (await response.json())["data"] == {"__typename": "Query"}
            if first is None:
                entry = cache.get(query)
                first = weakref.ref(entry.document)
                del entry
            assert within_bounds(cache)
        kept = len(cache)

    assert 0 < kept < len(queries)
    gc.collect()
    assert first is not None and first() is None, "an evicted document is still referenced"


async def test_texts_too_large_to_keep_leave_no_memory_behind(reader: TestClient) -> None:
    """Before, each 40 KB text stayed in the parser and prepared-query caches, with its document
    and a token per comment line: several times its size, for every distinct text sent.
    The second batch of 10 distinct texts (400 KB) now leaves nothing of them behind: what
    memory grows by is the test client's (it keeps every response) and CPython's bounded
    caches."""
    tracemalloc.start()
    try:
        await send_distinct(reader, range(10))  # what the first requests allocate for good
        first = tracemalloc.get_traced_memory()[0]
        await send_distinct(reader, range(10, 20))
        grown = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()

    assert grown < 200_000, f"{grown} bytes retained after 400 KB of query texts"


async def send_distinct(client: TestClient, tags: range) -> None:
    for tag in tags:
        response = await client.post("/graphql", json={"query": padded(TYPENAME, 40_000, tag)})
        assert (await response.json())["data"] == {"__typename": "Query"}
    gc.collect()

"""End-to-end fixtures: the real aiohttp app on a real socket, over the `db` fixture."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.access import Role, new_tenant
from edge.idempotency_header import fingerprint
from graphql_api import planned_executor
from graphql_api.bounded_cache import BoundedCache
from graphql_api.schema import ReturnsSchema
from graphql_api.view import ReturnsGraphQLView
from ops.app import create_app
from persistence.access import AccessStore
from persistence.database import Database
from persistence.idempotency import IdempotencyStore, KeyClaim
from persistence.tables import DEFAULT_TENANT
from tests.clocks import FixedClock

A_DAY = timedelta(days=1).total_seconds()


class GraphQLClient:
    """Posts operations like any HTTP client would and returns the decoded JSON."""

    def __init__(self, http: TestClient) -> None:
        self.http = http

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status == 200, await response.text()
        return await response.json()

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The `data` of a response that must have no GraphQL errors."""
        body = await self.execute(query, variables, headers)
        assert "errors" not in body, body["errors"]
        return body["data"]


# The differential test of the execution paths: every query an end-to-end test sends runs
# through its compiled plan and through graphql-core, and every query POSTed through the
# pipeline through strawberry's view too; their answers must agree.
os.environ.setdefault("RETURNS_GRAPHQL_COMPARE_EXECUTORS", "true")


@pytest.fixture(autouse=True)
def planned_answers_match_graphql_core() -> Iterator[None]:
    planned_executor.MISMATCHES.clear()
    yield
    assert planned_executor.MISMATCHES == [], planned_executor.MISMATCHES[0]


def graphql_view(client: TestClient) -> ReturnsGraphQLView:
    """The GraphQL view of the app `client` talks to."""
    for route in client.app.router.routes():
        if isinstance(route.handler, ReturnsGraphQLView):
            return route.handler
    raise AssertionError("the app serves no GraphQL view")


def document_cache(client: TestClient) -> BoundedCache[Any, Any]:
    """The parsed and validated documents of the schema of the app `client` talks to."""
    schema = graphql_view(client).schema
    assert isinstance(schema, ReturnsSchema)
    return schema.documents.cache


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def http(
    db: Database, clock: FixedClock, request: pytest.FixtureRequest
) -> AsyncIterator[TestClient]:
    """A client of the real app that sends full-access credentials of tenant `default` on
    every request (the tenant the persistence-level fixtures write to)."""
    # No background webhook sender: its queries would interleave with the statement counts
    # tests take; the webhook tests start servers that send. Tests that count statements
    # run each query once (no comparison run). A test that counts statements keeps what it
    # read of its token for the whole test: re-read after RETURNS_AUTH_CACHE_SECONDS, it
    # would add a statement to whichever request came after a slow step.
    counts_statements = request.node.get_closest_marker("counts_statements") is not None
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        graphql_compare_executors=not counts_statements,
        **({"auth_cache_seconds": A_DAY} if "statements" in request.fixturenames else {}),
    )
    app = create_app(settings, db=db, clock=clock)
    headers = await credentials(db, clock, DEFAULT_TENANT)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield client


async def credentials(
    db: Database,
    clock: FixedClock,
    tenant_id: str,
    role: Role = Role.FULL,
    *,
    lifetime: timedelta = timedelta(days=3650),
) -> dict[str, str]:
    """Headers of a new API client of `tenant_id` (created if needed). Tests move the clock by
    days, so their tokens live long unless a test asks otherwise."""
    store = AccessStore(db)
    if await store.tenant(tenant_id) is None:
        await store.create_tenant(new_tenant(tenant_id, tenant_id, clock.now()))
    issued = await store.create_client(tenant_id, role, "tests", clock.now())
    token = await store.issue_token(
        issued.client.client_id, issued.client_secret, clock.now(), lifetime=lifetime
    )
    assert token is not None
    return {
        "Authorization": f"Bearer {token[0]}",
        "x-api-key": issued.api_key,
        "tenant-id": tenant_id,
    }


@pytest.fixture
def graphql(http: TestClient) -> GraphQLClient:
    return GraphQLClient(http)


async def claimed_elsewhere(
    http: TestClient, db: Database, clock: FixedClock, target: str, body: Any, key: str
) -> KeyClaim:
    """`key` as a request of this client on another server process holds it: claimed for
    this very request (`target` is "METHOD /path?query"), its work still running."""
    headers = http.session.headers
    principal = await AccessStore(db).principal(
        headers["Authorization"].removeprefix("Bearer "),
        headers["x-api-key"],
        headers["tenant-id"],
        clock.now(),
    )
    assert principal is not None
    same_request = fingerprint(json.dumps(body).encode(), principal.client_id, target)
    claim = await IdempotencyStore(db).claim(principal.tenant_id, key, same_request, clock.now())
    assert claim.held is not None
    return claim.held

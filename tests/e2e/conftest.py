"""End-to-end fixtures: the real aiohttp app on a real socket, over the `db` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from graphql_api.app import create_app
from graphql_api.settings import Settings
from persistence.database import Database


class FixedClock:
    """A clock tests can move: return windows, timestamps and ordering become exact."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


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


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def http(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    app = create_app(Settings(migrate_on_start=False), db=db, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
def graphql(http: TestClient) -> GraphQLClient:
    return GraphQLClient(http)

"""Browsers on other origins: only origins in RETURNS_ALLOWED_ORIGINS (and, in development,
localhost pages) get CORS headers and may open websockets; preflights are answered without
credentials, the calls themselves still need them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from ops.app import create_app
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials

DASHBOARD = "https://dash.example.com"
QUERY = {"query": "{ returnRequests(first: 1) { totalCount } }"}
UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Protocol": "graphql-transport-ws",
}


async def served(db, clock, **settings: Any) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(migrate_on_start=False, **settings), db=db, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def production(db, clock) -> AsyncIterator[TestClient]:
    async for client in served(db, clock, allowed_origins=[DASHBOARD]):
        yield client


@pytest.fixture
async def development(db, clock, tmp_path) -> AsyncIterator[TestClient]:
    saved = str(tmp_path / "dev-credentials.json")
    async for client in served(db, clock, dev_credentials=True, dev_credentials_file=saved):
        yield client


async def preflight(client: TestClient, path: str, origin: str):  # type: ignore[no-untyped-def]
    return await client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, x-api-key, tenant-id",
        },
    )


@pytest.mark.parametrize("path", ["/graphql", "/returns/requests"])
async def test_an_allowed_origin_gets_a_preflight_answer(production, path):
    response = await preflight(production, path, DASHBOARD)

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "x-api-key", "tenant-id", "idempotency-key"} <= {
        h.strip() for h in allowed.split(",")
    }


async def test_calls_from_an_allowed_origin_carry_cors_headers_and_need_credentials(
    production, db, clock
):
    anonymous = await production.post("/graphql", json=QUERY, headers={"Origin": DASHBOARD})
    headers = await credentials(db, clock, DEFAULT_TENANT) | {"Origin": DASHBOARD}
    allowed = await production.post("/graphql", json=QUERY, headers=headers)

    assert anonymous.status == 401
    assert allowed.status == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == DASHBOARD
    assert "Idempotency-Replayed" in allowed.headers["Access-Control-Expose-Headers"]


async def test_other_origins_get_no_cors_headers(production, db, clock):
    headers = await credentials(db, clock, DEFAULT_TENANT) | {"Origin": "https://evil.example"}

    response = await production.post("/graphql", json=QUERY, headers=headers)
    refused = await preflight(production, "/graphql", "https://evil.example")

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in refused.headers


async def test_websocket_upgrades_follow_the_same_list(production):
    allowed = await production.get("/graphql", headers=UPGRADE | {"Origin": DASHBOARD})
    refused = await production.get("/graphql", headers=UPGRADE | {"Origin": "https://evil.example"})

    assert allowed.status == 101
    assert refused.status == 403


async def test_development_allows_local_pages_only(development):
    local = await preflight(development, "/graphql", "http://localhost:5173")
    other = await preflight(development, "/graphql", "https://dash.example.com")

    assert local.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "Access-Control-Allow-Origin" not in other.headers

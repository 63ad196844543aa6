"""The API-keys screen's calls: an admin lists the tenant's API clients (never a secret),
creates one and gets its secrets once (they work at once: a token, then a call), and
revokes it (its token is refused); agents and viewers are refused every one of them, even
sent by hand; another tenant's client cannot be revoked; no secret reaches a log line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from core.settings import Settings
from domain.staff import StaffRole
from ops.app import create_app
from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials
from tests.e2e.staff.staff_support import Desk, add_user, new_desk

CLIENTS = "query { apiClients { clientId name role createdAt revokedAt } }"
CREATE = """mutation ($input: CreateApiClientInput!) { createApiClient(input: $input) {
  apiClient { clientId name role revokedAt }
  credentials { clientId clientSecret apiKey tenantId }
  userErrors { code field message } } }"""
REVOKE = """mutation ($id: String!) { revokeApiClient(input: {clientId: $id}) {
  apiClient { clientId revokedAt } userErrors { code field message } } }"""
VIEWER = "query { viewer { clientId role mayWrite } }"


@pytest.fixture
async def http(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    settings = Settings(migrate_on_start=False, webhook_interval_seconds=0, auth_cache_seconds=0)
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        yield client


@pytest.fixture
async def desks(http: TestClient) -> AsyncIterator[dict[StaffRole, Desk]]:
    sessions: list[aiohttp.ClientSession] = []
    signed_in: dict[StaffRole, Desk] = {}
    for role in StaffRole:
        email = f"{role.value.lower()}@example.com"
        await add_user(http, email, role)
        signed_in[role] = desk = new_desk(http, sessions)
        assert (await desk.sign_in(email)).status == 200
    yield signed_in
    for session in sessions:
        await session.close()


async def machine_call(http: TestClient, secrets: dict[str, str]) -> tuple[int, Any]:
    """What an integration does with the secrets: a token, then a call with it."""
    token = await http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": secrets["clientId"],
            "client_secret": secrets["clientSecret"],
        },
    )
    if token.status != 200:
        return token.status, await token.text()
    bearer = (await token.json())["access_token"]
    headers = {
        "Authorization": f"Bearer {bearer}",
        "x-api-key": secrets["apiKey"],
        "tenant-id": secrets["tenantId"],
    }
    response = await http.post("/graphql", json={"query": VIEWER}, headers=headers)
    return response.status, await response.json()


async def test_an_admin_creates_a_key_that_works_sees_it_listed_without_secrets_and_revokes_it(
    http: TestClient, desks: dict[StaffRole, Desk], caplog: pytest.LogCaptureFixture
) -> None:
    admin = desks[StaffRole.ADMIN]
    caplog.set_level(logging.DEBUG)

    created = (await admin.graphql(CREATE, {"input": {"name": "Warehouse scanner"}}))["data"]
    payload = created["createApiClient"]
    assert payload["userErrors"] == []
    secrets = payload["credentials"]
    client_id = payload["apiClient"]["clientId"]
    assert secrets["clientId"] == client_id and secrets["tenantId"] == "team"
    assert payload["apiClient"] == {
        "clientId": client_id,
        "name": "Warehouse scanner",
        "role": "FULL",
        "revokedAt": None,
    }

    status, answer = await machine_call(http, secrets)
    assert status == 200, answer
    assert answer["data"]["viewer"] == {"clientId": client_id, "role": "FULL", "mayWrite": True}

    listed = await admin.post(CLIENTS)
    text = await listed.text()
    assert secrets["clientSecret"] not in text and secrets["apiKey"] not in text
    clients = (await listed.json())["data"]["apiClients"]
    assert [c["name"] for c in clients if c["clientId"] == client_id] == ["Warehouse scanner"]

    revoked = (await admin.graphql(REVOKE, {"id": client_id}))["data"]["revokeApiClient"]
    assert revoked["userErrors"] == [] and revoked["apiClient"]["revokedAt"] is not None
    status, answer = await machine_call(http, secrets)
    assert status == 401, answer
    again = (await admin.graphql(CLIENTS))["data"]["apiClients"]
    assert next(c for c in again if c["clientId"] == client_id)["revokedAt"] is not None

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secrets["clientSecret"] not in logged and secrets["apiKey"] not in logged


async def test_a_read_only_key_may_read_but_not_write(desks: dict[StaffRole, Desk]) -> None:
    admin = desks[StaffRole.ADMIN]
    created = await admin.graphql(CREATE, {"input": {"name": "BI export", "role": "READ_ONLY"}})
    assert created["data"]["createApiClient"]["apiClient"]["role"] == "READ_ONLY"


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.VIEWER])
async def test_agents_and_viewers_are_refused_every_api_key_call(
    desks: dict[StaffRole, Desk], role: StaffRole
) -> None:
    admin, other = desks[StaffRole.ADMIN], desks[role]
    made = await admin.graphql(CREATE, {"input": {"name": "Kept"}})
    client_id = made["data"]["createApiClient"]["apiClient"]["clientId"]

    for query, variables in [
        (CLIENTS, {}),
        (CREATE, {"input": {"name": "Sneaky"}}),
        (REVOKE, {"id": client_id}),
    ]:
        body = await other.graphql(query, variables)
        assert body.get("data") is None or not any(body["data"].values()), body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body

    clients = (await admin.graphql(CLIENTS))["data"]["apiClients"]
    assert [(c["name"], c["revokedAt"]) for c in clients] == [("Kept", None)]


async def test_another_tenants_client_is_not_found_and_stays_live(
    http: TestClient, desks: dict[StaffRole, Desk], db: Database, clock: FixedClock
) -> None:
    foreign = await credentials(db, clock, "elsewhere")
    viewer = await http.post("/graphql", json={"query": VIEWER}, headers=foreign)
    foreign_id = (await viewer.json())["data"]["viewer"]["clientId"]

    body = await desks[StaffRole.ADMIN].graphql(REVOKE, {"id": foreign_id})

    assert body["data"]["revokeApiClient"]["userErrors"][0]["code"] == "NOT_FOUND"
    still = await http.post("/graphql", json={"query": VIEWER}, headers=foreign)
    assert still.status == 200 and (await still.json())["data"]["viewer"]["clientId"] == foreign_id


async def test_a_blank_name_is_refused_with_its_field(desks: dict[StaffRole, Desk]) -> None:
    body = await desks[StaffRole.ADMIN].graphql(CREATE, {"input": {"name": "  "}})

    errors = body["data"]["createApiClient"]["userErrors"]
    assert [e["field"] for e in errors] == ["name"], errors


async def test_an_idempotency_key_never_keeps_the_secrets_for_a_replay(
    desks: dict[StaffRole, Desk], db: Database
) -> None:
    """The desk sends an Idempotency-Key with every mutation: the answer with the secrets is
    marked no-store, not kept, and a retry makes another client instead of replaying it."""
    admin = desks[StaffRole.ADMIN]
    variables = {"input": {"name": "Retried"}}
    answers = []
    for _ in range(2):
        response = await admin.post(CREATE, variables, **{"Idempotency-Key": "same-key"})
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers.get("Idempotency-Replayed") != "true"
        answers.append((await response.json())["data"]["createApiClient"]["credentials"])

    assert answers[0]["apiKey"] != answers[1]["apiKey"]
    async with db.read_session() as session:
        stored = (await session.execute(text("SELECT response FROM idempotency_keys"))).all()
    kept = " ".join(str(row[0]) for row in stored)
    assert all(a["apiKey"] not in kept and a["clientSecret"] not in kept for a in answers)

"""Roles on the server, whatever the desk shows: a viewer's mutation of any kind is refused
with FORBIDDEN before anything runs (sent by hand with the viewer's own cookie and CSRF token),
an agent acts on returns but manages nothing, an admin manages the team. Every event a desk
user causes names them as its actor (X-User no longer speaks for staff); the live feed
takes the session too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.staff import Permission, StaffRole
from graphql_api.permissions import needed
from ops.app import create_app
from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials
from tests.e2e.graphql.test_graphql_auth import every_mutation
from tests.e2e.staff.staff_support import TENANT, Desk, add_user, new_desk

PROTOCOL = "graphql-transport-ws"
MERCHANT = "acme"
ORDER = {
    "merchant": MERCHANT,
    "reference": "SO-1",
    "currency": "AED",
    "customer": {"name": "Layla", "email": "layla@example.com"},
    "lines": [
        {
            "sku": "A",
            "quantity": 3,
            "unitPrice": "10.00",
            "deliveredAt": "2026-11-20T10:00:00+00:00",
        }
    ],
}
UPSERT_ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code message } } }"""
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code message } } }"""
APPROVE = """mutation ($id: ID!) { approveReturn(input: {returnRequestId: $id}) {
  returnRequest { status } userErrors { code message } } }"""
HOLD = """mutation ($id: ID!) { holdReturn(input: {returnRequestId: $id}) {
  returnRequest { status } userErrors { code message } } }"""
EVENTS = """query ($id: ID!) { returnRequest(id: $id) {
  status events { eventType actor { user source } } } }"""
INVITE = """mutation ($email: String!, $role: StaffRole!) {
  createStaffUser(input: {email: $email, role: $role}) {
    staffUser { email role hasPassword } link userErrors { code field message } } }"""
TEAM = "query { staffUsers { email role } }"
SUBSCRIBE = "subscription { returnEvents { eventType actor { user } } }"


@pytest.fixture
async def http(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    settings = Settings(migrate_on_start=False, webhook_interval_seconds=0)
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        yield client


@pytest.fixture
async def desks(
    http: TestClient, db: Database, clock: FixedClock
) -> AsyncIterator[dict[str, Desk]]:
    """A signed-in desk per role, and a return request of the tenant to act on."""
    sessions: list[aiohttp.ClientSession] = []
    signed_in: dict[str, Desk] = {}
    for role in StaffRole:
        email = f"{role.value.lower()}@example.com"
        await add_user(http, email, role, name=f"{role.value.title()} Person")
        signed_in[role.value] = desk = new_desk(http, sessions)
        assert (await desk.sign_in(email)).status == 200
    yield signed_in
    for session in sessions:
        await session.close()


async def new_return(desk: Desk, reference: str = "SO-1") -> str:
    order = ORDER | {"reference": reference}
    assert (await desk.graphql(UPSERT_ORDER, {"input": order}))["data"]["upsertOrder"][
        "userErrors"
    ] == []
    ask = {
        "merchant": MERCHANT,
        "orderReference": reference,
        "items": [{"sku": "A", "quantity": 1, "reasonCode": "DAMAGED"}],
        "pickup": {"contactName": "Layla", "address1": "1 St", "city": "Dubai", "country": "AE"},
        "dropoff": {"partnerLocationId": "WH"},
    }
    payload = (await desk.graphql(CREATE_RETURN, {"input": ask}))["data"]["createReturn"]
    assert payload["userErrors"] == [], payload
    return payload["returnRequest"]["returnRequestId"]


def own_key(variables: dict[str, Any], who: str) -> dict[str, Any]:
    """Each caller's own idempotency key, where an input carries one: a tenant's keys are
    its callers' to share, and a key reused by another caller is IDEMPOTENCY_MISMATCH."""
    given = variables.get("input")
    if isinstance(given, dict) and "idempotencyKey" in given:
        return variables | {"input": given | {"idempotencyKey": f"{who}-key"}}
    return variables


def forbidden(body: dict[str, Any]) -> bool:
    return body.get("data") is None and [e["extensions"]["code"] for e in body["errors"]] == [
        "FORBIDDEN"
    ]


async def test_a_viewers_approve_sent_by_hand_is_refused_and_changes_nothing(
    desks: dict[str, Desk],
) -> None:
    rid = await new_return(desks["AGENT"])

    refused = await desks["VIEWER"].graphql(APPROVE, {"id": rid})

    assert forbidden(refused), refused
    assert "viewer role" in refused["errors"][0]["message"]
    detail = await desks["VIEWER"].graphql(EVENTS, {"id": rid})  # reading is allowed
    assert detail["data"]["returnRequest"]["status"] == "PENDING"


async def test_every_mutation_is_refused_to_a_viewer_and_the_managing_ones_to_an_agent(
    desks: dict[str, Desk],
) -> None:
    mutations = every_mutation()
    for name, operation, variables in mutations:
        as_viewer = await desks["VIEWER"].graphql(operation, own_key(variables, "viewer"))
        as_agent = await desks["AGENT"].graphql(operation, own_key(variables, "agent"))
        as_admin = await desks["ADMIN"].graphql(operation, own_key(variables, "admin"))

        assert forbidden(as_viewer), (name, as_viewer)
        assert forbidden(as_agent) == (needed(name) == Permission.MANAGE), (name, as_agent)
        assert not forbidden(as_admin), (name, as_admin)
    assert {needed(name) for name, _, _ in mutations} == set(Permission)


async def test_an_operation_cannot_hide_a_mutation_behind_a_fragment_or_an_alias(
    desks: dict[str, Desk],
) -> None:
    hidden = """mutation { ...M } fragment M on Mutation {
      fine: createStaffUser(input: {email: "x@example.com", role: ADMIN}) { link } }"""

    assert forbidden(await desks["AGENT"].graphql(hidden))
    assert forbidden(await desks["VIEWER"].graphql(hidden))


async def test_the_desks_events_name_the_signed_in_user_whatever_x_user_says(
    desks: dict[str, Desk],
) -> None:
    agent = desks["AGENT"]
    rid = await new_return(agent)

    response = await agent.post(APPROVE, {"id": rid}, **{"X-User": "someone else"})
    body = await response.json()

    assert body["data"]["approveReturn"]["returnRequest"]["status"] == "APPROVED"
    events = (await agent.graphql(EVENTS, {"id": rid}))["data"]["returnRequest"]["events"]
    assert {e["actor"]["user"] for e in events} == {"Agent Person <agent@example.com>"}
    assert "someone else" not in json.dumps(events)


async def test_only_an_admin_sees_and_manages_the_team(desks: dict[str, Desk]) -> None:
    invited = await desks["ADMIN"].graphql(INVITE, {"email": "New@Example.com", "role": "AGENT"})
    again = await desks["ADMIN"].graphql(INVITE, {"email": "new@example.com", "role": "VIEWER"})
    team = await desks["ADMIN"].graphql(TEAM)

    payload = invited["data"]["createStaffUser"]
    assert payload["staffUser"] == {
        "email": "new@example.com",
        "role": "AGENT",
        "hasPassword": False,
    }
    assert "/desk/password#token=rsl_" in payload["link"]
    assert again["data"]["createStaffUser"]["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert {u["email"] for u in team["data"]["staffUsers"]} == {
        "admin@example.com",
        "agent@example.com",
        "viewer@example.com",
        "new@example.com",
    }
    for role in ("AGENT", "VIEWER"):
        refused = await desks[role].graphql(TEAM)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_admin_cannot_demote_or_disable_themselves(desks: dict[str, Desk]) -> None:
    admin = desks["ADMIN"]
    assert admin.user is not None
    change = """mutation ($id: String!) { updateStaffUser(input: {id: $id, role: AGENT}) {
      staffUser { role } userErrors { code } } }"""

    refused = await admin.graphql(change, {"id": admin.user["id"]})

    assert refused["data"]["updateStaffUser"]["userErrors"] == [{"code": "FORBIDDEN"}]


async def test_an_api_client_key_keeps_its_access_and_its_x_user(
    http: TestClient, db: Database, clock: FixedClock, desks: dict[str, Desk]
) -> None:
    headers = await credentials(db, clock, TENANT)
    rid = await new_return(desks["AGENT"])

    response = await http.post(
        "/graphql",
        json={"query": HOLD, "variables": {"id": rid}},
        headers=headers | {"X-User": "ops bot"},
    )

    assert (await response.json())["data"]["holdReturn"]["returnRequest"]["status"] == "ON_HOLD"
    events = (await desks["VIEWER"].graphql(EVENTS, {"id": rid}))["data"]["returnRequest"]["events"]
    assert events[-1]["actor"]["user"] == "ops bot"


async def test_the_live_feed_takes_the_session_cookie_with_its_csrf_token(
    http: TestClient, desks: dict[str, Desk]
) -> None:
    viewer, agent = desks["VIEWER"], desks["AGENT"]
    url = f"{viewer.url}/graphql"

    async with viewer.http.ws_connect(url, protocols=[PROTOCOL]) as socket:
        await socket.send_json({"type": "connection_init", "payload": {}})
        refused = await socket.receive(timeout=5)
    async with viewer.http.ws_connect(url, protocols=[PROTOCOL]) as socket:
        await socket.send_json(
            {"type": "connection_init", "payload": {"X-CSRF-Token": viewer.csrf}}
        )
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        await asyncio.sleep(0.2)
        rid = await new_return(agent, "SO-2")
        await agent.graphql(APPROVE, {"id": rid})
        seen: list[dict[str, Any]] = []
        while len(seen) < 2:
            message = await socket.receive_json(timeout=5)
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["returnEvents"])

    assert refused.type == aiohttp.WSMsgType.CLOSE and refused.data == 4403
    assert {e["actor"]["user"] for e in seen} == {"Agent Person <agent@example.com>"}


async def open_feed(desk: Desk) -> aiohttp.ClientWebSocketResponse:
    socket = await desk.http.ws_connect(f"{desk.url}/graphql", protocols=[PROTOCOL])
    await socket.send_json({"type": "connection_init", "payload": {"X-CSRF-Token": desk.csrf}})
    assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
    return socket


async def test_signing_out_or_being_disabled_closes_the_users_open_feeds_at_once(
    http: TestClient, desks: dict[str, Desk]
) -> None:
    viewer, agent, admin = desks["VIEWER"], desks["AGENT"], desks["ADMIN"]
    signed_out, disabled, untouched = (
        await open_feed(viewer),
        await open_feed(agent),
        await open_feed(admin),
    )

    await viewer.http.delete(f"{viewer.url}/desk/session", headers=viewer.headers())
    assert agent.user is not None
    change = """mutation ($id: String!) { updateStaffUser(input: {id: $id, disabled: true}) {
      userErrors { code } } }"""
    await admin.graphql(change, {"id": agent.user["id"]})

    for socket in (signed_out, disabled):
        closed = await socket.receive(timeout=5)
        assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 4403
    await untouched.send_json({"type": "ping"})
    assert (await untouched.receive_json(timeout=5))["type"] == "pong"
    for socket in (signed_out, disabled, untouched):
        await socket.close()

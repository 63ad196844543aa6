"""Subscriptions over graphql-transport-ws on the real server: a subscriber sees the changes
that mutations on other connections commit, in order and only its tenant's; `returnEvents`
resumes from a position without gap or duplicate; connection_init carries the credentials;
the server bounds what one connection may hold and drops a subscriber that falls behind."""

from __future__ import annotations

import asyncio
import json
import socket as sockets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from core.settings import Settings
from domain.access import Role
from ops.app import create_app
from ops.bootstrap import WIRING_KEY
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials
from tests.e2e.rest.carriyo_client import Carriyo

PROTOCOL = "graphql-transport-ws"
STATUS_CHANGED = """
subscription ($merchant: String, $statuses: [ReturnStatus!]) {
  returnStatusChanged(merchant: $merchant, statuses: $statuses) {
    position eventType returnRequestId previousStatus newStatus
    returnRequest { status }
  }
}
"""
EVENTS = """
subscription ($after: EventPosition) {
  returnEvents(after: $after) { position eventType returnRequestId newStatus }
}
"""
LOG = "query { returnEvents(first: 100) { edges { node { position eventType } } } }"


async def wait_for_subscribers(app: web.Application, count: int) -> None:
    for _ in range(200):
        if app[WIRING_KEY].hub.subscriber_count >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} subscribers never registered")


class Socket:
    """A bare graphql-transport-ws client, to see the protocol's messages and close codes."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def init(self, payload: Any) -> dict[str, Any]:
        await self.ws.send_json({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None):
        message = {"query": query, "variables": variables or {}}
        await self.ws.send_json({"id": id, "type": "subscribe", "payload": message})

    async def receive(self, wait: float = 5) -> dict[str, Any]:
        while True:
            message = await self.ws.receive(timeout=wait)
            if message.type == WSMsgType.TEXT:
                body = json.loads(message.data)
                if body["type"] not in ("ping", "pong"):
                    return body
            elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return {"type": "closed", "code": self.ws.close_code}

    async def next_payload(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "next", message
        return message["payload"]["data"]


@pytest.fixture
async def socket(http: TestClient, db, clock) -> AsyncIterator[Socket]:
    async with http.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        yield Socket(ws)


@pytest.fixture
async def authenticated(socket: Socket, db, clock) -> Socket:
    ack = await socket.init(await credentials(db, clock, DEFAULT_TENANT))
    assert ack["type"] == "connection_ack"
    return socket


async def test_a_subscriber_sees_status_changes_made_on_another_connection(
    http, authenticated, api
):
    await authenticated.subscribe("1", STATUS_CHANGED, {"merchant": "acme"})
    await wait_for_subscribers(http.server.app, 1)

    request = await api.pending_return()
    rid = request["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "not a status change"})
    await api.change("approveReturn", {"returnRequestId": rid})

    created = (await authenticated.next_payload())["returnStatusChanged"]
    approved = (await authenticated.next_payload())["returnStatusChanged"]
    assert (created["eventType"], created["previousStatus"], created["newStatus"]) == (
        "ReturnRequested",
        None,
        "PENDING",
    )
    assert (approved["previousStatus"], approved["newStatus"]) == ("PENDING", "APPROVED")
    assert approved["returnRequestId"] == rid
    assert approved["returnRequest"] == {"status": "APPROVED"}
    assert int(approved["position"]) > int(created["position"])


async def test_statuses_and_merchant_filter_what_a_subscriber_sees(http, authenticated, api):
    await authenticated.subscribe("1", STATUS_CHANGED, {"statuses": ["CANCELLED"]})
    await authenticated.subscribe("2", STATUS_CHANGED, {"merchant": "someone-else"})
    await wait_for_subscribers(http.server.app, 2)

    request = await api.pending_return()
    await api.change("cancelReturn", {"returnRequestId": request["returnRequestId"]})

    message = await authenticated.receive()
    assert message["id"] == "1"
    assert message["payload"]["data"]["returnStatusChanged"]["newStatus"] == "CANCELLED"
    with pytest.raises(TimeoutError):
        await authenticated.receive(wait=0.5)


async def test_return_events_resumes_after_a_position_then_goes_live(
    http, authenticated, api, graphql
):
    request = await api.pending_return()
    rid = request["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "one"})
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "two"})
    logged = (await graphql.data(LOG))["returnEvents"]["edges"]
    resume_after = logged[0]["node"]["position"]

    await authenticated.subscribe("1", EVENTS, {"after": resume_after})
    replayed = [(await authenticated.next_payload())["returnEvents"] for _ in range(2)]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "three"})
    await api.change("cancelReturn", {"returnRequestId": rid})
    live = [(await authenticated.next_payload())["returnEvents"] for _ in range(2)]

    seen = replayed + live
    positions = [int(event["position"]) for event in seen]
    assert positions == sorted(set(positions))
    assert positions[:2] == [int(e["node"]["position"]) for e in logged[1:]]
    assert [event["eventType"] for event in seen] == [
        "NoteAdded",
        "NoteAdded",
        "NoteAdded",
        "ReturnStatusChanged",
    ]
    with pytest.raises(TimeoutError):
        await authenticated.receive(wait=0.3)


async def test_resuming_while_others_write_loses_and_repeats_nothing(
    http, authenticated, api, graphql
):
    request = await api.pending_return()
    rid = request["returnRequestId"]
    for n in range(5):
        await api.change("addReturnNote", {"returnRequestId": rid, "text": f"before {n}"})

    await authenticated.subscribe("1", EVENTS, {"after": "0"})
    writes = asyncio.gather(
        *(
            api.change("addReturnNote", {"returnRequestId": rid, "text": f"during {n}"})
            for n in range(10)
        )
    )
    received = [(await authenticated.next_payload())["returnEvents"] for _ in range(16)]
    await writes

    logged = (await graphql.data(LOG))["returnEvents"]["edges"]
    assert [int(e["position"]) for e in received] == [int(e["node"]["position"]) for e in logged]
    with pytest.raises(TimeoutError):
        await authenticated.receive(wait=0.3)


async def test_subscribers_see_only_their_own_tenant(http, socket, api, db, clock):
    ack = await socket.init(await credentials(db, clock, "other-tenant", Role.READ_ONLY))
    assert ack["type"] == "connection_ack"
    await socket.subscribe("1", STATUS_CHANGED)
    await socket.subscribe("2", EVENTS, {"after": "0"})
    await wait_for_subscribers(http.server.app, 2)

    await api.pending_return()

    with pytest.raises(TimeoutError):
        await socket.receive(wait=0.5)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        "Bearer x",
        {"Authorization": "Bearer wrong", "x-api-key": "wrong", "tenant-id": DEFAULT_TENANT},
    ],
)
async def test_connection_init_without_valid_credentials_is_refused(socket, payload):
    message = await socket.init(payload)

    assert message["type"] == "closed"
    assert message["code"] in (4400, 4403)


async def test_credentials_of_another_tenant_id_are_refused(socket, db, clock):
    headers = await credentials(db, clock, DEFAULT_TENANT)

    message = await socket.init({**headers, "tenant-id": "other-tenant"})

    assert message == {"type": "closed", "code": 4403}


async def test_subscribing_before_connection_init_closes_the_socket(socket):
    await socket.subscribe("1", EVENTS)

    assert (await socket.receive()) == {"type": "closed", "code": 4401}


async def served(db, clock, **settings: Any) -> TestClient:
    app = create_app(Settings(migrate_on_start=False, **settings), db=db, clock=clock)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_a_socket_that_never_sends_connection_init_is_closed(db, clock):
    client = await served(db, clock, ws_init_timeout_seconds=0.2)
    try:
        async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
            message = await Socket(ws).receive()
    finally:
        await client.close()

    assert message == {"type": "closed", "code": 4408}


async def test_a_connection_holds_a_bounded_number_of_subscriptions(db, clock):
    client = await served(db, clock, ws_max_subscriptions=2)
    try:
        async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
            socket = Socket(ws)
            await socket.init(await credentials(db, clock, DEFAULT_TENANT))
            for n in range(3):
                await socket.subscribe(str(n), EVENTS)
            message = await socket.receive()
    finally:
        await client.close()

    assert message["type"] == "error"
    assert message["id"] == "2"
    assert message["payload"][0]["message"] == "Subscription limit reached"


async def test_the_legacy_protocol_is_off_unless_configured(http):
    async with http.ws_connect("/graphql", protocols=["graphql-ws"]) as ws:
        message = await Socket(ws).receive()

    assert message == {"type": "closed", "code": 4406}


def small_receive_buffer(addr_info: Any) -> sockets.socket:
    """A client socket whose kernel takes little before the server has to buffer."""
    family, kind, proto, _, _ = addr_info
    sock = sockets.socket(family, kind, proto)
    sock.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    return sock


WITH_NOTES = """
subscription { returnEvents { position eventType returnRequest { notes { text } } } }
"""


async def test_a_subscriber_that_stops_reading_is_closed_and_others_go_on(db, clock, api):
    """Frames a connection cannot take wait in a backlog of `subscriber_queue_size`; past it
    the subscriber is closed with 4429 and may resume, while one that reads gets everything.
    (Each frame carries every note so far, so the stalled peer's buffers fill quickly.)"""
    client = await served(db, clock, subscriber_queue_size=2)
    headers = await credentials(db, clock, DEFAULT_TENANT)
    connector = aiohttp.TCPConnector(socket_factory=small_receive_buffer)
    received: list[dict[str, Any]] = []

    async def read(socket: Socket) -> None:
        while True:
            received.append(await socket.next_payload())

    try:
        async with (
            aiohttp.ClientSession(connector=connector) as stalled_session,
            stalled_session.ws_connect(
                client.make_url("/graphql"), protocols=[PROTOCOL], max_msg_size=0
            ) as stalled_ws,
            client.ws_connect("/graphql", protocols=[PROTOCOL], max_msg_size=0) as reading_ws,
        ):
            stalled, reading = Socket(stalled_ws), Socket(reading_ws)
            for one in (stalled, reading):
                await one.init(headers)
                await one.subscribe("1", WITH_NOTES)
            await wait_for_subscribers(client.server.app, 2)
            reader = asyncio.create_task(read(reading))
            rid = (await api.pending_return())["returnRequestId"]
            notes = 60  # about 9 MB for each subscriber, more than the kernel buffers
            for _ in range(notes):
                await api.change("addReturnNote", {"returnRequestId": rid, "text": "n" * 5000})
            for _ in range(500):
                if len(received) == notes + 1:
                    break
                await asyncio.sleep(0.01)
            reader.cancel()
            closing = [await stalled.receive(wait=10) for _ in range(notes + 2)]
    finally:
        await client.close()

    events = [r["returnEvents"] for r in received]
    assert [e["eventType"] for e in events] == ["ReturnRequested"] + ["NoteAdded"] * notes
    assert len(events[-1]["returnRequest"]["notes"]) == notes
    end = next(n for n, message in enumerate(closing) if message["type"] == "closed")
    positions = [int(m["payload"]["data"]["returnEvents"]["position"]) for m in closing[:end]]
    assert closing[end] == {"type": "closed", "code": 4429}
    assert positions == list(range(1, len(positions) + 1)) and len(positions) < notes + 1


RICH = """
subscription ($after: EventPosition, $withRequest: Boolean!) {
  live: returnEvents(after: $after) {
    ...Facts
    returnRequest @include(if: $withRequest) { returnRequestId merchant }
  }
}
fragment Facts on ReturnEvent {
  position eventType previousStatus newStatus payload actor { source user } occurredAt
}
"""


async def test_live_frames_are_exactly_what_a_replay_of_the_same_events_renders(
    http, authenticated, api, db, clock
):
    """Live events are rendered once for all subscribers of a selection, replayed ones by
    strawberry for one subscriber: fragments, aliases, directives and variables give the
    same frame either way."""
    await authenticated.subscribe("1", RICH, {"withRequest": True})
    await wait_for_subscribers(http.server.app, 1)
    request = await api.pending_return()
    rid = request["returnRequestId"]
    await api.change("approveReturn", {"returnRequestId": rid})
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "ü €"})
    log = await api.graphql.data(LOG)
    count = len(log["returnEvents"]["edges"])
    live = [await authenticated.next_payload() for _ in range(count)]

    async with http.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        replaying = Socket(ws)
        await replaying.init(await credentials(db, clock, DEFAULT_TENANT))
        await replaying.subscribe("1", RICH, {"after": "0", "withRequest": True})
        replayed = [await replaying.next_payload() for _ in range(count)]

    assert live == replayed
    assert live[0]["live"]["returnRequest"] == {"returnRequestId": rid, "merchant": "acme"}
    assert [event["live"]["eventType"] for event in live][-1] == "NoteAdded"


def request_reads(statements: Any) -> int:
    return sum(1 for sql in statements.statements if sql.startswith("SELECT return_requests."))


SHARED = """
subscription ($after: EventPosition, $merchant: String) {
  returnEvents(after: $after, filter: {merchant: $merchant}) { position returnRequest { status } }
}
"""


async def test_subscribers_of_one_document_share_one_rendering_of_each_event(
    http, authenticated, api, statements
):
    """However many subscribe, and whatever they filter on or resume from, an event costs
    one rendering per document: here one read of the request, not one each."""
    rid = (await api.pending_return())["returnRequestId"]
    await authenticated.subscribe("1", SHARED)
    await wait_for_subscribers(http.server.app, 1)
    statements.reset()
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "first"})
    await authenticated.next_payload()
    alone = request_reads(statements)

    await authenticated.subscribe("2", SHARED, {"after": "0"})
    await authenticated.subscribe("3", SHARED, {"merchant": "acme"})
    await authenticated.subscribe("4", "subscription { returnStatusChanged { position } }")
    await authenticated.subscribe("5", SHARED)
    await wait_for_subscribers(http.server.app, 5)
    replays = [await authenticated.next_payload() for _ in range(2)]  # "2" replays 2 events
    statements.reset()
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "second"})
    frames = [await authenticated.receive() for _ in range(4)]

    assert {r["returnEvents"]["position"] for r in replays} == {"1", "2"}
    assert sorted(f["id"] for f in frames) == ["1", "2", "3", "5"]  # "4": status changes only
    assert len({json.dumps(f["payload"]) for f in frames}) == 1
    assert request_reads(statements) == alone  # the note's own read, plus one rendering
    assert http.server.app[WIRING_KEY].hub.rendering_count == 2


@pytest.mark.parametrize(
    "payload",
    [
        "a string",
        {"variables": {}},
        {"query": EVENTS, "variables": "not an object"},
        {"query": EVENTS, "operationName": 7},
    ],
)
async def test_a_malformed_subscribe_message_closes_the_socket_with_4400(authenticated, payload):
    await authenticated.ws.send_json({"id": "1", "type": "subscribe", "payload": payload})

    assert await authenticated.receive() == {"type": "closed", "code": 4400}


async def test_a_malformed_start_on_the_legacy_protocol_gets_an_error(db, clock):
    client = await served(db, clock, ws_legacy_protocol=True)
    try:
        async with client.ws_connect("/graphql", protocols=["graphql-ws"]) as ws:
            socket = Socket(ws)
            await socket.init(await credentials(db, clock, DEFAULT_TENANT))
            payload = {"query": EVENTS, "variables": "not an object"}
            await ws.send_json({"id": "a", "type": "start", "payload": payload})
            answer = await socket.receive()
            while answer["type"] == "ka":
                answer = await socket.receive()
    finally:
        await client.close()

    assert answer == {
        "type": "error",
        "id": "a",
        "payload": {"message": "payload.variables must be an object"},
    }


async def test_no_frame_follows_the_completion_of_a_subscription(http, authenticated, api):
    await authenticated.subscribe("1", EVENTS)
    await authenticated.subscribe("2", EVENTS)
    await wait_for_subscribers(http.server.app, 2)
    await authenticated.ws.send_json({"id": "1", "type": "complete"})

    await api.pending_return()
    first = await authenticated.receive()
    with pytest.raises(TimeoutError):
        await authenticated.receive(wait=0.3)

    assert first["id"] == "2" and first["type"] == "next"


async def test_the_legacy_protocol_when_enabled_streams_data_messages(db, clock, api):
    client = await served(db, clock, ws_legacy_protocol=True)
    try:
        async with client.ws_connect("/graphql", protocols=["graphql-ws"]) as ws:
            socket = Socket(ws)
            ack = await socket.init(await credentials(db, clock, DEFAULT_TENANT))
            await ws.send_json({"id": "a", "type": "start", "payload": {"query": EVENTS}})
            await wait_for_subscribers(client.server.app, 1)
            await api.pending_return()
            data = await socket.receive()
            while data["type"] == "ka":  # the legacy protocol's keep-alive
                data = await socket.receive()
    finally:
        await client.close()

    assert ack["type"] == "connection_ack"
    assert data["type"] == "data" and data["id"] == "a"
    assert data["payload"]["data"]["returnEvents"]["eventType"] == "ReturnRequested"


async def test_a_websocket_from_a_foreign_browser_origin_is_refused(http):
    response = await http.get(
        "/graphql",
        headers={
            "Origin": "https://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Protocol": PROTOCOL,
        },
    )

    assert response.status == 403


async def test_a_gql_client_over_websockets_receives_live_changes(http, api, db, clock):
    url = str(http.make_url("/graphql")).replace("http://", "ws://")
    transport = WebsocketsTransport(
        url=url,
        init_payload=await credentials(db, clock, DEFAULT_TENANT),
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
        if hasattr(WebsocketsTransport, "GRAPHQLWS_SUBPROTOCOL")
        else None,
    )
    async with Client(transport=transport) as session:
        stream = session.subscribe(
            GraphQLRequest(STATUS_CHANGED, variable_values={"merchant": "acme"})
        )
        first = asyncio.ensure_future(stream.__anext__())
        await wait_for_subscribers(http.server.app, 1)
        request = await api.pending_return()
        await api.change(
            "rejectReturn", {"returnRequestId": request["returnRequestId"], "reason": "WORN"}
        )
        created = await asyncio.wait_for(first, 5)
        rejected = await asyncio.wait_for(stream.__anext__(), 5)
        await stream.aclose()

    assert created["returnStatusChanged"]["newStatus"] == "PENDING"
    assert rejected["returnStatusChanged"]["newStatus"] == "REJECTED"


async def test_changes_through_the_rest_shim_reach_subscribers_at_once(http, authenticated):
    await authenticated.subscribe("1", STATUS_CHANGED)
    await wait_for_subscribers(http.server.app, 1)

    approved = await Carriyo(http).approved()

    created = (await authenticated.next_payload())["returnStatusChanged"]
    moved = (await authenticated.next_payload())["returnStatusChanged"]
    assert created["returnRequestId"] == approved["return_request_id"]
    assert (moved["previousStatus"], moved["newStatus"]) == ("PENDING", "APPROVED")


QUERY_STATUS = "query ($id: ID!) { returnRequest(id: $id) { status } }"
NOTES = "query ($id: ID!) { returnRequest(id: $id) { notes { id } } }"
ADD_NOTE = """mutation ($input: AddReturnNoteInput!) {
  addReturnNote(input: $input) { userErrors { code } } }"""


async def test_queries_over_a_websocket_read_fresh_data(authenticated, api):
    request = await api.pending_return()
    rid = request["returnRequestId"]
    await authenticated.subscribe("1", QUERY_STATUS, {"id": rid})
    first = await authenticated.next_payload()
    assert (await authenticated.receive()) == {"id": "1", "type": "complete"}
    await api.change("approveReturn", {"returnRequestId": rid})

    await authenticated.subscribe("2", QUERY_STATUS, {"id": rid})
    second = await authenticated.next_payload()

    assert first["returnRequest"]["status"] == "PENDING"
    assert second["returnRequest"]["status"] == "APPROVED"


async def test_mutations_go_over_http_not_the_websocket(authenticated, api):
    request = await api.pending_return()
    note = {"returnRequestId": request["returnRequestId"], "text": "x", "idempotencyKey": "k"}

    await authenticated.subscribe("1", ADD_NOTE, {"input": note})
    message = await authenticated.receive()

    assert message["type"] in ("next", "error")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert "HTTP POST" in errors[0]["message"]
    notes = await api.graphql.data(NOTES, {"id": request["returnRequestId"]})
    assert notes["returnRequest"]["notes"] == []  # nothing ran


async def test_an_expired_token_ends_the_subscription_and_refuses_operations(
    http, socket, api, db, clock
):
    headers = await credentials(db, clock, DEFAULT_TENANT, lifetime=timedelta(hours=1))
    await socket.init(headers)
    await socket.subscribe("1", STATUS_CHANGED)
    await wait_for_subscribers(http.server.app, 1)
    clock.advance(hours=2)

    await api.pending_return()
    closed = await socket.receive()

    assert closed == {"type": "closed", "code": 4403}


async def test_an_expired_token_cannot_run_new_operations(socket, db, clock):
    headers = await credentials(db, clock, DEFAULT_TENANT, lifetime=timedelta(hours=1))
    await socket.init(headers)
    clock.advance(hours=2)

    await socket.subscribe("1", LOG)
    message = await socket.receive()

    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_subscription_over_plain_http_is_refused_clearly(graphql):
    body = await graphql.execute(EVENTS)

    assert body["errors"][0]["message"].startswith("subscriptions run over a websocket")


async def test_a_connection_init_with_broken_unicode_is_refused(socket, db, clock):
    headers = await credentials(db, clock, DEFAULT_TENANT)

    message = await socket.init({**headers, "x-api-key": "\ud800"})

    assert message == {"type": "closed", "code": 4403}

"""Webhooks end to end, against a real local HTTP receiver: endpoints are registered over
GraphQL; each committed event an endpoint wants becomes one signed POST whose body is the
return request as the Carriyo API shows it; failures are recorded and retried with backoff
until they succeed or give up; deliveries are listed and can be re-sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from delivery.webhooks import WebhookSender
from domain.webhooks import MAX_ATTEMPTS, MAX_ENDPOINTS, WebhookEndpoint, verify
from ops.app import create_app
from persistence.tables import DEFAULT_TENANT
from persistence.unit_of_work import SqlUnitOfWork
from rest.carriyo.serializers import return_request
from tests.e2e.conftest import GraphQLClient, credentials
from tests.e2e.graphql.conftest import ReturnsApi

SECRET = "a-shared-secret-of-32-characters"
CREATE = """
mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    webhookEndpoint { id merchant url eventTypes active secretHint }
    secret userErrors { code field message }
  }
}
"""
UPDATE = """
mutation ($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    webhookEndpoint { id url active eventTypes } secret userErrors { code field }
  }
}
"""
DELETE = """
mutation ($id: String!) {
  deleteWebhookEndpoint(input: {id: $id}) { deleted userErrors { code } }
}
"""
ENDPOINTS = "query { webhookEndpoints { id url eventTypes } }"
DELIVERIES = """
query ($first: Int!, $after: String, $filter: WebhookDeliveryFilter) {
  webhookDeliveries(first: $first, after: $after, filter: $filter) {
    edges { cursor node {
      id endpointId status attempts nextAttemptAt lastAttemptAt responseStatus lastError
      deliveredAt event { eventType returnRequestId position }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
RESEND = """
mutation ($id: String!) {
  resendWebhookDelivery(input: {deliveryId: $id}) {
    delivery { id status attempts event { eventType } } userErrors { code }
  }
}
"""


class Receiver:
    """A merchant's webhook endpoint: records what arrives, answers what it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        self.arrived.set()
        return web.Response(status=self.answers.pop(0) if self.answers else 200, text="ok")

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", target.handle)
    server = TestServer(app)
    await server.start_server()
    yield target, str(server.make_url("/hooks"))
    await server.close()


def local_sender(db, clock, timeout_seconds: float = 10) -> WebhookSender:  # type: ignore[no-untyped-def]
    """A sender allowed to reach the receivers on 127.0.0.1 (production refuses them)."""
    return WebhookSender(
        db,
        clock,
        payload=return_request,
        timeout_seconds=timeout_seconds,
        allow_private_targets=True,
    )


async def register(graphql: GraphQLClient, url: str, **extra: Any) -> dict[str, Any]:
    data = await graphql.data(CREATE, {"input": {"url": url, "secret": SECRET, **extra}})
    payload = data["createWebhookEndpoint"]
    assert payload["userErrors"] == [], payload
    return payload


async def deliveries(graphql: GraphQLClient, **filter: Any) -> list[dict[str, Any]]:
    data = await graphql.data(DELIVERIES, {"first": 100, "filter": filter or None})
    return [edge["node"] for edge in data["webhookDeliveries"]["edges"]]


async def test_each_wanted_event_is_posted_signed_with_the_request_as_body(
    graphql, receiver, db, clock
):
    target, url = receiver
    api = ReturnsApi(graphql)
    await register(graphql, url, eventTypes=["ReturnRequested", "ReturnStatusChanged"])
    request = await api.pending_return()
    rid = request["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "not wanted"})
    await api.change("cancelReturn", {"returnRequestId": rid})

    sent = await local_sender(db, clock).send_due()

    assert sent == 2
    types = [headers["X-Returns-Event-Type"] for headers, _ in target.received]
    assert types == ["ReturnRequested", "ReturnStatusChanged"]
    for headers, body in target.received:
        assert verify(SECRET, headers["X-Returns-Signature"], headers, body)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Returns-Return-Request-Id"] == rid
    positions = [int(h["X-Returns-Event-Position"]) for h, _ in target.received]
    assert positions == sorted(positions)
    body = target.bodies()[0]
    assert body["return_request_id"] == rid
    assert body["status"] == "cancelled"  # the request as it stands when sent
    listed = await deliveries(graphql)
    assert {d["status"] for d in listed} == {"DELIVERED"}
    assert {d["responseStatus"] for d in listed} == {200}
    assert {h["X-Returns-Delivery"] for h, _ in target.received} == {d["id"] for d in listed}


async def test_the_running_server_delivers_right_after_the_commit(db, clock, receiver):
    target, url = receiver
    app = create_app(
        Settings(migrate_on_start=False, webhook_allow_private_targets=True), db=db, clock=clock
    )
    headers = await credentials(db, clock, DEFAULT_TENANT)
    async with TestClient(TestServer(app), headers=headers) as client:
        graphql = GraphQLClient(client)
        await register(graphql, url, merchant="acme")

        await ReturnsApi(graphql).pending_return()

        await asyncio.wait_for(target.arrived.wait(), timeout=10)
    assert target.received[0][0]["X-Returns-Event-Type"] == "ReturnRequested"


async def test_other_merchants_and_other_tenants_get_nothing(graphql, receiver, db, clock):
    target, url = receiver
    await register(graphql, url, merchant="someone-else")
    other_tenant = GraphQLClient(graphql.http)
    other_headers = await credentials(db, clock, "other-tenant")
    data = await other_tenant.data(
        CREATE, {"input": {"url": url, "secret": SECRET}}, headers=other_headers
    )
    assert data["createWebhookEndpoint"]["userErrors"] == []

    await ReturnsApi(graphql).pending_return()

    assert await local_sender(db, clock).send_due() == 0
    assert target.received == []
    foreign = await other_tenant.data(DELIVERIES, {"first": 10}, headers=other_headers)
    assert foreign["webhookDeliveries"]["edges"] == []


async def test_failures_are_recorded_and_retried_with_backoff(graphql, receiver, db, clock):
    target, url = receiver
    target.answers = [500, 503]
    await register(graphql, url, eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()
    sender = local_sender(db, clock)

    assert await sender.send_due() == 1
    [failed] = await deliveries(graphql)
    assert (failed["status"], failed["attempts"], failed["responseStatus"]) == ("PENDING", 1, 500)
    assert failed["lastError"].startswith("HTTP 500")
    assert await sender.send_due() == 0  # not due before its backoff

    clock.advance(seconds=30)
    assert await sender.send_due() == 1
    clock.advance(minutes=1)
    assert await sender.send_due() == 1

    [delivered] = await deliveries(graphql)
    assert (delivered["status"], delivered["attempts"]) == ("DELIVERED", 3)
    assert delivered["deliveredAt"] and delivered["lastError"] is None
    assert len(target.received) == 3
    assert len({h["X-Returns-Delivery"] for h, _ in target.received}) == 1


async def test_an_unreachable_endpoint_gives_up_after_the_last_attempt(graphql, db, clock):
    await register(graphql, "http://127.0.0.1:9/unreachable", eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()
    sender = local_sender(db, clock, timeout_seconds=2)

    for _ in range(MAX_ATTEMPTS):
        assert await sender.send_due() == 1
        clock.advance(hours=7)

    [failed] = await deliveries(graphql)
    assert (failed["status"], failed["attempts"]) == ("FAILED", MAX_ATTEMPTS)
    assert failed["nextAttemptAt"] is None and failed["lastError"]
    assert await sender.send_due() == 0


async def test_a_delivery_can_be_resent_as_a_new_one(graphql, receiver, db, clock):
    target, url = receiver
    await register(graphql, url, eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()
    sender = local_sender(db, clock)
    await sender.send_due()
    [original] = await deliveries(graphql)

    data = await graphql.data(RESEND, {"id": original["id"]})
    resent = data["resendWebhookDelivery"]["delivery"]
    await sender.send_due()

    assert resent["id"] != original["id"] and resent["status"] == "PENDING"
    first, second = (headers["X-Returns-Event-Id"] for headers, _ in target.received)
    assert first == second
    assert [d["status"] for d in await deliveries(graphql)] == ["DELIVERED", "DELIVERED"]
    missing = await graphql.data(RESEND, {"id": "no-such-delivery"})
    assert missing["resendWebhookDelivery"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_endpoints_are_listed_changed_and_deleted(graphql, receiver):
    _, url = receiver
    created = await register(graphql, url)
    endpoint_id = created["webhookEndpoint"]["id"]
    assert created["secret"] == SECRET
    assert created["webhookEndpoint"]["secretHint"] == SECRET[-4:]
    generated = await graphql.data(CREATE, {"input": {"url": url}})
    assert len(generated["createWebhookEndpoint"]["secret"]) >= 32

    changed = await graphql.data(
        UPDATE, {"input": {"id": endpoint_id, "active": False, "eventTypes": ["NoteAdded"]}}
    )
    assert changed["updateWebhookEndpoint"]["webhookEndpoint"] == {
        "id": endpoint_id,
        "url": url,
        "active": False,
        "eventTypes": ["NoteAdded"],
    }
    assert changed["updateWebhookEndpoint"]["secret"] is None
    assert len((await graphql.data(ENDPOINTS))["webhookEndpoints"]) == 2

    deleted = await graphql.data(DELETE, {"id": endpoint_id})
    assert deleted["deleteWebhookEndpoint"] == {"deleted": True, "userErrors": []}
    again = await graphql.data(DELETE, {"id": endpoint_id})
    assert again["deleteWebhookEndpoint"]["userErrors"] == [{"code": "NOT_FOUND"}]


@pytest.mark.parametrize(
    ("input", "field", "code"),
    [
        ({"url": "not a url"}, "url", "INVALID_INPUT"),
        ({"url": "https://x.example/h", "eventTypes": ["Nope"]}, "eventTypes", "UNKNOWN_CODE"),
        ({"url": "https://x.example/h", "secret": "short"}, "secret", "INVALID_INPUT"),
    ],
)
async def test_bad_endpoints_are_refused_with_user_errors(graphql, input, field, code):
    data = await graphql.data(CREATE, {"input": input})

    payload = data["createWebhookEndpoint"]
    assert payload["webhookEndpoint"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert (await graphql.data(ENDPOINTS))["webhookEndpoints"] == []


async def test_a_slow_endpoint_times_out_and_is_retried(graphql, db, clock):
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response()

    app = web.Application()
    app.router.add_post("/slow", slow)
    server = TestServer(app)
    await server.start_server()
    try:
        await register(graphql, str(server.make_url("/slow")), eventTypes=["ReturnRequested"])
        await ReturnsApi(graphql).pending_return()
        assert await local_sender(db, clock, timeout_seconds=0.5).send_due() == 1
    finally:
        await server.close()

    [pending] = await deliveries(graphql)
    assert pending["status"] == "PENDING" and "Timeout" in pending["lastError"]
    assert pending["nextAttemptAt"] is not None


async def test_senders_in_several_processes_never_send_a_delivery_twice(
    graphql, receiver, db, clock
):
    target, url = receiver
    await register(graphql, url)
    api = ReturnsApi(graphql)
    request = await api.pending_return()
    for n in range(30):
        await api.change(
            "addReturnNote", {"returnRequestId": request["returnRequestId"], "text": f"{n}"}
        )

    sent = await asyncio.gather(*(local_sender(db, clock).send_due() for _ in range(4)))

    ids = [headers["X-Returns-Delivery"] for headers, _ in target.received]
    assert sum(sent) == len(ids) == 31
    assert len(set(ids)) == 31


async def test_targets_inside_our_network_are_refused_by_default(graphql, receiver, db, clock):
    target, url = receiver  # 127.0.0.1
    await register(graphql, url, eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()

    assert await WebhookSender(db, clock, payload=return_request).send_due() == 1

    assert target.received == []
    [refused] = await deliveries(graphql)
    assert refused["status"] == "PENDING"
    assert "private, loopback or link-local" in refused["lastError"]


async def test_names_resolving_inside_our_network_are_refused_when_connecting(
    graphql, receiver, db, clock
):
    target, url = receiver
    await register(graphql, url.replace("127.0.0.1", "localhost"), eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()

    assert await WebhookSender(db, clock, payload=return_request).send_due() == 1

    assert target.received == []
    [refused] = await deliveries(graphql)
    assert "private, loopback or link-local" in refused["lastError"]


# Every spelling of the receiver's own address (127.0.0.1), or of one that reaches it. The
# client maps the non-ASCII ones (IDNA/UTS46, NFKC) onto the ASCII literal.
LOOKALIKE_LITERALS = [
    "127\u30020\u30020\u30021",  # ideographic full stops
    "127\uff0e0\uff0e0\uff0e1",  # fullwidth full stops
    "127\uff610\uff610\uff611",  # halfwidth ideographic full stops
    "\uff11\uff12\uff17.\uff10.\uff10.\uff11",  # fullwidth digits
    "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11",
    "\u2460\u2461\u2466.\u24ea.\u24ea.\u2460",  # circled digits
    "\U0001d7cf\U0001d7d0\U0001d7d5.\U0001d7ce.\U0001d7ce.\U0001d7cf",  # mathematical
    "\uff10.\uff10.\uff10.\uff10",  # 0.0.0.0
]
SAME_ADDRESS = [
    "127.0.0.1",
    *LOOKALIKE_LITERALS,
    "[::ffff:127.0.0.1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "0.0.0.0",
    "127.0.0.1.",
    "2130706433",
    "0x7f.1",
    "127.1",
    "localhost",
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",  # fullwidth localhost
]


async def test_no_spelling_of_an_inner_address_reaches_a_local_listener(
    graphql, receiver, db, clock
):
    """Endpoints as an older release may have stored them, before registration refused the
    non-ASCII forms: the sender must refuse them on its own."""
    target, url = receiver
    port = url.split(":")[2].split("/")[0]
    async with SqlUnitOfWork(db, tenant_id=DEFAULT_TENANT, clock=clock) as uow:
        for host in SAME_ADDRESS:
            stored = WebhookEndpoint.register(url="https://hooks.example.com/h", now=clock.now())
            await uow.webhooks.add(replace(stored, url=f"http://{host}:{port}/hooks"))
        await uow.commit()
    await ReturnsApi(graphql).pending_return()

    assert await WebhookSender(
        db, clock, payload=return_request, timeout_seconds=2
    ).send_due() == len(SAME_ADDRESS)

    assert target.received == []
    refused = await deliveries(graphql)
    assert len(refused) == len(SAME_ADDRESS)
    assert {d["status"] for d in refused} == {"PENDING"}
    assert all(d["lastError"] for d in refused)


@pytest.mark.parametrize("host", LOOKALIKE_LITERALS)
async def test_non_ascii_spellings_of_an_address_are_refused_at_registration(
    graphql, receiver, host
):
    _, url = receiver
    data = await graphql.data(CREATE, {"input": {"url": url.replace("127.0.0.1", host)}})

    assert [e["field"] for e in data["createWebhookEndpoint"]["userErrors"]] == ["url"]
    assert (await graphql.data(ENDPOINTS))["webhookEndpoints"] == []


async def test_redirects_are_not_followed(graphql, receiver, db, clock):
    target, inner_url = receiver

    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(inner_url)

    app = web.Application()
    app.router.add_post("/moved", redirect)
    server = TestServer(app)
    await server.start_server()
    try:
        await register(graphql, str(server.make_url("/moved")), eventTypes=["ReturnRequested"])
        await ReturnsApi(graphql).pending_return()
        await local_sender(db, clock).send_due()
    finally:
        await server.close()

    assert target.received == []
    [failed] = await deliveries(graphql)
    assert (failed["status"], failed["responseStatus"], failed["lastError"]) == (
        "PENDING",
        307,
        "HTTP 307",
    )


@pytest.mark.parametrize(
    "url", ["http://example.com:99999/h", "http://a..b/h", "http://[::1/h", "http://999.1.1.1/"]
)
async def test_urls_that_cannot_be_sent_to_are_refused_at_registration(graphql, url):
    data = await graphql.data(CREATE, {"input": {"url": url}})

    assert [e["field"] for e in data["createWebhookEndpoint"]["userErrors"]] == ["url"]


async def test_a_paused_endpoint_gets_neither_retries_nor_resends(graphql, receiver, db, clock):
    target, url = receiver
    target.answers = [500]
    created = await register(graphql, url, eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()
    sender = local_sender(db, clock)
    await sender.send_due()
    endpoint_id = created["webhookEndpoint"]["id"]

    await graphql.data(UPDATE, {"input": {"id": endpoint_id, "active": False}})
    clock.advance(hours=1)
    assert await sender.send_due() == 0
    [pending] = await deliveries(graphql)
    resend = await graphql.data(RESEND, {"id": pending["id"]})

    assert resend["resendWebhookDelivery"]["userErrors"] == [{"code": "NOT_FOUND"}]
    assert len(target.received) == 1
    await graphql.data(UPDATE, {"input": {"id": endpoint_id, "active": True}})
    assert await sender.send_due() == 1
    assert len(target.received) == 2


async def test_one_broken_target_does_not_stop_the_others(graphql, receiver, db, clock):
    target, url = receiver
    await register(graphql, url, eventTypes=["ReturnRequested"])
    await register(graphql, "http://no-such-host.invalid/h", eventTypes=["ReturnRequested"])
    await ReturnsApi(graphql).pending_return()

    await local_sender(db, clock, timeout_seconds=2).send_due()

    statuses = sorted(d["status"] for d in await deliveries(graphql))
    assert statuses == ["DELIVERED", "PENDING"]
    assert len(target.received) == 1


async def test_a_tenant_has_a_bounded_number_of_endpoints(graphql):
    for n in range(MAX_ENDPOINTS):
        await register(graphql, f"https://hooks.example.com/{n}")

    data = await graphql.data(CREATE, {"input": {"url": "https://hooks.example.com/one-more"}})

    assert [e["code"] for e in data["createWebhookEndpoint"]["userErrors"]] == ["LIMIT_EXCEEDED"]


async def test_concurrent_registrations_never_pass_the_endpoint_limit(graphql):
    for n in range(MAX_ENDPOINTS - 5):
        await register(graphql, f"https://hooks.example.com/{n}")

    answers = await asyncio.gather(
        *(
            graphql.data(CREATE, {"input": {"url": f"https://hooks.example.com/race-{n}"}})
            for n in range(10)
        )
    )

    errors = [a["createWebhookEndpoint"]["userErrors"] for a in answers]
    assert sorted(len(e) for e in errors) == [0] * 5 + [1] * 5
    assert {e[0]["code"] for e in errors if e} == {"LIMIT_EXCEEDED"}
    assert len((await graphql.data(ENDPOINTS))["webhookEndpoints"]) == MAX_ENDPOINTS


VERSIONED_UPDATE = """
mutation ($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    webhookEndpoint { url active eventTypes version } userErrors { code field }
  }
}
"""


async def test_an_update_made_on_a_stale_version_is_refused(graphql):
    created = await register(graphql, "https://hooks.example.com/a")
    endpoint_id = created["webhookEndpoint"]["id"]
    edit = {"id": endpoint_id, "expectedVersion": 1}

    first = await graphql.data(
        VERSIONED_UPDATE, {"input": edit | {"url": "https://hooks.example.com/b"}}
    )
    stale = await graphql.data(VERSIONED_UPDATE, {"input": edit | {"active": False}})

    assert first["updateWebhookEndpoint"]["webhookEndpoint"]["version"] == 2
    assert stale["updateWebhookEndpoint"] == {
        "webhookEndpoint": None,
        "userErrors": [{"code": "VERSION_CONFLICT", "field": "expectedVersion"}],
    }
    [stored] = (await graphql.data(ENDPOINTS))["webhookEndpoints"]
    assert stored["url"] == "https://hooks.example.com/b"


async def test_concurrent_updates_of_different_fields_all_apply(graphql):
    created = await register(graphql, "https://hooks.example.com/a")
    endpoint_id = created["webhookEndpoint"]["id"]
    edits = [
        {"active": False},
        {"eventTypes": ["NoteAdded"]},
        {"url": "https://hooks.example.com/b"},
    ]

    answers = await asyncio.gather(
        *(graphql.data(VERSIONED_UPDATE, {"input": {"id": endpoint_id, **e}}) for e in edits)
    )

    assert all(a["updateWebhookEndpoint"]["userErrors"] == [] for a in answers)
    versions = sorted(a["updateWebhookEndpoint"]["webhookEndpoint"]["version"] for a in answers)
    assert versions == [2, 3, 4]
    final = next(
        a["updateWebhookEndpoint"]["webhookEndpoint"]
        for a in answers
        if a["updateWebhookEndpoint"]["webhookEndpoint"]["version"] == 4
    )
    assert (final["active"], final["eventTypes"], final["url"]) == (
        False,
        ["NoteAdded"],
        "https://hooks.example.com/b",
    )

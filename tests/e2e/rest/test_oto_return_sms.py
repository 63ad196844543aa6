"""POST /rest/v2/triggerReturnSms: answered at once, delivered in the background, and the
outcome kept in the notifications log that GraphQL reads. The gateway is a real local HTTP
server, so the HTTP sender is tested the way it runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from delivery.senders import HttpSmsSender
from ops.bootstrap import WIRING_KEY
from tests.e2e.rest.oto_support import ORDER_ID, Oto, oto_settings, serve


class Gateway:
    """A local SMS gateway: records what it receives and answers with `status`; `hold` keeps
    each answer back until released (to prove the API answered before sending)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.status = 200
        self.hold: asyncio.Event | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((await request.json(), dict(request.headers)))
        if self.hold is not None:
            await self.hold.wait()
        return web.json_response({"queued": self.status < 300}, status=self.status)


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[Gateway, str]]:
    receiver = Gateway()
    app = web.Application()
    app.router.add_post("/sms", receiver.handle)
    async with TestServer(app) as server:
        yield receiver, str(server.make_url("/sms"))


@pytest.fixture
async def oto_with_gateway(db, clock, gateway) -> AsyncIterator[Oto]:
    _, url = gateway
    settings = oto_settings(sms_gateway_url=url, sms_gateway_token="gw-token")
    async for client in serve(db, clock, settings):
        yield Oto(client, db, clock)


async def drain(oto: Oto) -> None:
    await oto.http.app[WIRING_KEY].notifier.drain()


async def returned(oto: Oto) -> dict[str, Any]:
    await oto.configure()
    await oto.order()
    return await oto.shipment()


async def test_the_sms_is_queued_and_logged_without_a_gateway(oto):
    request = await returned(oto)
    status, answer = await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
    assert status == 200
    assert set(answer) == {
        "success",
        "orderId",
        "returnRequestId",
        "notificationId",
        "status",
        "message",
    }
    assert (answer["success"], answer["status"]) == (True, "queued")
    assert answer["returnRequestId"] == request["returnRequestId"]
    await drain(oto)
    [logged] = await oto.notifications()
    assert logged["notificationId"] == answer["notificationId"]
    assert (logged["status"], logged["channel"], logged["recipient"]) == (
        "LOGGED",
        "SMS",
        "+966500000001",
    )
    assert request["returnRequestId"] in logged["body"]


async def test_the_answer_comes_before_the_gateway_is_done(oto_with_gateway, gateway):
    receiver, _ = gateway
    receiver.hold = asyncio.Event()
    await returned(oto_with_gateway)
    status, answer = await oto_with_gateway.post("triggerReturnSms", {"orderId": ORDER_ID})
    assert (status, answer["status"]) == (200, "queued")
    [pending] = await oto_with_gateway.notifications()
    assert pending["status"] == "QUEUED"
    receiver.hold.set()
    await drain(oto_with_gateway)
    [sent] = await oto_with_gateway.notifications()
    assert (sent["status"], sent["attempts"], sent["error"]) == ("SENT", 1, None)
    [(message, headers)] = receiver.received
    assert message == {
        "to": "+966500000001",
        "message": sent["body"],
        "reference": answer["notificationId"],
        "merchant": "acme",
        "orderId": ORDER_ID,
        "returnRequestId": answer["returnRequestId"],
    }
    assert headers["Authorization"] == "Bearer gw-token"
    assert headers["Idempotency-Key"] == answer["notificationId"]


async def test_a_refusing_gateway_is_recorded_as_failed(oto_with_gateway, gateway):
    receiver, _ = gateway
    receiver.status = 502
    await returned(oto_with_gateway)
    await oto_with_gateway.post("triggerReturnSms", {"orderId": ORDER_ID})
    await drain(oto_with_gateway)
    [failed] = await oto_with_gateway.notifications()
    assert failed["status"] == "FAILED"
    assert failed["error"].startswith("SMS gateway answered 502")


async def test_an_unreachable_gateway_is_recorded_as_failed(db, clock):
    # Port 9 (discard) on the loopback: nothing listens there, the connection is refused.
    settings = oto_settings(sms_gateway_url="http://127.0.0.1:9/sms")
    async for client in serve(db, clock, settings):
        oto = Oto(client, db, clock)
        assert isinstance(client.app[WIRING_KEY].notifier.sender, HttpSmsSender)
        await returned(oto)
        await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
        await drain(oto)
        [failed] = await oto.notifications()
        assert failed["status"] == "FAILED"
        assert failed["error"].startswith("SMS gateway unreachable")


async def test_shutdown_waits_for_deliveries_in_flight(db, clock, gateway):
    receiver, url = gateway
    receiver.hold = asyncio.Event()
    async for client in serve(db, clock, oto_settings(sms_gateway_url=url)):
        oto = Oto(client, db, clock)
        await returned(oto)
        await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
        asyncio.get_running_loop().call_later(0.2, receiver.hold.set)
    # The client and app are closed: the delivery finished first and was recorded.
    async for client in serve(db, clock, oto_settings()):
        [sent] = await Oto(client, db, clock).notifications()
        assert sent["status"] == "SENT"


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [("no order", 404, "NOT_FOUND"), ("no return", 404, "NOT_FOUND")],
)
async def test_nothing_to_announce_is_refused_and_nothing_is_queued(oto, setup, status, code):
    if setup == "no return":
        await oto.order()
    got, answer = await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
    assert (got, answer["errors"][0]["code"], answer["errors"][0]["field"]) == (
        status,
        code,
        "orderId",
    )
    assert await oto.notifications() == []


async def test_the_log_is_filtered_by_request_and_paginated(oto):
    request = await returned(oto)
    for _ in range(3):
        await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
        oto.clock.advance(seconds=1)
    await drain(oto)
    data = await oto.graphql.data(
        "query($first: Int!) { notifications(first: $first) "
        "{ edges { node { notificationId } } pageInfo { hasNextPage endCursor } } }",
        {"first": 2},
    )
    page = data["notifications"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await oto.notifications(after=page["pageInfo"]["endCursor"])
    assert len(page["edges"]) + len(rest) == 3
    assert len(await oto.notifications(request=request["returnRequestId"])) == 3
    assert await oto.notifications(request="RR-NOTHERE") == []


@pytest.mark.parametrize("first", [0, 101, -1])
async def test_notifications_pages_hold_1_to_100(oto, first):
    body = await oto.graphql.execute(
        "query($first: Int!) { notifications(first: $first) { edges { cursor } } }",
        {"first": first},
    )
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_another_tenant_sees_none_of_the_log(oto):
    await returned(oto)
    await oto.post("triggerReturnSms", {"orderId": ORDER_ID})
    await drain(oto)
    other = await oto.headers_of("other-co")
    data = await oto.graphql.data(
        "{ notifications(first: 10) { edges { node { notificationId } } } }", headers=other
    )
    assert data["notifications"]["edges"] == []
    status, answer = await oto.post("triggerReturnSms", {"orderId": ORDER_ID}, other)
    assert (status, answer["errors"][0]["code"]) == (404, "NOT_FOUND")

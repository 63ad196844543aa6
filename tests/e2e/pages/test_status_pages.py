"""A return's status page and its drop-off slip over HTTP (issue 25): what the customer must
do next, pickup and drop-off told apart; the label and tracking number the merchant
recorded; the slip's PDF, whose QR code decodes to a reference that POST /carrier-scans
accepts once, for its own tenant only, as one ReturnFirstScanned event; refused links are
pages of the portal with a 4xx, never a 500."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pypdf import PdfReader

from core.settings import Settings
from domain import commands as c
from domain import services
from domain.values import TimeWindow
from ops.app import create_app
from ops.bootstrap import WIRING_KEY
from persistence.database import Database
from persistence.unit_of_work import UnitsOfWork
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials
from tests.e2e.graphql.test_graphql_webhooks import CREATE, SECRET, Receiver, local_sender
from tests.e2e.pages.status_support import (
    DROP_OFF,
    MERCHANT_ACTOR,
    TENANT,
    decoded_qr_codes,
    new_return,
    record_shipment,
    seed,
    status_path,
)

HTML = {"Accept": "text/html"}
EVENTS = """query($id: ID!) { returnRequest(id: $id) {
  firstScannedAt statusPageUrl events { eventType }
  reverseShipments { status trackingNumber } } }"""


@pytest.fixture
async def client(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        portal_secret="p" * 40,
        public_base_url="https://returns.example",
    )
    app = create_app(settings, db=db, clock=clock)
    await seed(UnitsOfWork(db, clock))
    async with TestClient(TestServer(app)) as http:
        yield http


def units(client: TestClient) -> UnitsOfWork:
    return client.app[WIRING_KEY].units


def wiring(client: TestClient) -> Any:
    return client.app[WIRING_KEY]


async def text(client: TestClient, path: str, status: int = 200, **headers: str) -> str:
    response = await client.get(path, headers=HTML | headers)
    body = await response.text()
    assert response.status == status, body
    return body


async def test_an_approved_pickup_says_the_courier_collects_and_shows_label_and_tracking(
    client: TestClient,
) -> None:
    request = await new_return(units(client))
    await record_shipment(units(client), request.id)

    page = await text(client, status_path(wiring(client), request.id))

    assert request.id in page and "Approved" in page
    assert "a courier collects it from the address below" in page
    assert "drop them off" not in page and "drop the parcel off" not in page
    assert "SMSA-12345678" in page
    assert 'href="https://labels.example/RS-1.pdf"' in page
    assert "help@demo-store.example" in page  # the merchant's support contact
    assert "/slip?lang=en" in page and "/slip.pdf?lang=en" in page


async def test_a_status_page_keeps_its_link_to_itself(client: TestClient) -> None:
    """The token is in the path: no Referer carries it away, no cache keeps the page."""
    request = await new_return(units(client))
    path = status_path(wiring(client), request.id)
    for suffix in ("", "/slip", "/slip.pdf"):
        response = await client.get(path + suffix, headers=HTML)
        assert response.status == 200
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


async def test_a_drop_off_sends_the_customer_to_the_place_in_arabic(client: TestClient) -> None:
    request = await new_return(units(client), pickup=DROP_OFF)

    page = await text(client, status_path(wiring(client), request.id) + "?lang=ar")

    assert 'dir="rtl"' in page
    assert "وسلّم الطرد في المكان المذكور أدناه" in page
    assert "Dubai warehouse" in page  # the drop-off place by its name


async def test_a_pickup_window_is_said(client: TestClient) -> None:
    now = wiring(client).clock.now()
    window = TimeWindow(now + timedelta(days=1), now + timedelta(days=1, hours=4))
    request = await new_return(units(client), window=window)

    page = await text(client, status_path(wiring(client), request.id))

    assert "collects it from the address below between" in page


async def test_a_pending_return_waits_for_review_and_has_no_slip(client: TestClient) -> None:
    request = await new_return(units(client), reason="CHANGED_MIND")
    path = status_path(wiring(client), request.id)

    page = await text(client, path)
    assert "The shop reviews your request" in page and "/slip" not in page

    refused = await text(client, path + "/slip", 404)
    assert "There is no slip for this return now" in refused
    await text(client, path + "/slip.pdf", 404)


async def test_the_slips_qr_code_is_scanned_once_for_its_own_tenant_only(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    request = await new_return(units(client))
    path = status_path(wiring(client), request.id)
    assert "<svg" in await text(client, path + "/slip")

    pdf = await client.get(path + "/slip.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    document = PdfReader(io.BytesIO(await pdf.read()))
    assert request.id in document.pages[0].extract_text()
    [qr_image] = document.pages[0].images
    [reference] = decoded_qr_codes(qr_image.data)

    other = await credentials(db, clock, "other-tenant")
    foreign = await client.post("/carrier-scans", json={"reference": reference}, headers=other)
    assert foreign.status == 404, await foreign.text()

    mine = await credentials(db, clock, TENANT)
    first = await client.post(
        "/carrier-scans", json={"reference": reference, "location": "SMSA-DXB-7"}, headers=mine
    )
    assert first.status == 201, await first.text()
    assert (await first.json())["first_scan"] is True
    clock.advance(hours=2)
    again = await client.post("/carrier-scans", json={"reference": reference}, headers=mine)
    assert again.status == 200
    answer = await again.json()
    assert (answer["first_scan"], answer["return_request_id"]) == (False, request.id)

    graphql = await client.post(
        "/graphql", json={"query": EVENTS, "variables": {"id": request.id}}, headers=mine
    )
    found = (await graphql.json())["data"]["returnRequest"]
    assert [e["eventType"] for e in found["events"]].count("ReturnFirstScanned") == 1
    assert found["firstScannedAt"] == answer["first_scanned_at"]
    assert found["reverseShipments"][0]["status"] == "IN_TRANSIT"
    assert found["statusPageUrl"].startswith("https://returns.example/portal/status/s1.")

    page = await text(client, path)
    assert "On its way back" in page and "There is nothing more to do" in page


async def test_a_scan_of_anything_but_a_slip_reference_is_refused(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    mine = await credentials(db, clock, TENANT)
    token = status_path(wiring(client), "RR-22222222").rsplit("/", 1)[1]
    for body in ({"reference": token}, {"reference": "RR-22222222"}, {}):
        response = await client.post("/carrier-scans", json=body, headers=mine)
        assert response.status == 400, await response.text()
    unauthenticated = await client.post("/carrier-scans", json={"reference": token})
    assert unauthenticated.status == 401


async def test_a_scan_of_a_pending_return_is_refused_without_an_event(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    request = await new_return(units(client), reason="CHANGED_MIND")
    reference = wiring(client).slips.reference(TENANT, request.id, now=clock.now())
    mine = await credentials(db, clock, TENANT)

    response = await client.post("/carrier-scans", json={"reference": reference}, headers=mine)

    assert response.status == 400  # core/error_answers.py: a refused transition
    assert (await response.json())["errors"][0]["code"] == "INVALID_TRANSITION"
    graphql = await client.post(
        "/graphql", json={"query": EVENTS, "variables": {"id": request.id}}, headers=mine
    )
    events = (await graphql.json())["data"]["returnRequest"]["events"]
    assert "ReturnFirstScanned" not in [e["eventType"] for e in events]


async def test_refused_status_links_are_branded_pages_with_a_4xx(
    client: TestClient, clock: FixedClock
) -> None:
    request = await new_return(units(client))
    path = status_path(wiring(client), request.id)

    altered = await text(client, path[:-2] + ("AA" if not path.endswith("AA") else "BB"), 403)
    assert "This status link is not valid" in altered and "portal" in altered

    missing = await text(client, status_path(wiring(client), "RR-22222222"), 404)
    assert "We could not find this return" in missing

    foreign = status_path(wiring(client), request.id, tenant="other-tenant")
    await text(client, foreign, 404)

    assert "Demo Store" not in altered  # a forged link learns nothing of the shop

    clock.advance(days=181)
    expired = await text(client, path + "?lang=ar", 401)
    assert "انتهت صلاحية رابط المتابعة" in expired and 'dir="rtl"' in expired
    assert "Demo Store" in expired and "help@demo-store.example" in expired
    await text(client, path + "/slip.pdf", 401)


async def test_the_portals_confirmation_links_to_the_status_page(client: TestClient) -> None:
    request = await new_return(units(client))
    link, _ = wiring(client).portal.link(
        TENANT, "demo-store", "DEMO-1001", now=wiring(client).clock.now()
    )
    portal = "/" + link.split("/", 3)[3]

    page = await text(client, f"{portal}&created={request.id}")

    assert "Follow this return" in page and 'href="/portal/status/s1.' in page
    assert "a courier collects it from the address below" in page


async def test_a_rejected_return_says_the_reason_in_the_merchants_words(
    client: TestClient,
) -> None:
    request = await new_return(units(client), reason="CHANGED_MIND")
    command = c.RejectReturn(actor=MERCHANT_ACTOR, return_request_id=request.id, reason="USED_ITEM")
    await services.reject_return(command, uow=units(client)(TENANT), clock=units(client).clock)
    path = status_path(wiring(client), request.id)

    page = await text(client, path)
    assert "Item shows signs of use" in page and "USED_ITEM" not in page
    assert "This return is closed" in page and "/slip" not in page
    assert "المنتج مستخدم" in await text(client, path + "?lang=ar")


async def test_the_first_scan_reaches_a_webhook_once(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    """ReturnFirstScanned leaves like every event: a subscribed endpoint gets it once."""
    target = Receiver()
    hooks = web.Application()
    hooks.router.add_post("/hooks", target.handle)
    async with TestServer(hooks) as server:
        mine = await credentials(db, clock, TENANT)
        url = str(server.make_url("/hooks"))
        variables = {"input": {"url": url, "secret": SECRET, "eventTypes": ["ReturnFirstScanned"]}}
        created = await client.post(
            "/graphql", json={"query": CREATE, "variables": variables}, headers=mine
        )
        assert (await created.json())["data"]["createWebhookEndpoint"]["userErrors"] == []
        request = await new_return(units(client))
        reference = wiring(client).slips.reference(TENANT, request.id, now=clock.now())

        sent = []
        for _ in range(2):
            scan = await client.post("/carrier-scans", json={"reference": reference}, headers=mine)
            assert scan.status in (200, 201)
            sent.append(await local_sender(db, clock).send_due())

    assert sent == [1, 0]
    [(headers, _)] = target.received
    assert headers["X-Returns-Event-Type"] == "ReturnFirstScanned"
    assert headers["X-Returns-Return-Request-Id"] == request.id

"""The log as an operator reads it: a full run against a real `returns-api serve` leaves no
secret it created in any line, and every line of a request carries that request's id, as
does the webhook delivery the request causes."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.e2e.graphql.conftest import MERCHANT as GRAPHQL_MERCHANT
from tests.e2e.graphql.conftest import ORDER_REFERENCE, PICKUP, ReturnsApi
from tests.e2e.graphql.test_graphql_webhooks import local_sender, register
from tests.e2e.operations.serving import ROOT, ServedProcess, served, server_env
from tests.e2e.processes.servers import free_port

TENANT = "log-scan"
MERCHANT = "acme"
ORDER = "SO-LOGS-1"
PORTAL_SECRET = "a-portal-secret-for-the-log-scan-test-only"
WEBHOOK_SECRET = "a-webhook-secret-the-merchant-chose"
PORTAL = "/portal/returns"

UPSERT_ORDER = """
mutation Order($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code field message } }
}
"""
CREATE_WEBHOOK = """
mutation Hook($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret userErrors { code field message } }
}
"""
REFUSED_QUERY = "query { noSuchField }"
SUBSCRIBE = "subscription { returnEvents { eventType } }"


def _cli(tmp_path: Path, port: int, *args: str) -> str:
    """A CLI command against the server's database; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", *args],
        cwd=ROOT,
        env=server_env(tmp_path, port),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _issued(output: str) -> dict[str, str]:
    """client_id, client_secret and x-api-key as create-api-key prints them."""
    return dict(re.findall(r"^\s+(client_id|client_secret|x-api-key):\s+(\S+)$", output, re.M))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServedProcess, Path, int]]:
    port = free_port()
    with served(
        tmp_path,
        port,
        RETURNS_LOG_LEVEL="DEBUG",
        RETURNS_PORTAL_SECRET=PORTAL_SECRET,
        RETURNS_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
    ) as process:
        yield process, tmp_path, port


class Merchant:
    """A merchant's integration on the real server, collecting every secret it is given."""

    def __init__(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> None:
        self.http, self.url, self.headers = http, url, headers

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        async with self.http.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers,
        ) as response:
            return await response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = await self.graphql(query, variables)
        assert "errors" not in body, body
        return body["data"]


async def _token(http: aiohttp.ClientSession, url: str, issued: dict[str, str]) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": issued["client_id"],
        "client_secret": issued["client_secret"],
    }
    # A careless client that also puts its credentials in the URL: refused, and logged.
    async with http.post(f"{url}/oauth/token", params=form) as misplaced:
        assert misplaced.status == 400
    async with http.post(f"{url}/oauth/token", data=form) as response:
        assert response.status == 200
        return (await response.json())["access_token"]


def _order_input() -> dict[str, Any]:
    delivered = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    return {
        "merchant": MERCHANT,
        "reference": ORDER,
        "currency": "AED",
        "customer": {"name": "Ann Lee", "email": "ann@example.com", "phone": "+971500000000"},
        "deliveryAddress": {"address1": "1 Palm St", "city": "Dubai", "country": "AE"},
        "lines": [
            {"sku": "SKU-1", "description": "Shirt", "quantity": 2, "unitPrice": "10.00"}
            | {"deliveredAt": delivered}
        ],
    }


async def _webhooks(merchant: Merchant, hook_url: str) -> list[str]:
    """Two endpoints, one with the merchant's secret, one with a generated one; and the
    mistake of a misspelt field next to the secret (refused before anything runs)."""
    chosen = {"url": hook_url, "secret": WEBHOOK_SECRET}
    mistyped = await merchant.graphql(CREATE_WEBHOOK, {"input": chosen | {"evntTypes": []}})
    assert "errors" in mistyped
    payload = (await merchant.data(CREATE_WEBHOOK, {"input": chosen}))["createWebhookEndpoint"]
    assert payload["userErrors"] == []
    generated = await merchant.data(CREATE_WEBHOOK, {"input": {"url": hook_url}})
    return [WEBHOOK_SECRET, generated["createWebhookEndpoint"]["secret"]]


async def _return_link(merchant: Merchant) -> str:
    async with merchant.http.post(
        f"{merchant.url}/rest/v2/getReturnLink",
        json={"orderId": ORDER, "merchant": MERCHANT},
        headers=merchant.headers,
    ) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["returnLink"]


async def _customer_returns(http: aiohttp.ClientSession, url: str, token: str) -> list[str]:
    """The customer opens the page (and the JSON view), submits the form and lands on the
    confirmation; the CSRF field and cookie it was given."""
    page_url = f"{url}{PORTAL}"
    async with http.get(page_url, params={"token": token}, headers={"Accept": "text/html"}) as page:
        assert page.status == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    async with http.get(page_url, params={"token": token}) as as_json:
        assert as_json.status == 200
    form = {
        "csrf": csrf,
        "sku-0": "SKU-1",
        "qty-0": "1",
        "method": "pickup",
        "address1": "1 Palm St",
        "city": "Dubai",
        "country": "AE",
    }
    async with http.post(page_url, params={"token": token}, data=form) as done:
        assert done.status == 200, await done.text()
        assert "created=" in str(done.url)
    cookie = next(c.value for c in http.cookie_jar if c.key == "portal_csrf")
    return [csrf, cookie]


async def _subscribe(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> None:
    """A desk's live feed: credentials in connection_init, never in the URL."""
    async with http.ws_connect(f"{url}/graphql", protocols=("graphql-transport-ws",)) as ws:
        await ws.send_json({"type": "connection_init", "payload": headers})
        assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        await ws.send_json({"id": "1", "type": "complete"})


async def test_a_full_run_logs_none_of_the_secrets_it_created(server, receiver) -> None:
    process, tmp_path, port = server
    target, hook_url = receiver
    _cli(tmp_path, port, "create-tenant", TENANT)
    issued = _issued(_cli(tmp_path, port, "create-api-key", "--tenant", TENANT))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        access_token = await _token(http, process.url, issued)
        headers = {
            "Authorization": f"Bearer {access_token}",
            "x-api-key": issued["x-api-key"],
            "tenant-id": TENANT,
        }
        merchant = Merchant(http, process.url, headers)
        assert (await merchant.data(UPSERT_ORDER, {"input": _order_input()}))["upsertOrder"] == {
            "userErrors": []
        }
        webhook_secrets = await _webhooks(merchant, hook_url)
        link = await _return_link(merchant)
        token = parse_qs(urlsplit(link).query)["token"][0]
        form_secrets = await _customer_returns(http, process.url, token)
        await _subscribe(http, process.url, headers)
        async with http.get(f"{process.url}/desk") as desk:
            assert desk.status == 200
        await asyncio.wait_for(target.arrived.wait(), timeout=20)
    assert process.stop() == 0

    log = process.log.read_text()
    secrets = {
        "client secret": issued["client_secret"],
        "API key": issued["x-api-key"],
        "access token": access_token,
        "portal link": link,
        "portal token": token,
        "portal token's signature": token.rsplit(".", 1)[1],
        "webhook secret (chosen)": webhook_secrets[0],
        "webhook secret (generated)": webhook_secrets[1],
        "CSRF field": form_secrets[0],
        "CSRF cookie": form_secrets[1],
        "portal secret": PORTAL_SECRET,
    }
    leaked = {
        name: [line for line in log.splitlines() if secret in line][:3]
        for name, secret in secrets.items()
        if secret in log
    }
    assert leaked == {}, json.dumps(leaked, indent=1)
    portal_lines = [line for line in log.splitlines() if f"{PORTAL}?" in line]
    assert len(portal_lines) >= 4, "every portal request is still logged, without its token"


ANSWERED_ID = "logs-probe-7f3a"


def _lines_of(process: ServedProcess, rid: str) -> list[dict[str, Any]]:
    return [entry for entry in process.json_log() if entry["request_id"] == rid]


async def test_every_line_of_a_request_carries_the_id_it_was_answered_with(server) -> None:
    process, tmp_path, port = server
    _cli(tmp_path, port, "create-tenant", TENANT)
    issued = _issued(_cli(tmp_path, port, "create-api-key", "--tenant", TENANT))
    async with aiohttp.ClientSession() as http:
        headers = {
            "Authorization": f"Bearer {await _token(http, process.url, issued)}",
            "x-api-key": issued["x-api-key"],
            "tenant-id": TENANT,
        }
        answered = []
        for sent in ({"X-Request-Id": ANSWERED_ID}, {}):
            async with http.post(
                f"{process.url}/graphql", json={"query": REFUSED_QUERY}, headers=headers | sent
            ) as response:
                answered.append(response.headers["X-Request-Id"])
        async with http.get(f"{process.url}/no/such/page") as missing:
            answered.append(missing.headers["X-Request-Id"])
    process.stop()

    assert answered[0] == ANSWERED_ID and len(set(answered)) == 3
    for rid in answered[:2]:
        loggers = [entry["logger"] for entry in _lines_of(process, rid)]
        assert "graphql_api.schema" in loggers, "the handler's own line"  # refused query
        assert loggers[-1] == "aiohttp.access", loggers
    assert [e["logger"] for e in _lines_of(process, answered[2])] == ["aiohttp.access"]


def test_text_logs_show_the_request_id(tmp_path) -> None:
    with served(tmp_path, free_port(), RETURNS_LOG_FORMAT="text") as process:
        process.get("/healthz", {"X-Request-Id": ANSWERED_ID})
        process.stop()
    access = [line for line in process.log.read_text().splitlines() if "GET /healthz" in line]
    assert any(f"[{ANSWERED_ID}]" in line for line in access), access


async def test_a_webhook_delivery_carries_the_id_of_the_request_that_caused_it(
    graphql, receiver, db, clock
) -> None:
    target, url = receiver
    await register(graphql, url)
    api = ReturnsApi(graphql)
    await api.upsert_order()
    caused_by = {"X-Request-Id": "req-that-asked-for-a-return"}
    created = await graphql.data(
        CREATE_RETURN,
        {
            "input": {
                "merchant": GRAPHQL_MERCHANT,
                "orderReference": ORDER_REFERENCE,
                "items": ITEMS,
            }
            | {"pickup": PICKUP}
        },
        headers=caused_by,
    )
    rid = created["createReturn"]["returnRequest"]["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "no id sent"})

    assert await local_sender(db, clock).send_due() == 2
    sent = {
        h["X-Returns-Event-Type"]: CIMultiDict(h).get("X-Request-Id") for h, _ in target.received
    }
    assert sent["ReturnRequested"] == caused_by["X-Request-Id"]
    assert sent["NoteAdded"] not in (None, caused_by["X-Request-Id"]), "the note's own request"


ITEMS = [{"sku": "SHIRT-M", "quantity": 1}]
CREATE_RETURN = """
mutation Create($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code } }
}
"""

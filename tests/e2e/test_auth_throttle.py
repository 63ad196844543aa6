"""Guessing costs time on every way in: wrong client secrets at /oauth/token, wrong API
credentials on GraphQL and REST, portal links that do not open and a customer's email or
phone for an order. Past the limit a minute, every attempt is refused with 429 and
Retry-After, the right one too, until the minute is up; /metrics counts it and the log says
whose client id and which address, never the secret."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from core import portal_tokens as tokens
from core.settings import Settings
from domain.access import IssuedCredentials, Role, new_tenant
from ops.app import create_app
from persistence.access import AccessStore
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials
from tests.e2e.graphql.test_graphql_subscriptions import PROTOCOL, Socket
from tests.e2e.operations.scraping import scrape
from tests.e2e.rest.carriyo_client import EMAIL, MERCHANT, ORDER, Carriyo

LIMIT = 3  # wrong secrets per client id, wrong emails per order, a minute
ADDRESS_LIMIT = 6  # failures of any kind from one address a minute
PORTAL_SECRET = "throttle-tests-portal-secret-0123456789"
WINDOW = timedelta(minutes=1)

TYPENAME = "{ __typename }"
LOOKUP = {"merchant": MERCHANT, "email_or_phone": EMAIL, "partner_order_ref": ORDER}
PORTAL = "/portal/returns"


@pytest.fixture
async def client(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    """The real app with small limits, and a client that sends no credentials of its own."""
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        auth_failures_per_minute=LIMIT,
        auth_failures_per_address_per_minute=ADDRESS_LIMIT,
        portal_secret=PORTAL_SECRET,
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as http:
        yield http


async def new_client(db: Database, clock: FixedClock) -> IssuedCredentials:
    store = AccessStore(db)
    if await store.tenant("tenant-a") is None:
        await store.create_tenant(new_tenant("tenant-a", "tenant-a", clock.now()))
    return await store.create_client("tenant-a", Role.FULL, "throttle tests", clock.now())


async def ask_token(http: TestClient, client_id: str, secret: str) -> ClientResponse:
    grant = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await http.post("/oauth/token", json=grant)


async def throttled(response: ClientResponse) -> int:
    """The Retry-After of a 429: whole seconds, at most the minute."""
    assert response.status == 429, await response.text()
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW.total_seconds()
    return retry_after


def api_error_code(body: dict[str, Any]) -> str:
    """The code of the first error, in GraphQL's shape or the REST shims'."""
    first = body["errors"][0]
    return first["extensions"]["code"] if "extensions" in first else first["code"]


def portal_token(clock: FixedClock, *, order: str = "SO-NONE", age: timedelta = timedelta()) -> str:
    """A link this server signed, for an order that need not exist; `age` back-dates it."""
    token, _ = tokens.issue(
        DEFAULT_TENANT,
        MERCHANT,
        order,
        key=PORTAL_SECRET.encode(),
        now=clock.now() - age,
        ttl=timedelta(hours=1),
    )
    return token


# --------------------------------------------------------------------------- /oauth/token


async def test_a_client_id_is_refused_past_its_wrong_secrets_even_with_the_right_one(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    client_id = issued.client.client_id
    for attempt in range(LIMIT):
        assert (await ask_token(client, client_id, f"rcs_wrong_{attempt}")).status == 401

    refused = await ask_token(client, client_id, "rcs_wrong_again")
    retry_after = await throttled(refused)
    assert (await refused.json())["error"] == "too_many_requests"
    assert refused.headers["Cache-Control"] == "no-store"
    right_but_throttled = await ask_token(client, client_id, issued.client_secret)
    await throttled(right_but_throttled)
    assert "access_token" not in await right_but_throttled.json()

    clock.advance(seconds=retry_after)
    heard = await ask_token(client, client_id, issued.client_secret)
    assert heard.status == 200, await heard.text()


async def test_right_secrets_count_nothing(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    for _ in range(ADDRESS_LIMIT + 1):
        response = await ask_token(client, issued.client.client_id, issued.client_secret)
        assert response.status == 200, await response.text()


async def test_one_address_is_refused_past_its_failures_across_client_ids(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    for n in range(ADDRESS_LIMIT):  # one wrong secret each: no client id reaches its limit
        assert (await ask_token(client, f"rc_guess_{n}", "rcs_wrong")).status == 401

    retry_after = await throttled(await ask_token(client, issued.client.client_id, "rcs_x"))
    await throttled(await ask_token(client, issued.client.client_id, issued.client_secret))

    clock.advance(seconds=retry_after)
    heard = await ask_token(client, issued.client.client_id, issued.client_secret)
    assert heard.status == 200, await heard.text()


# --------------------------------------------------------------------------- API calls


async def test_wrong_api_credentials_throttle_their_address_on_graphql_and_rest(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    right = await credentials(db, clock, DEFAULT_TENANT)
    wrong = right | {"Authorization": "Bearer not-a-token-of-ours"}
    for _ in range(ADDRESS_LIMIT):
        response = await client.post("/graphql", json={"query": TYPENAME}, headers=wrong)
        assert response.status == 401

    on_graphql = await client.post("/graphql", json={"query": TYPENAME}, headers=right)
    retry_after = await throttled(on_graphql)
    assert api_error_code(await on_graphql.json()) == "TOO_MANY_REQUESTS"
    on_rest = await client.get("/returns/available-items", params=LOOKUP, headers=right)
    await throttled(on_rest)
    assert api_error_code(await on_rest.json()) == "TOO_MANY_REQUESTS"
    on_photos = await client.get("/photos/some-photo", headers=right)
    await throttled(on_photos)

    clock.advance(seconds=retry_after)
    heard = await client.post("/graphql", json={"query": TYPENAME}, headers=right)
    assert heard.status == 200
    assert await heard.json() == {"data": {"__typename": "Query"}}


async def test_wrong_websocket_credentials_count_and_a_throttled_address_cannot_connect(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    right = await credentials(db, clock, DEFAULT_TENANT)
    for _ in range(ADDRESS_LIMIT):
        async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
            refused = await Socket(ws).init(right | {"x-api-key": "rk_wrong"})
            assert refused == {"type": "closed", "code": 4403}

    async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        assert await Socket(ws).init(right) == {"type": "closed", "code": 4403}
    retry_after = await throttled(
        await client.post("/graphql", json={"query": TYPENAME}, headers=right)
    )

    clock.advance(seconds=retry_after)
    async with client.ws_connect("/graphql", protocols=[PROTOCOL]) as ws:
        assert (await Socket(ws).init(right))["type"] == "connection_ack"


async def test_customer_lookups_of_one_order_are_refused_past_its_wrong_emails(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    carriyo = Carriyo(client)
    client.session.headers.update(await credentials(db, clock, DEFAULT_TENANT))
    await carriyo.order()
    await carriyo.order("SO-OTHER")
    for n in range(LIMIT):
        status, _ = await carriyo.call(
            "GET", "/returns/available-items", params=LOOKUP | {"email_or_phone": f"e{n}@x.io"}
        )
        assert status == 404

    refused = await client.get("/returns/available-items", params=LOOKUP)
    retry_after = await throttled(refused)
    assert api_error_code(await refused.json()) == "TOO_MANY_REQUESTS"
    # Only that order is closed: the storefront asking for all its customers is not.
    other_order = LOOKUP | {"partner_order_ref": "SO-OTHER"}
    assert (await carriyo.call("GET", "/returns/available-items", params=other_order))[0] == 200

    clock.advance(seconds=retry_after)
    assert (await carriyo.call("GET", "/returns/available-items", params=LOOKUP))[0] == 200


# --------------------------------------------------------------------------- the portal


async def test_portal_links_that_do_not_open_throttle_their_address_as_json_and_pages(
    client: TestClient, clock: FixedClock
) -> None:
    expired = portal_token(clock, age=timedelta(hours=2))
    assert (await client.get(PORTAL, params={"token": expired})).status == 401
    for n in range(ADDRESS_LIMIT - 1):
        altered = await client.get(PORTAL, params={"token": f"v1.e30.forged{n}"})
        assert altered.status == 403

    good_link = {"token": portal_token(clock)}
    as_json = await client.get(PORTAL, params=good_link)
    retry_after = await throttled(as_json)
    assert api_error_code(await as_json.json()) == "TOO_MANY_REQUESTS"
    as_page = await client.get(PORTAL, params=good_link, headers={"Accept": "text/html"})
    await throttled(as_page)
    assert "Try again in" in await as_page.text()
    as_arabic_page = await client.get(
        PORTAL, params=good_link, headers={"Accept": "text/html", "Accept-Language": "ar"}
    )
    await throttled(as_arabic_page)

    clock.advance(seconds=retry_after)
    heard = await client.get(PORTAL, params={"token": portal_token(clock)})
    assert heard.status == 404  # the link opens; its made-up order is not there


# --------------------------------------------------------------------------- what operators see


async def test_metrics_count_failures_and_throttled_refusals_by_kind(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    for _ in range(LIMIT):
        await ask_token(client, issued.client.client_id, "rcs_wrong")
    await throttled(await ask_token(client, issued.client.client_id, issued.client_secret))
    await client.get(PORTAL, params={"token": "v1.e30.forged"})

    scraped = await scrape(client)

    assert scraped.value("returns_auth_failures_total", kind="client_secret") == LIMIT
    assert scraped.value("returns_auth_throttled_total", kind="client_secret") == 1
    assert scraped.value("returns_auth_failures_total", kind="portal_link") == 1
    assert scraped.value("returns_auth_throttled_total", kind="api_credentials") == 0
    assert scraped.value("returns_errors_total", face="oauth", code="TOO_MANY_REQUESTS") == 1


async def test_throttling_is_logged_with_client_id_and_address_never_a_secret(
    client: TestClient, db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    issued = await new_client(db, clock)
    guesses = [f"rcs_guess_number_{n}" for n in range(LIMIT + 2)]
    with caplog.at_level(logging.INFO):
        for guess in guesses:
            await ask_token(client, issued.client.client_id, guess)
        await ask_token(client, issued.client.client_id, issued.client_secret)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, caplog.text  # once when the limit is reached, not per refusal
    line = warnings[0].getMessage()
    assert issued.client.client_id in line
    assert "127.0.0.1" in line
    for secret in [*guesses, issued.client_secret]:
        assert secret not in caplog.text


async def test_guessing_a_secret_through_revoke_is_throttled_like_the_token_endpoint(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    """/oauth/revoke takes client credentials too: wrong secrets there count against the
    client id as at /oauth/token, so revoking is no free way to guess them."""
    issued = await new_client(db, clock)
    client_id = issued.client.client_id
    for guess in range(LIMIT):
        body = {"token": "rat_unknown", "client_id": client_id, "client_secret": f"rcs_{guess}"}
        refused = await client.post("/oauth/revoke", json=body)
        assert refused.status == 401, await refused.text()

    right = {"token": "rat_unknown", "client_id": client_id, "client_secret": issued.client_secret}
    await throttled(await client.post("/oauth/revoke", json=right))
    await throttled(await ask_token(client, client_id, issued.client_secret))
    clock.advance(seconds=WINDOW.total_seconds())
    assert (await client.post("/oauth/revoke", json=right)).status == 200

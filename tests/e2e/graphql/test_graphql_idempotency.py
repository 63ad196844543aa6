"""Idempotency-Key on POST /graphql: retries replay, different bodies are refused."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient

from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials

CREATE = """
mutation ($ref: String!) {
  upsertOrder(input: {merchant: "m", reference: $ref, currency: "AED",
    lines: [{sku: "A", quantity: 5, unitPrice: "10", deliveredAt: "2026-11-20T10:00:00Z"}]}) {
    order { reference } userErrors { code }
  }
  createReturn(input: {merchant: "m", orderReference: $ref, items: [{sku: "A", quantity: 1}]}) {
    returnRequest { returnRequestId } userErrors { code message }
  }
}
"""
COUNT = '{ returnRequests(first: 1, filter: {merchant: "m"}) { totalCount } }'


async def post(http: TestClient, body: dict | str, key: str | None):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    data = body if isinstance(body, str) else json.dumps(body)
    return await http.post("/graphql", data=data, headers=headers)


async def count(http: TestClient) -> int:
    response = await post(http, {"query": COUNT}, None)
    return (await response.json())["data"]["returnRequests"]["totalCount"]


async def test_a_retry_with_the_same_key_replays_the_answer_without_doing_it_again(
    http: TestClient,
) -> None:
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    first = await post(http, body, "key-1")
    again = await post(http, body, "key-1")

    assert first.status == again.status == 200
    assert first.headers["Idempotency-Replayed"] == "false"
    assert again.headers["Idempotency-Replayed"] == "true"
    assert await first.json() == await again.json()
    assert await count(http) == 1


async def test_key_order_and_spacing_do_not_make_a_different_request(http: TestClient) -> None:
    await post(http, {"query": CREATE, "variables": {"ref": "SO-1"}}, "key-1")
    reordered = json.dumps({"variables": {"ref": "SO-1"}, "query": CREATE}, indent=2)
    again = await post(http, reordered, "key-1")
    assert again.headers["Idempotency-Replayed"] == "true"
    assert await count(http) == 1


async def test_the_same_key_with_a_different_body_is_refused_and_not_run(
    http: TestClient,
) -> None:
    await post(http, {"query": CREATE, "variables": {"ref": "SO-1"}}, "key-1")
    other = await post(http, {"query": CREATE, "variables": {"ref": "SO-2"}}, "key-1")

    assert other.status == 422
    [error] = (await other.json())["errors"]
    assert error["extensions"]["code"] == "IDEMPOTENCY_MISMATCH"
    assert await count(http) == 1


async def test_requests_without_a_key_are_not_deduplicated(http: TestClient) -> None:
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    await post(http, body, None)
    await post(http, body, None)
    assert await count(http) == 2


async def test_keys_are_forgotten_after_24_hours(http: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    await post(http, body, "key-1")
    clock.advance(hours=23)
    assert (await post(http, body, "key-1")).headers["Idempotency-Replayed"] == "true"
    clock.advance(hours=2)
    fresh = await post(http, body, "key-1")
    assert fresh.headers["Idempotency-Replayed"] == "false"
    assert await count(http) == 2


async def test_concurrent_retries_with_one_key_run_the_operation_once(http: TestClient) -> None:
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    responses = await asyncio.gather(*[post(http, body, "key-1") for _ in range(5)])

    assert {r.status for r in responses} <= {200, 409}
    assert await count(http) == 1


async def test_a_malformed_key_is_a_400(http: TestClient) -> None:
    response = await post(http, {"query": COUNT}, "k" * 300)
    assert response.status == 400
    [error] = (await response.json())["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"


async def test_a_key_belongs_to_the_client_that_used_it_first(http: TestClient, db, clock) -> None:  # type: ignore[no-untyped-def]
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    await post(http, body, "key-1")
    other_client = await credentials(db, clock, DEFAULT_TENANT)
    response = await http.post(
        "/graphql",
        data=json.dumps(body),
        headers=other_client | {"Content-Type": "application/json", "Idempotency-Key": "key-1"},
    )
    assert response.status == 422
    assert await count(http) == 1

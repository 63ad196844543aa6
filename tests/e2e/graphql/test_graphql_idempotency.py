"""Idempotency-Key on POST /graphql: retries replay, different bodies are refused."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient

from domain import commands as c
from domain import services
from domain.parts import ItemRequest
from persistence.tables import DEFAULT_TENANT
from persistence.unit_of_work import SqlUnitOfWork
from tests.e2e.conftest import claimed_elsewhere, credentials

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
    for refused in (r for r in responses if r.status == 409):
        assert await error_code(refused) == "IDEMPOTENCY_IN_PROGRESS"
    assert await count(http) == 1


async def error_code(response) -> str:  # type: ignore[no-untyped-def]
    [error] = (await response.json())["errors"]
    return error["extensions"]["code"]


async def test_a_retry_while_the_first_request_runs_gets_its_own_code(
    http: TestClient, db, clock
) -> None:  # type: ignore[no-untyped-def]
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    await claimed_elsewhere(http, db, clock, "POST /graphql", body, "key-1")
    clock.advance(seconds=20)

    retry = await post(http, body, "key-1")

    assert retry.status == 409
    assert await error_code(retry) == "IDEMPOTENCY_IN_PROGRESS"
    assert retry.headers["Retry-After"] == "40"  # what is left of the 60 s lease
    assert await count(http) == 0


async def test_a_key_stranded_by_a_crash_is_taken_over_after_its_lease(
    http: TestClient, db, clock
) -> None:  # type: ignore[no-untyped-def]
    """The process holding the key died before its work committed: a retry after the lease
    runs the work, once."""
    body = {"query": CREATE, "variables": {"ref": "SO-1"}}
    await claimed_elsewhere(http, db, clock, "POST /graphql", body, "key-1")
    clock.advance(seconds=61)

    retry = await post(http, body, "key-1")
    again = await post(http, body, "key-1")

    assert (retry.status, retry.headers["Idempotency-Replayed"]) == (200, "false")
    assert (again.status, again.headers["Idempotency-Replayed"]) == (200, "true")
    assert await retry.json() == await again.json()
    assert await count(http) == 1


async def test_a_retry_after_a_crash_that_lost_only_the_answer_is_told_so(
    http: TestClient, db, clock
) -> None:  # type: ignore[no-untyped-def]
    """The process committed the key's work and died before storing the answer: the retry
    must not do the work again, and says why."""
    await post(http, {"query": ORDER_WITH_INLINE_KEY, "variables": {"ref": "SO-1"}}, None)
    body = create_body(None)
    held = await claimed_elsewhere(http, db, clock, "POST /graphql", body, "key-1")
    command = c.CreateReturn(
        merchant="m", order_reference="SO-1", items=[ItemRequest(sku="A", quantity=1)]
    )
    uow = SqlUnitOfWork(db, tenant_id=DEFAULT_TENANT, clock=clock, idempotency=held)
    await services.create_return(command, uow=uow, clock=clock)
    clock.advance(seconds=61)

    retry = await post(http, body, "key-1")

    assert retry.status == 410
    assert await error_code(retry) == "IDEMPOTENCY_ANSWER_LOST"
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


CREATE_WITH_INPUT_KEY = """
mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { returnRequestId } userErrors { code } }
}
"""
ORDER_WITH_INLINE_KEY = """
mutation ($ref: String!, $key: String) {
  upsertOrder(input: {merchant: "m", reference: $ref, currency: "AED", idempotencyKey: $key,
    lines: [{sku: "A", quantity: 5, unitPrice: "10", deliveredAt: "2026-11-20T10:00:00Z"}]}) {
    order { reference } userErrors { code }
  }
}
"""


def create_body(key: str | None, quantity: int = 1) -> dict:
    ask = {"merchant": "m", "orderReference": "SO-1", "items": [{"sku": "A", "quantity": quantity}]}
    if key is not None:
        ask["idempotencyKey"] = key
    return {"query": CREATE_WITH_INPUT_KEY, "variables": {"input": ask}}


async def test_the_idempotency_key_may_come_in_the_mutation_input(http: TestClient) -> None:
    order = {"query": ORDER_WITH_INLINE_KEY, "variables": {"ref": "SO-1", "key": "order-1"}}
    assert (await post(http, order, None)).headers["Idempotency-Replayed"] == "false"
    assert (await post(http, order, None)).headers["Idempotency-Replayed"] == "true"

    first = await post(http, create_body("create-1"), None)
    again = await post(http, create_body("create-1"), None)

    assert first.headers["Idempotency-Replayed"] == "false"
    assert again.headers["Idempotency-Replayed"] == "true"
    assert await first.json() == await again.json()
    assert await count(http) == 1


async def test_an_input_key_reused_for_another_input_is_refused(http: TestClient) -> None:
    order = {"query": ORDER_WITH_INLINE_KEY, "variables": {"ref": "SO-1", "key": None}}
    await post(http, order, None)
    await post(http, create_body("create-1"), None)

    other = await post(http, create_body("create-1", quantity=2), None)

    assert other.status == 422
    assert (await other.json())["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_MISMATCH"
    assert await count(http) == 1


async def test_a_header_and_an_input_key_must_agree(http: TestClient) -> None:
    same = await post(http, create_body("k-1"), "k-1")
    different = await post(http, create_body("k-2"), "k-3")

    assert same.status == 200
    assert different.status == 400
    assert (await different.json())["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_two_different_input_keys_in_one_request_are_refused(http: TestClient) -> None:
    body = {
        "query": """mutation {
          a: deleteReturnNote(input: {returnRequestId: "RR-X", noteId: "N", idempotencyKey: "1"})
            { userErrors { code } }
          b: deleteReturnNote(input: {returnRequestId: "RR-X", noteId: "N", idempotencyKey: "2"})
            { userErrors { code } }
        }"""
    }

    response = await post(http, body, None)

    assert response.status == 400
    assert (await response.json())["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_input_keys_are_found_in_variable_defaults_and_fragments(http: TestClient) -> None:
    order = {"query": ORDER_WITH_INLINE_KEY, "variables": {"ref": "SO-1", "key": None}}
    await post(http, order, None)
    in_fragment = """
    mutation ($input: CreateReturnInput!) { ...Create }
    fragment Create on Mutation { createReturn(input: $input) { userErrors { code } } }"""
    ask = {"merchant": "m", "orderReference": "SO-1", "items": [{"sku": "A", "quantity": 1}]}
    with_default = """
    mutation ($ref: String!, $key: String = "order-default") {
      upsertOrder(input: {merchant: "m", reference: $ref, currency: "AED", idempotencyKey: $key,
        lines: [{sku: "A", quantity: 5, unitPrice: "10", deliveredAt: "2026-11-20T10:00:00Z"}]}) {
        order { reference }
      }
    }"""
    bodies = [
        {"query": in_fragment, "variables": {"input": {**ask, "idempotencyKey": "in-fragment"}}},
        {"query": with_default, "variables": {"ref": "SO-2"}},
    ]

    for body in bodies:
        first = await post(http, body, None)
        again = await post(http, body, None)
        assert first.headers["Idempotency-Replayed"] == "false"
        assert again.headers["Idempotency-Replayed"] == "true"
    assert await count(http) == 1


async def test_a_deeply_nested_body_is_a_client_error(http: TestClient) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    for body in (deep, '{"idempotencyKey": ' + deep + "}"):
        response = await post(http, body, None)
        assert response.status == 400

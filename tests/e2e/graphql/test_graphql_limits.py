"""Over a limit, a request gets a clear error and nothing executes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import parse

from graphql_api.app import create_app
from graphql_api.limits import operation_cost
from graphql_api.settings import Settings
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials

CREATE_ORDER = """
mutation { upsertOrder(input: {merchant: "m", reference: "SO-1", currency: "AED",
  lines: [{sku: "A", quantity: 1, unitPrice: "1"}]}) { order { reference } } }
"""
ORDER_EXISTS = '{ order(merchant: "m", reference: "SO-1") { reference } }'
PAGE = """
query ($n: Int!) { returnRequests(first: $n) { edges { node { items { sku description } } } } }
"""


async def post(http: TestClient, query: str, variables: dict | None = None) -> dict:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status in (200, 400), await response.text()
    return await response.json()


@pytest.fixture
async def strict(db: Database, clock) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(
        migrate_on_start=False,
        graphql_max_depth=4,
        graphql_max_aliases=3,
        graphql_max_tokens=200,
        graphql_max_cost=500,
        graphql_introspection=False,
    )
    headers = await credentials(db, clock, DEFAULT_TENANT)
    app = create_app(settings, db=db, clock=clock)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield client


def messages(body: dict) -> str:
    return " | ".join(error["message"] for error in body.get("errors", []))


async def test_a_too_deep_query_is_refused(strict: TestClient) -> None:
    shallow = "{ returnRequests(first: 1) { edges { node { order { reference } } } } }"
    assert (await post(strict, shallow))["data"] is not None
    deep = "{ returnRequests(first: 1) { edges { node { order { lines { sku } } } } } }"
    body = await post(strict, deep)
    assert "exceeds maximum operation depth of 4" in messages(body)
    assert body.get("data") is None


async def test_too_many_aliases_are_refused_and_nothing_runs(strict: TestClient) -> None:
    mutation = (
        "mutation {"
        + " ".join(
            f'o{n}: upsertOrder(input: {{merchant: "m", reference: "SO-{n}", currency: "AED", '
            f'lines: [{{sku: "A", quantity: 1, unitPrice: "1"}}]}}) {{ order {{ reference }} }}'
            for n in range(4)
        )
        + "}"
    )
    body = await post(strict, mutation)
    assert "4 aliases found. Allowed: 3" in messages(body)
    check = await post(strict, '{ order(merchant: "m", reference: "SO-0") { reference } }')
    assert check["data"] == {"order": None}


async def test_a_document_with_too_many_tokens_is_refused(strict: TestClient) -> None:
    body = await post(strict, "{ " + " ".join(["__typename"] * 250) + " }")
    assert "Document contains more than 200 tokens" in messages(body)


async def test_a_page_size_that_makes_the_query_too_costly_is_refused(strict: TestClient) -> None:
    body = await post(strict, PAGE, {"n": 100})  # 1 + 100 x 5 fields = 501 > 500
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "exceeds the limit of 500" in error["message"]
    assert (await post(strict, PAGE, {"n": 10}))["data"] == {"returnRequests": {"edges": []}}


async def test_introspection_can_be_switched_off(strict: TestClient) -> None:
    body = await post(strict, "{ __schema { types { name } } }")
    assert "introspection" in messages(body).lower()


async def test_field_suggestions_are_off(strict: TestClient) -> None:
    body = await post(strict, "{ returnRequests(first: 1) { totalCont } }")
    assert "Cannot query field 'totalCont'" in messages(body)
    assert "Did you mean" not in messages(body)


async def test_introspection_is_on_by_default_for_development(graphql) -> None:  # type: ignore[no-untyped-def]
    data = await graphql.data("{ __schema { queryType { name } } }")
    assert data == {"__schema": {"queryType": {"name": "Query"}}}


def test_cost_multiplies_what_is_under_a_page_by_its_size() -> None:
    query = parse("""
        query ($n: Int!) { returnRequests(first: $n) { edges { node { ...F } } } }
        fragment F on ReturnRequest { status items { sku } }
    """)
    # returnRequests 1 + n times (edges 1 + node 1 + status 1 + items 1 + sku 1)
    assert operation_cost(query, None, {"n": 10}) == 1 + 10 * 5
    assert operation_cost(parse("{ returnRequests(first: 3) { totalCount } }"), None, {}) == 4
    assert operation_cost(parse("{ a b { c } }"), None, {}) == 3


async def test_a_repeated_document_is_validated_once(strict: TestClient) -> None:
    """Validation is the dearest step of a small read; the depth and alias rules are built
    once, so the validation cache (keyed by the rules) serves a repeated document."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(Settings().graphql_limits().cache_size)
    query = '{ order(merchant: "cache-check", reference: "SO-404") { reference } }'
    await post(strict, query)
    before = cache.cache_info()
    for _ in range(3):
        assert (await post(strict, query))["data"] == {"order": None}
    after = cache.cache_info()
    assert after.hits - before.hits == 3
    assert after.misses == before.misses

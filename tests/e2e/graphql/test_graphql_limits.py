"""Over a limit, a request gets a clear error and nothing executes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_introspection_query,
    get_nullable_type,
    is_list_type,
    parse,
)

from core.settings import Settings
from domain.access import Role
from domain.lifecycle import Action
from domain.reference import MAX_TRANSLATIONS
from graphql_api.limits import GraphQLLimits, cost_varies, operation_cost
from graphql_api.list_bounds import (
    CODES_PER_MERCHANT,
    EVENTS_PER_REQUEST,
    LIST_BOUNDS,
    NOTES_PER_REQUEST,
)
from graphql_api.schema import schema
from ops.app import create_app
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.conftest import StatementCounter
from tests.e2e.conftest import credentials, document_cache

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


@pytest.fixture
async def counted(db: Database, clock) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    """A server that runs each request once (no comparison run), so its caches count it once."""
    settings = Settings(migrate_on_start=False, graphql_compare_executors=False)
    headers = await credentials(db, clock, DEFAULT_TENANT)
    async with TestClient(
        TestServer(create_app(settings, db=db, clock=clock)), headers=headers
    ) as client:
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
    # 1 + n x (edges 1 + node 1 + 20 items x (1 + sku 1 + description 1)) = 1 + 62 n
    body = await post(strict, PAGE, {"n": 9})  # 559 > 500
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "exceeds the limit of 500" in error["message"]
    assert (await post(strict, PAGE, {"n": 8}))["data"] == {"returnRequests": {"edges": []}}


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


def cost(query: str, variables: dict | None = None) -> int:
    return operation_cost(parse(query), None, variables or {}, schema=schema._schema)


def test_cost_multiplies_what_is_under_a_page_by_its_size() -> None:
    query = """
        query ($n: Int!) { returnRequests(first: $n) { totalCount edges { node { ...F } } } }
        fragment F on ReturnRequest { status items { sku } }
    """
    # returnRequests 1 + totalCount 1 + n edges x (1 + node 1 + status 1 + 20 items x 2)
    assert cost(query, {"n": 10}) == 2 + 10 * 43
    assert cost("{ returnRequests(first: 3) { totalCount } }") == 2
    assert cost("{ a b { c } }") == 3  # unknown fields (refused by validation) cost 1


def test_every_list_costs_its_bound_times_what_is_under_it() -> None:
    """Lists without a page argument used to cost 1, whatever their length."""
    notes = '{ returnRequest(id: "RR-1") { notes { id text } } }'
    assert cost(notes) == 1 + NOTES_PER_REQUEST * 3
    actions = '{ returnRequest(id: "RR-1") { allowedActions } }'
    assert cost(actions) == 1 + len(Action)
    codes = '{ returnReasons(merchant: "m") { code translations { text } } }'
    assert cost(codes) == CODES_PER_MERCHANT * (1 + 1 + MAX_TRANSLATIONS * 2)


def test_nested_lists_multiply() -> None:
    """`returnRequest { events { returnRequest { events … } } }`: each level multiplies."""
    inner = "position"
    costs = []
    for _ in range(4):
        inner = f"events {{ position returnRequest {{ {inner} }} }}"
        costs.append(cost(f'{{ returnRequest(id: "RR-1") {{ {inner} }} }}'))
    assert [later // earlier for earlier, later in itertools.pairwise(costs)] == [
        EVENTS_PER_REQUEST
    ] * 3


def test_fragments_are_priced_on_their_own_type() -> None:
    spread = """
        { node(id: "x") { ...R } }
        fragment R on ReturnRequest { notes { id } }
    """
    inline = '{ node(id: "x") { ... on ReturnRequest { notes { id } } } }'
    assert cost(spread) == cost(inline) == 1 + NOTES_PER_REQUEST * 2


def test_introspection_fields_cost_one_each() -> None:
    """graphql-core bounds their nesting, and production switches introspection off; priced
    as lists of the schema's size, GraphiQL's own introspection query would be refused."""
    assert cost(get_introspection_query()) < 100


def test_every_list_field_of_the_schema_has_a_bound() -> None:
    lists = {
        f"{type_name}.{field_name}"
        for type_name, named in schema._schema.type_map.items()
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        and not type_name.startswith("__")
        for field_name, field in named.fields.items()
        if is_list_type(get_nullable_type(field.type))
    }
    assert lists - set(LIST_BOUNDS) == set(), "price these lists in graphql_api/list_bounds.py"
    assert set(LIST_BOUNDS) - lists == set(), "these are no list fields of the schema"


EVENT_CYCLE = """
query ($id: ID!) {
  returnRequest(id: $id) { events { returnRequest { events { returnRequest {
    events { returnRequest { events { position eventType payload } } } } } } } }
}
"""


async def test_a_cycle_of_nested_lists_is_refused_before_anything_runs(
    db: Database,
    clock,
    statements: StatementCounter,  # type: ignore[no-untyped-def]
) -> None:
    """Issue 12: at depth 9, under the depth limit, this answered 8.8 MB in 16 s to a
    read-only key while every other request waited. Its cost is 50^4 times its fields."""
    headers = await credentials(db, clock, DEFAULT_TENANT, Role.READ_ONLY)
    app = create_app(
        Settings(migrate_on_start=False, webhook_interval_seconds=0), db=db, clock=clock
    )
    async with TestClient(TestServer(app), headers=headers) as client:
        statements.reset()
        body = await post(client, EVENT_CYCLE, {"id": "RR-ANYTHING"})

    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert error["extensions"]["cost"] > GraphQLLimits().max_cost
    assert statements.count == 1, statements.statements  # the credentials, nothing else


@pytest.fixture
async def impatient(db: Database, clock) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    """A server whose queries may run a microsecond: any that waits for the database is
    stopped."""
    settings = Settings(migrate_on_start=False, graphql_timeout_seconds=0.000_001)
    headers = await credentials(db, clock, DEFAULT_TENANT)
    app = create_app(settings, db=db, clock=clock)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield client


async def test_a_query_that_runs_too_long_is_stopped_with_a_clear_error(
    impatient: TestClient,
) -> None:
    body = await post(impatient, "{ returnRequests(first: 100) { totalCount } }")

    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert "ran longer than 1e-06 s" in error["message"]
    assert (await post(impatient, "{ __typename }"))["data"] == {"__typename": "Query"}


async def test_a_mutation_is_never_stopped_between_its_commit_and_its_answer(
    impatient: TestClient,
) -> None:
    body = await post(impatient, CREATE_ORDER)

    assert body["data"]["upsertOrder"]["order"] == {"reference": "SO-1"}


async def test_a_repeated_document_is_prepared_once(counted: TestClient) -> None:
    """Parsing and validation are the dearest steps of a small read: a query text seen
    before is answered from its parsed, validated document (graphql_api/documents.py)."""
    cache = document_cache(counted)
    query = '{ order(merchant: "cache-check", reference: "SO-404") { reference } }'
    await post(counted, query)
    hits, misses = cache.hits, cache.misses
    for _ in range(3):
        assert (await post(counted, query))["data"] == {"order": None}
    assert (cache.hits - hits, cache.misses - misses) == (3, 0)


async def test_get_reads_the_documents_post_prepared(counted: TestClient) -> None:
    """strawberry's GET path validates through the same cache as the POST pipeline: a text
    POSTed before is not parsed or validated again when it comes by GET."""
    cache = document_cache(counted)
    query = '{ order(merchant: "cache-check", reference: "SO-405") { reference } }'
    await post(counted, query)
    hits, misses = cache.hits, cache.misses
    for _ in range(3):
        response = await counted.get("/graphql", params={"query": query})
        assert (await response.json())["data"] == {"order": None}
    assert (cache.hits - hits, cache.misses - misses) == (3, 0)


async def test_a_prepared_query_is_priced_with_each_requests_variables(strict: TestClient) -> None:
    query = "query($n: Int!) { returnRequests(first: $n) { edges { node { status } } } }"
    for size, refused in ((5, False), (101, True), (5, False)):
        body = await post(strict, query, {"n": size})
        codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
        assert codes == (["LIMIT_EXCEEDED"] if refused else []), (size, body)
    assert document_cache(strict).misses == 1


def test_a_cost_varies_only_with_page_sizes_and_cursors_given_as_variables() -> None:
    assert not cost_varies(parse("query($id: ID!) { returnRequest(id: $id) { status } }"))
    assert not cost_varies(parse("{ returnRequests(first: 5) { totalCount } }"))
    assert cost_varies(parse("query($n: Int) { returnRequests(first: $n) { totalCount } }"))
    assert cost_varies(
        parse("query($c: String) { returnRequests(first: 5, after: $c) { totalCount } }")
    )
    spread = "fragment F on Query { returnRequests(first: $n) { totalCount } }"
    assert cost_varies(parse(f"query($n: Int) {{ ...F }} {spread}"))

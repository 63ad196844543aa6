"""POST /graphql's one pipeline (graphql_api/pipeline.py), over the real server: it applies
the schema's one list of policies as strawberry's GET does, runs a query that errors once,
runs every document the desk sends on its compiled plan, and /metrics says how queries ran."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from graphql import GraphQLError, OperationType, get_operation_ast, parse

from core.settings import Settings
from edge.checks import shared_checks
from edge.cors import OriginPolicy
from edge.going_away import OpenWebsockets
from graphql_api.limits import GraphQLLimits
from graphql_api.policies import Operation, Policy
from graphql_api.schema import standard_policies
from graphql_api.view import add_graphql_routes
from ops.bootstrap import bootstrap
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT
from tests.conftest import StatementCounter
from tests.e2e.conftest import GraphQLClient, credentials, graphql_view
from tests.e2e.graphql.test_graphql_errors import MINIMAL_INPUTS
from tests.e2e.operations.scraping import scrape
from tests.unit.test_desk_documents import DOCUMENTS, complete, fragments

EXECUTIONS = "returns_graphql_executions_total"
DOCUMENTS_SERVED = "returns_graphql_documents_total"


class Refusing(Policy):
    """A check registered the one way there is: it sees every operation, on every path, and
    refuses the one named Forbidden."""

    def __init__(self) -> None:
        self.seen: list[tuple[str | None, str]] = []

    def before(self, operation: Operation) -> None:
        self.seen.append((operation.name, operation.kind))
        if operation.name == "Forbidden":
            raise GraphQLError("refused by the test policy", extensions={"code": "FORBIDDEN"})


@pytest.fixture
async def policed(db: Database, clock: Any) -> AsyncIterator[tuple[TestClient, Refusing]]:
    """/graphql alone, behind the shared checks, with the standard policies and `Refusing`
    (each request runs once: no comparison run)."""
    wiring = bootstrap(
        Settings(migrate_on_start=False, graphql_compare_executors=False), db=db, clock=clock
    )
    policy = Refusing()
    app = web.Application(middlewares=shared_checks(wiring))
    add_graphql_routes(
        app,
        wiring,
        OriginPolicy(()),
        ide_page=lambda _request: web.Response(),
        sockets=OpenWebsockets(),
        policies=[*standard_policies(GraphQLLimits()), policy],
    )
    headers = await credentials(db, clock, DEFAULT_TENANT)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield client, policy


async def test_a_policy_in_the_one_list_applies_to_post_and_get(
    policed: tuple[TestClient, Refusing],
) -> None:
    client, policy = policed
    allowed, forbidden = "query Allowed { __typename }", "query Forbidden { __typename }"
    answers = []
    for query in (allowed, forbidden):
        post = await client.post("/graphql", json={"query": query})
        get = await client.get("/graphql", params={"query": query})
        answers.append((await post.json(), await get.json()))

    [(posted, got), (refused_post, refused_get)] = answers
    assert posted == got == {"data": {"__typename": "Query"}}
    assert refused_post == refused_get
    assert refused_post["data"] is None
    assert [e["message"] for e in refused_post["errors"]] == ["refused by the test policy"]
    assert policy.seen == [("Allowed", "query")] * 2 + [("Forbidden", "query")] * 2


READ = """{ returnRequests(first: 5) {
  totalCount edges { node { status items { sku quantity } order { reference } } } } }"""
# The same read, beside a field whose resolver refuses its cursor once it runs.
READ_BESIDE_A_FAILURE = (
    READ[:-1] + ' webhookDeliveries(first: 5, after: "nope") { edges { cursor } } }'
)


@pytest.mark.counts_statements
async def test_a_query_that_errors_reads_the_database_once(
    graphql: GraphQLClient, api: Any, statements: StatementCounter
) -> None:
    """Before, a query with an error was given up by its plan (its reads cancelled
    wherever they stood), run again on graphql-core, and a third time through strawberry's
    view. Now graphql-core answers from what the plan's resolvers gave, and the database
    sees each of the read's statements once (tests/unit/test_planned_execution.py counts
    the resolver calls themselves)."""
    await api.upsert_order()
    await api.create_return()
    await graphql.data(READ)  # the token's look-up is cached from here on
    statements.reset()
    await graphql.data(READ)
    alone = list(statements.statements)
    statements.reset()

    body = await graphql.execute(READ_BESIDE_A_FAILURE)

    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["webhookDeliveries"], "INVALID_INPUT")
    assert sorted(statements.statements) == sorted(alone)  # the same reads, once each


def desk_documents() -> dict[str, str]:
    """Every document the desk sends, as its api.js completes it with its fragments."""
    known = fragments()
    return {path.stem: complete(path.read_text(), known) for path in DOCUMENTS}


VARIANT = {
    "sku": "SKU-2",
    "groupKey": "SHOE",
    "title": "Shoe 42",
    "options": [{"name": "size", "value": "42"}],
    "price": "10",
    "currency": "AED",
}


def desk_variables(name: str, rid: str) -> dict[str, Any]:
    """Variables the desk would send with `name`, for the return request `rid`."""
    queue_filter = {"merchant": "acme"}
    queries: dict[str, dict[str, Any]] = {
        "Counts": {"filter": queue_filter},
        "Queue": {"first": 20, "filter": queue_filter, "countFilter": queue_filter},
        "QueueRow": {"id": rid},
        "ReferenceData": {"merchant": "acme", "lang": "en"},
        "ReturnDetail": {"id": rid, "lang": "en"},
        "Start": {},
        "StaffUsers": {},
        "WebhookEndpoints": {},
        "ApiClients": {},
        "Insights": {
            "merchant": "acme",
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-12-31T00:00:00Z",
            "lang": "en",
        },
        "ExchangeAdmin": {"merchant": "acme"},
    }
    # The desk's screens for admins and its fee waiver: refusals (no such user, endpoint or
    # fee) are userErrors, which still run through the pipeline as every mutation does.
    others: dict[str, dict[str, Any]] = {
        "CreateStaffUser": {"input": {"email": "new.agent@acme.test", "role": "AGENT"}},
        "UpdateStaffUser": {"input": {"id": "SU-NONE"}},
        "ResetStaffPassword": {"input": {"id": "SU-NONE"}},
        "CreateWebhookEndpoint": {"input": {"url": "https://hooks.acme.test/returns"}},
        "UpdateWebhookEndpoint": {"input": {"id": "WH-NONE"}},
        "DeleteWebhookEndpoint": {"input": {"id": "WH-NONE"}},
        "CreateApiClient": {"input": {"name": "Storefront"}},
        "RevokeApiClient": {"input": {"clientId": "rc_none"}},
        "WaiveReturnFee": {
            "input": {"returnRequestId": rid, "feeId": "FE-NONE", "reason": "goodwill"},
            "lang": "en",
        },
        "UpdateExchangeSettings": {"input": {"merchant": "acme", "releaseOn": "APPROVAL"}},
        "UpsertVariants": {"input": {"merchant": "acme", "variants": [VARIANT]}},
        # A request with no exchange line: each refusal is a userError.
        "ReleaseExchange": {"input": {"returnRequestId": rid}, "lang": "en"},
        "RecordExchangePayment": {
            "input": {"returnRequestId": rid, "amount": "1", "currency": "AED"},
            "lang": "en",
        },
        "MarkExchangeFulfilled": {
            "input": {"returnRequestId": rid, "trackingNumber": "OUT-1"},
            "lang": "en",
        },
        "ConvertExchange": {
            "input": {"returnRequestId": rid, "lineId": "XL-1", "outcome": "MONEY"},
            "lang": "en",
        },
    }
    if name in queries:
        return queries[name]
    if name in others:
        return others[name]
    mutation = name[0].lower() + name[1:]
    return {"input": {"returnRequestId": rid, **MINIMAL_INPUTS[mutation]}, "lang": "en"}


async def test_every_document_the_desk_sends_runs_planned_with_no_fallback(
    http: TestClient, graphql: GraphQLClient, api: Any
) -> None:
    """A desk query that silently missed its plan would cost every operator's every click;
    here each query runs on its plan, and no document, mutations included, falls back.
    The subscription (ReturnEvents) runs over the websocket, not POST."""
    await api.upsert_order()
    rid = (await api.create_return())["returnRequestId"]
    counts = graphql_view(http).schema.execution_counts
    ran: dict[str, tuple[OperationType, dict[str, int]]] = {}
    for name, document in desk_documents().items():
        kind = operation_kind(document)
        if kind is OperationType.SUBSCRIPTION:
            continue
        before = dict(counts)
        body = await graphql.execute(document, desk_variables(name, rid))
        assert "errors" not in body, (name, body["errors"])
        ran[name] = (kind, {path: counts[path] - before[path] for path in counts})

    for name, (kind, paths) in ran.items():
        assert paths["fallback"] == 0, (name, paths)
        if kind is OperationType.QUERY:  # (the comparison run plans it a second time)
            assert paths["planned"] >= 1 and paths["graphql-core"] == 0, (name, paths)
    assert {"Start", "Queue", "ReturnDetail", "ApproveReturn"} <= ran.keys()


def operation_kind(document: str) -> OperationType:
    operation = get_operation_ast(parse(document))
    assert operation is not None
    return operation.operation


async def test_metrics_show_how_queries_ran(http: TestClient, graphql: GraphQLClient) -> None:
    await graphql.data("query Count { returnRequests(first: 5) { totalCount } }")
    await graphql.data("query Count { returnRequests(first: 5) { totalCount } }")
    await graphql.data("{ __schema { queryType { name } } }")

    metrics = await scrape(http)
    assert metrics.value(EXECUTIONS, path="planned") >= 2
    assert metrics.value(EXECUTIONS, path="graphql-core") >= 1
    assert metrics.value(EXECUTIONS, path="fallback") == 0
    assert metrics.value(DOCUMENTS_SERVED, cache="prepared") >= 1
    assert metrics.value(DOCUMENTS_SERVED, cache="parsed") >= 2

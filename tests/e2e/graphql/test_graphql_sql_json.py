"""Queries the database answers in JSON (graphql_api/sql_json.py) proven against the planned
executor on selections no one wrote: over seeded rows with awkward values (nulls, unicode
and control characters, money with many decimals, times with and without microseconds, two
tenants, two merchants, a request without items), generated queries of the declared fields
(aliases, `__typename`, fragments, @include and @skip, variables) are POSTed, and the e2e
suite's comparison mode (tests/e2e/conftest.py) runs each again through strawberry's view,
on the planned executor: any answer that differs by one byte fails with its query. Each
query must also have been answered by the database, where it can write every field.

Beside them: another tenant's request is not found that way either, /metrics counts the
answers (`path="sql"`), and what the database cannot write exactly is answered the other
way."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
import orjson
from sqlalchemy import insert

from core.global_ids import to_global_id
from graphql_api import planned_executor
from graphql_api.returns.sql_fields import ITEM_FIELDS, REQUEST_FIELDS
from persistence.database import Database
from persistence.tables import DEFAULT_TENANT, ReturnItemRow, ReturnRequestRow
from tests.drawn import drawn
from tests.e2e.conftest import GraphQLClient, graphql_view
from tests.e2e.graphql import test_graphql_pipeline
from tests.e2e.graphql.test_graphql_pipeline import Refusing
from tests.e2e.operations.scraping import scrape

OTHER_TENANT = "other-co"
AWKWARD_TEXT = [
    "plain",
    'quote " and backslash \\',
    "line\nbreak\ttab\r\x01\x1f\x7f",
    "unicode é ñ 中文 😀 \u2028\u2029",
    "",
    "<script>&amp;</script>",
]
PRICES = ["0", "0.5", "49.90", "10.000001", "123456789.123456789012345", "7", "0.00"]
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _request(n: int, tenant: str, *, merchant: str, fancy: bool) -> dict[str, Any]:
    """A request's row: odd ones with every optional column set (some awkwardly), even
    ones with none; times with and without microseconds."""
    created = START + timedelta(hours=n, microseconds=(n * 123457) % 1_000_000 if fancy else 0)
    text = AWKWARD_TEXT[n % len(AWKWARD_TEXT)]
    optional = {
        "channel": text,
        "customer_comment": AWKWARD_TEXT[(n + 1) % len(AWKWARD_TEXT)],
        "resolution": "REFUND",
        "refund_method": "CARD",
        "assigned_to_user": "agent@acme.test",
        "rejection_reason": "damaged",
        "split_from": f"RR-SPLIT{n:04d}",
        "update_user": "Ann <ann@acme.test>",
        "currency": "AED",
        "on_hold_at": created + timedelta(minutes=1),
        "approved_at": created + timedelta(minutes=2, microseconds=1),
        "completed_at": created + timedelta(days=1),
        "first_scanned_at": created + timedelta(seconds=30),
        "auto_closed_at": created + timedelta(days=30),
    }
    return {
        "id": f"RR-{tenant[:2].upper()}{n:06d}",
        "tenant_id": tenant,
        "merchant": merchant,
        "order_reference": f"SO-{n}",
        "status": ["PENDING", "APPROVED", "ON_HOLD", "COMPLETED", "REJECTED"][n % 5],
        "created_at": created,
        "updated_at": created + timedelta(minutes=5),
        "creation_source": "API",
        "update_source": "API",
        "version": n + 1,
        "auto_closed": n % 3 == 0,
        "value_thousandths": 0,
        **(optional if fancy else dict.fromkeys(optional)),
    }


def _items(request: dict[str, Any], count: int) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": request["tenant_id"],
            "return_request_id": request["id"],
            "position": count - position,  # written in reverse: read back in order
            "sku": f"SKU-{position}-{AWKWARD_TEXT[position % len(AWKWARD_TEXT)]}",
            "description": AWKWARD_TEXT[(position + 2) % len(AWKWARD_TEXT)],
            "unit_price": Decimal(PRICES[position % len(PRICES)]),
            "currency": "AED",
            "quantity": position + 1,
            "approved_quantity": position,
            "rejected_quantity": 1,
            "returned_quantity": 0,
            "received_quantity": 2**31 - 1 if position == 3 else 0,
            "reason_code": None if position % 2 else "DAMAGED",
            "comment": AWKWARD_TEXT[position % len(AWKWARD_TEXT)] if position % 2 else None,
            "comment_codes": [],
            "image_urls": [],
            "item_condition": "NEW" if position == 1 else None,
            "resolution": None,
            "refund_type": "CASH" if position == 2 else None,
            "rejection_reason": None,
        }
        for position in range(count)
    ]


async def seed(db: Database) -> list[str]:
    """Requests of two merchants of the default tenant and of another tenant: the ids of
    the default tenant's."""
    requests, items = [], []
    for n in range(8):
        for tenant in (DEFAULT_TENANT, OTHER_TENANT):
            row = _request(n, tenant, merchant=("acme", "globex")[n % 2], fancy=n % 2 == 1)
            requests.append(row)
            items += _items(row, (0, 1, 3, 7)[n % 4])  # one request in four without items
    async with db.write_session() as session, session.begin():
        await session.execute(insert(ReturnRequestRow.__table__), requests)  # type: ignore[attr-defined]
        await session.execute(insert(ReturnItemRow.__table__), items)  # type: ignore[attr-defined]
    return [row["id"] for row in requests if row["tenant_id"] == DEFAULT_TENANT]


# --------------------------------------------------------------------------- the queries


@dataclass(frozen=True)
class Drawn:
    query: str
    variables: dict[str, Any]
    global_id: bool  # selects `id`, which SQLite does not write (no base64 there)


ALIASES = ["a", "b2", "_c", "node", "items", "status"]
SORTS = ["NEWEST", "OLDEST", "RECENTLY_UPDATED", "HIGHEST_VALUE", "LOWEST_VALUE"]


@st.composite
def selections(draw: Any, fields: list[str], *, inner: str | None = None) -> str:
    """A selection of `fields` (and `inner`, a nested selection of items), each perhaps
    aliased, skipped or included by a literal or the `$flag` variable, or in a fragment."""
    chosen = draw(st.lists(st.sampled_from([*fields, "__typename"]), min_size=1, max_size=8))
    if inner is not None and draw(st.booleans()):
        chosen.append(inner)
    parts = []
    for name in chosen:
        text = name
        if draw(st.integers(0, 3)) == 0:  # numbered: two fields never share an alias
            text = f"{draw(st.sampled_from(ALIASES))}{len(parts)}: {name}"
        directive = draw(
            st.sampled_from(
                ["", "", "", " @include(if: $flag)", " @skip(if: $flag)", " @skip(if: false)"]
            )
        )
        if name.startswith("items"):  # an alias keeps its selection: `a: items { sku }`
            head, _, rest = text.partition(" {")
            text = f"{head}{directive} {{{rest}"
        else:
            text += directive
        parts.append(text)
    if draw(st.booleans()):
        parts = [f"... on ReturnRequest {{ {' '.join(parts)} }}"] if inner else parts
    return " ".join(parts)


@st.composite
def queries(draw: Any) -> Drawn:
    request_fields = [name for name in REQUEST_FIELDS if name != "items"]
    items = f"items {{ {draw(selections(list(ITEM_FIELDS)))} }}"
    node = draw(selections(request_fields, inner=items))
    variables: dict[str, Any] = {"flag": draw(st.booleans())}
    roots = []
    if draw(st.booleans()):
        variables["id"] = draw(st.sampled_from(["RR-DE000001", "RR-DE000004", "RR-OT000001"]))
        if draw(st.booleans()):
            variables["id"] = to_global_id("ReturnRequest", variables["id"])
        roots.append(f"one: returnRequest(id: $id) {{ {node} }}")
    if not roots or draw(st.booleans()):
        first = draw(st.sampled_from([1, 3, 100]))
        sort = draw(st.sampled_from(SORTS))
        merchant = draw(st.sampled_from(["", ', filter: {merchant: "globex"}']))
        edge = draw(st.sampled_from(["node {N}", "__typename node {N}", "node {N} __typename"]))
        extra = draw(
            st.sampled_from(["", "__typename", "pageInfo { hasNextPage hasPreviousPage }"])
        )
        roots.append(
            f"returnRequests(first: {first}, orderBy: {sort}{merchant}) "
            f"{{ {extra} edges {{ {edge.replace('N', node)} }} }}"
        )
    body = " ".join(roots)
    if "$flag" not in body:  # a variable declared must be used
        del variables["flag"]
    names = [f"${name}: {kind}" for name, kind in (("flag", "Boolean!"), ("id", "ID!"))]
    declared = ", ".join(n for n in names if n.split(":")[0][1:] in variables)
    query = f"query Drawn{f'({declared})' if declared else ''} {{ {body} }}"
    return Drawn(query, variables, global_id="id" in node.replace("Id", "").split())


EXAMPLES = 40


async def test_drawn_queries_answer_alike_from_the_database_and_the_executor(
    http: Any, graphql: GraphQLClient, db: Database
) -> None:
    await seed(db)
    counts = graphql_view(http).schema.execution_counts
    sqlite = db.engine.dialect.name == "sqlite"
    for example in drawn(queries(), EXAMPLES):
        before = counts["sql"]
        response = await http.post(
            "/graphql", json={"query": example.query, "variables": example.variables}
        )
        body = await response.json()
        assert response.status == 200 and "errors" not in body, (example, body)
        assert planned_executor.MISMATCHES == [], (example.query, planned_executor.MISMATCHES[0])
        if not (sqlite and example.global_id):  # (unless @skip leaves it out)
            assert counts["sql"] - before == 1, example


async def test_another_tenants_request_is_not_found(
    graphql: GraphQLClient, http: Any, db: Database
) -> None:
    ids = await seed(db)
    counts = graphql_view(http).schema.execution_counts
    before = counts["sql"]
    query = "query ($id: ID!) { returnRequest(id: $id) { returnRequestId items { sku } } }"
    assert await graphql.data(query, {"id": ids[0]}) == {
        "returnRequest": {"returnRequestId": ids[0], "items": []}
    }
    theirs = ids[0].replace("DE", "OT")
    assert await graphql.data(query, {"id": theirs}) == {"returnRequest": None}
    page = await graphql.data(
        "{ returnRequests(first: 100) { edges { node { returnRequestId merchant } } } }"
    )
    shown = [edge["node"]["returnRequestId"] for edge in page["returnRequests"]["edges"]]
    assert sorted(shown) == sorted(ids)
    assert counts["sql"] - before == 3


async def test_metrics_count_the_answers_the_database_wrote(
    http: Any, graphql: GraphQLClient, db: Database
) -> None:
    await seed(db)
    await graphql.data("{ returnRequests(first: 5) { edges { node { status } } } }")
    await graphql.data("{ returnRequests(first: 5) { totalCount } }")  # not declared
    metrics = await scrape(http)
    assert metrics.value("returns_graphql_executions_total", path="sql") >= 1
    assert metrics.value("returns_graphql_executions_total", path="planned") >= 1


async def test_what_the_database_cannot_write_exactly_is_answered_the_other_way(
    http: Any, graphql: GraphQLClient, db: Database
) -> None:
    """A price stored in another form than its canonical one (Python's str of a Decimal
    with an exponent): PostgreSQL writes it as numeric, SQLite leaves it to Python."""
    ids = await seed(db)
    async with db.write_session() as session, session.begin():
        table = ReturnItemRow.__table__  # type: ignore[attr-defined]
        await session.execute(
            table.update().where(table.c.return_request_id == ids[1]).values(unit_price="1E+2")
        )
    counts = graphql_view(http).schema.execution_counts
    before = counts["sql"]
    query = "query ($id: ID!) { returnRequest(id: $id) { items { unitPrice } } }"
    answer = await graphql.data(query, {"id": ids[1]})
    assert answer == {"returnRequest": {"items": [{"unitPrice": "100"}]}}
    assert counts["sql"] - before == (0 if db.engine.dialect.name == "sqlite" else 1)


policed = test_graphql_pipeline.policed  # the fixture: an app with `Refusing` among its policies


async def test_the_policies_run_before_the_database_answers(
    policed: tuple[Any, Refusing],
) -> None:
    """The same checks as on every path: a query the database would answer is refused by a
    policy before anything reads, and let through otherwise."""
    client, policy = policed
    selection = "{ returnRequests(first: 1) { edges { node { status } } } }"
    counts = graphql_view(client).schema.execution_counts
    allowed = await client.post("/graphql", json={"query": f"query Allowed {selection}"})
    refused = await client.post("/graphql", json={"query": f"query Forbidden {selection}"})
    assert await allowed.json() == {"data": {"returnRequests": {"edges": []}}}
    assert [e["message"] for e in (await refused.json())["errors"]] == [
        "refused by the test policy"
    ]
    assert policy.seen == [("Allowed", "query"), ("Forbidden", "query")]
    assert counts["sql"] == 1


async def test_a_null_switch_is_the_clients_error_not_a_failure_of_this_way(
    http: Any, db: Database, caplog: Any
) -> None:
    """`@include(if: $flag)` with `$flag: Boolean = true` sent as null: graphql-core refuses
    it as it collects the fields. That is the client's error, answered by the executor as
    before, and no fault of the database's answer to log (or to count in compare mode)."""
    await seed(db)
    query = (
        "query ($flag: Boolean = true) "
        "{ returnRequests(first: 1) { edges { node { merchant @include(if: $flag) } } } }"
    )
    response = await http.post("/graphql", json={"query": query, "variables": {"flag": None}})
    body = await response.json()
    assert body["data"] is None and "not to be None" in body["errors"][0]["message"]
    assert planned_executor.MISMATCHES == []
    assert not [r for r in caplog.records if r.name == "graphql_api.pipeline"]


async def test_a_global_id_hiding_a_nul_is_not_found_on_either_way(
    http: Any, db: Database, caplog: Any
) -> None:
    """The body's escaped-NUL check cannot see a NUL inside a global id's base64: decoded,
    PostgreSQL refused it as text, an unexpected error logged twice (the database's answer
    failed, then the executor's). No id holds one: it is simply not found."""
    await seed(db)
    hidden = to_global_id("ReturnRequest", "RR-DE000001\x00")
    query = "query ($id: ID!) { returnRequest(id: $id) { returnRequestId } }"
    response = await http.post("/graphql", json={"query": query, "variables": {"id": hidden}})
    assert await response.json() == {"data": {"returnRequest": None}}
    assert planned_executor.MISMATCHES == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_cursor_hiding_a_nul_is_refused_as_not_a_cursor(
    http: Any, db: Database, caplog: Any
) -> None:
    """As a global id, a cursor's base64 can hide a NUL in its request id, which PostgreSQL
    refuses as text: not a cursor this API returned, the client's error, logged nowhere."""
    await seed(db)
    raw = orjson.dumps([START.isoformat(), "RR-DE000001\x00"])
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    query = (
        "query ($c: String) { returnRequests(first: 2, after: $c) { edges { node { status } } } }"
    )
    response = await http.post("/graphql", json={"query": query, "variables": {"c": cursor}})
    body = await response.json()
    assert [e["message"] for e in body["errors"]] == [
        "`after` is not a cursor returned by this API"
    ]
    assert planned_executor.MISMATCHES == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

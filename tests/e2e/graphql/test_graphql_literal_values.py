"""A value the schema refuses gets the same clear message and code whether it is written in
the document or sent as a variable, over HTTP or a websocket; never "Unexpected error."
(issue 12, item 5)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from persistence.tables import DEFAULT_TENANT
from tests.e2e.conftest import credentials
from tests.e2e.graphql.test_graphql_subscriptions import PROTOCOL, Socket

EVENTS_AFTER = "{ returnEvents(first: 1, after: %s) { pageInfo { hasNextPage } } }"
EVENTS_AFTER_VARIABLE = (
    "query ($v: EventPosition) { returnEvents(first: 1, after: $v) { pageInfo { hasNextPage } } }"
)
CREATED_BEFORE = "{ returnRequests(first: 1, filter: {createdBefore: %s}) { totalCount } }"
CREATED_BEFORE_VARIABLE = (
    "query ($v: DateTime) { returnRequests(first: 1, filter: {createdBefore: $v}) { totalCount } }"
)

CASES = [
    pytest.param(EVENTS_AFTER, EVENTS_AFTER_VARIABLE, "-5", "decimal string", id="position-neg"),
    pytest.param(EVENTS_AFTER, EVENTS_AFTER_VARIABLE, "4.2", "decimal string", id="position-dot"),
    pytest.param(
        EVENTS_AFTER, EVENTS_AFTER_VARIABLE, "9" * 40, "decimal string", id="position-huge"
    ),
    pytest.param(
        CREATED_BEFORE,
        CREATED_BEFORE_VARIABLE,
        "9999-12-31T23:59:59-23:59",
        "out of range",
        id="datetime-overflow",
    ),
    pytest.param(
        CREATED_BEFORE,
        CREATED_BEFORE_VARIABLE,
        "0001-01-01T00:00:00+23:59",
        "out of range",
        id="datetime-underflow",
    ),
    pytest.param(
        CREATED_BEFORE, CREATED_BEFORE_VARIABLE, "yesterday", "ISO 8601", id="datetime-text"
    ),
    pytest.param(
        CREATED_BEFORE,
        CREATED_BEFORE_VARIABLE,
        "2026-01-31T10:00:00",
        "time zone offset",
        id="datetime-naive",
    ),
]


async def first_error(http: TestClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body = await response.json()
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    [error] = body["errors"]
    return error


@pytest.mark.parametrize(("literal", "variable", "value", "explains"), CASES)
async def test_a_refused_literal_reads_like_the_same_refused_variable(
    http: TestClient, literal: str, variable: str, value: str, explains: str
) -> None:
    written = await first_error(http, literal % json.dumps(value), {})
    sent = await first_error(http, variable, {"v": value})

    assert written["message"] != "Unexpected error."
    assert explains in written["message"]
    assert written["message"] in sent["message"]  # the variable's adds which variable
    assert written["extensions"] == sent["extensions"] == {"code": "INVALID_INPUT"}
    assert written["locations"], "a literal's error points at it in the document"


async def test_a_literal_of_the_wrong_kind_is_refused_with_its_code(http: TestClient) -> None:
    error = await first_error(http, CREATED_BEFORE % "20260131", {})

    assert "ISO 8601" in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}


FILTERED = """
subscription ($merchant: String) {
  returnStatusChanged(merchant: $merchant) { position }
}
"""
FILTERED_LITERAL = 'subscription { returnStatusChanged(merchant: "acme\\u0000") { position } }'


@pytest.fixture
async def ws(http: TestClient, db, clock) -> AsyncIterator[Socket]:  # type: ignore[no-untyped-def]
    async with http.ws_connect("/graphql", protocols=[PROTOCOL]) as connection:
        socket = Socket(connection)
        ack = await socket.init(await credentials(db, clock, DEFAULT_TENANT))
        assert ack["type"] == "connection_ack"
        yield socket


@pytest.mark.parametrize(
    ("query", "variables", "refusal"),
    [
        (FILTERED_LITERAL, {}, "NUL characters are not accepted"),
        (FILTERED, {"merchant": "acme\u0000"}, "NUL characters are not accepted"),
        (FILTERED, {"merchant": "acme\ud800"}, "lone surrogates"),
    ],
    ids=["nul-literal", "nul-variable", "surrogate-variable"],
)
async def test_a_subscription_filter_no_database_can_store_is_refused_on_the_socket(
    ws: Socket, query: str, variables: dict[str, Any], refusal: str
) -> None:
    """The HTTP face refuses these with a 400 before GraphQL runs; the socket used to run
    them, and PostgreSQL failed on the NUL: "Unexpected error."."""
    await ws.subscribe("1", query, variables)

    message = await ws.receive()

    assert message["type"] == "error", message
    [error] = message["payload"]
    assert refusal in error["message"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    await ws.subscribe("1", "{ __typename }")  # the socket serves on; the id is free again
    assert await ws.next_payload() == {"__typename": "Query"}

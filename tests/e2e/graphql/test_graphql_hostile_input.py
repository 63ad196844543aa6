"""Broken or hostile HTTP input gets a 4xx (or a GraphQL error) with a readable body: never a
500, never a stack trace, never a partial write."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient

ORDER = """
mutation ($qty: Int!, $price: Decimal!) {
  upsertOrder(input: {merchant: "m", reference: "SO-1", currency: "AED",
    lines: [{sku: "A", quantity: $qty, unitPrice: $price}]}) {
    order { reference } userErrors { code field message }
  }
}
"""
ORDER_EXISTS = '{ order(merchant: "m", reference: "SO-1") { reference } }'


async def raw(http: TestClient, body: bytes | str, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    return await http.post("/graphql", data=body, headers={"Content-Type": content_type})


async def assert_nothing_written(http: TestClient) -> None:
    response = await http.post("/graphql", json={"query": ORDER_EXISTS})
    assert (await response.json())["data"] == {"order": None}


async def assert_no_trace(response) -> None:  # type: ignore[no-untyped-def]
    text = await response.text()
    assert "Traceback" not in text and 'File "' not in text, text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'"just a string"', "application/json"),
        (b"42", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ __typename }", "variables": "x"}', "application/json"),
        (b"query=%7B__typename%7D", "text/plain"),
        (b"\x00\x01\x02", "application/octet-stream"),
        ('{"query": "{ __typename }\u0000"}'.encode(), "application/json"),
    ],
    ids=[
        "malformed",
        "string",
        "number",
        "null",
        "empty-batch",
        "query-not-string",
        "variables-not-object",
        "wrong-type",
        "binary",
        "nul-byte",
    ],
)
async def test_malformed_bodies_get_a_400_not_a_500(
    http: TestClient, body: bytes, content_type: str
) -> None:
    response = await raw(http, body, content_type)
    assert 400 <= response.status < 500, await response.text()
    await assert_no_trace(response)


async def test_a_body_over_the_size_limit_gets_413(http: TestClient) -> None:
    padding = " " * (1_048_576 + 10)
    response = await raw(http, json.dumps({"query": "{ __typename }" + padding}))
    assert response.status == 413
    await assert_no_trace(response)


@pytest.mark.parametrize(
    ("qty", "price"),
    [
        (2**31, "1"),
        (10**40, "1"),
        (1.5, "1"),
        ("1", "1"),
        (1, "NaN"),
        (1, "Infinity"),
        (1, "1e999999"),
        (1, "not a number"),
        (1, "-5"),
    ],
    ids=[
        "int32-overflow",
        "huge-int",
        "float-qty",
        "string-qty",
        "nan",
        "infinity",
        "huge-exponent",
        "garbage",
        "negative",
    ],
)
async def test_out_of_range_or_non_numeric_values_are_refused_and_nothing_written(
    http: TestClient, qty: object, price: object
) -> None:
    response = await http.post(
        "/graphql", json={"query": ORDER, "variables": {"qty": qty, "price": price}}
    )
    assert response.status in (200, 400)
    body = await response.json()
    refused = body.get("errors") or body["data"]["upsertOrder"]["userErrors"]
    assert refused, body
    assert "Unexpected error" not in json.dumps(body)
    await assert_nothing_written(http)


async def test_a_json_nan_literal_is_refused(http: TestClient) -> None:
    query = json.dumps(ORDER)
    body = '{"query": ' + query + ', "variables": {"qty": NaN, "price": "1"}}'
    response = await raw(http, body)
    assert response.status in (200, 400)
    assert "Unexpected error" not in await response.text()
    await assert_nothing_written(http)


async def test_an_unknown_enum_value_is_a_validation_error(http: TestClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ returnRequests(first: 1, filter: {status: [LOST]}) { totalCount } }"},
    )
    body = await response.json()
    assert "Value 'LOST' does not exist in 'ReturnStatus' enum" in body["errors"][0]["message"]


async def test_nul_characters_in_strings_are_refused_with_400(http: TestClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": ORDER.replace('"m"', '"m\\u0000"'), "variables": {"qty": 1, "price": "1"}},
    )
    assert response.status == 400
    assert "NUL characters are not accepted" in await response.text()
    filtered = await http.post(
        "/graphql",
        json={
            "query": "query ($m: String) { returnRequests(first: 1, filter: {merchant: $m}) "
            "{ totalCount } }",
            "variables": {"m": "a\u0000b"},
        },
    )
    assert filtered.status == 400
    via_get = await http.get(
        "/graphql", params={"query": '{ order(merchant: "a\u0000", reference: "x") { reference } }'}
    )
    assert via_get.status == 400
    await assert_nothing_written(http)


async def test_lone_surrogates_in_variables_are_refused_with_400(http: TestClient) -> None:
    """JSON may escape half a UTF-16 pair; no database can store it. It used to reach the
    resolvers and fail there as an "Unexpected error"."""
    query = "query ($m: String!) { returnReasons(merchant: $m) { code } }"
    body = json.dumps({"query": query, "variables": {"m": "x"}}).replace('"x"', '"x\\ud800"')

    response = await raw(http, body)

    assert response.status == 400
    assert "lone surrogates" in await response.text()
    await assert_no_trace(response)

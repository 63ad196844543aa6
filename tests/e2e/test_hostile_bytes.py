"""Bytes that are not text, before and after authentication, on every face: a 400 or 401 in
that face's own error shape, never a 500 (issue 12, item 3).

aiohttp hands header bytes that are not UTF-8 on as lone surrogates; JSON may escape half a
surrogate pair, forms may escape a NUL. Neither hashes, logs nor database drivers can encode
them, so each face refuses them before they travel further."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.raw_http import RawResponse, default_headers, send_raw

NOT_UTF8 = b"\xff\xfe"
TYPENAME = json.dumps({"query": "{ __typename }"}).encode()
CREATE_REASON = json.dumps(
    {
        "query": 'mutation { createReturnReason(input: {merchant: "m", code: "C", name: "n"}) '
        "{ userErrors { code } } }"
    }
).encode()
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def graphql_code(response: RawResponse) -> str:
    [error] = response.json()["errors"]
    assert set(error) == {"message", "extensions"}, error
    return error["extensions"]["code"]


def rest_code(response: RawResponse) -> str:
    [error] = response.json()["errors"]
    assert set(error) == {"code", "message", "field"}, error
    return error["code"]


def oauth_error(response: RawResponse) -> str:
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    return body["error"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Authorization", b"Bearer " + NOT_UTF8),
        ("x-api-key", b"rk_" + NOT_UTF8),
        ("tenant-id", b"default" + NOT_UTF8),
        ("X-User", b"ann" + NOT_UTF8),
        ("Idempotency-Key", b"key-" + NOT_UTF8),
    ],
)
async def test_graphql_refuses_a_header_that_is_not_utf8(
    http: TestClient, header: str, value: bytes
) -> None:
    headers = default_headers(http) | JSON | {header: value}

    response = await send_raw(http, "POST", "/graphql", headers, CREATE_REASON)

    assert response.status == 400, response.body
    assert graphql_code(response) == "INVALID_INPUT"
    assert header.lower() in response.json()["errors"][0]["message"].lower()


@pytest.mark.parametrize(
    "credentials",
    [
        {"Authorization": "Bearer rat_é"},
        {"x-api-key": "rk_\u00a0"},
        {"tenant-id": "défault"},
    ],
    ids=["token", "api-key", "tenant"],
)
async def test_graphql_answers_401_to_credentials_that_are_not_printable_ascii(
    http: TestClient, credentials: dict[str, str]
) -> None:
    """UTF-8, but no credential we issue looks like that: refused like a wrong one."""
    headers = default_headers(http) | JSON | credentials
    response = await send_raw(http, "POST", "/graphql", headers, TYPENAME)

    assert response.status == 401, response.body
    assert graphql_code(response) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "variables": {"a": "\xff"}}',
        b'{"query": "{ __typename } # \xc3"}',
    ],
    ids=["in-variables", "in-query"],
)
async def test_graphql_refuses_a_json_body_that_is_not_utf8(http: TestClient, body: bytes) -> None:
    response = await send_raw(http, "POST", "/graphql", default_headers(http) | JSON, body)

    assert response.status == 400, response.body
    assert graphql_code(response) == "INVALID_INPUT"
    assert "not UTF-8" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/returns/reasons?merchant=m", b""),
        ("POST", "/returns/reasons", b'{"merchant": "m", "code": "C", "name": "n"}'),
        ("POST", "/rest/v2/getReturnDetails", b'{"orderId": "SO-1"}'),
    ],
    ids=["carriyo-read", "carriyo-write", "oto"],
)
@pytest.mark.parametrize("header", ["Authorization", "x-api-key", "tenant-id", "x-user"])
async def test_rest_refuses_a_header_that_is_not_utf8(
    http: TestClient, method: str, path: str, body: bytes, header: str
) -> None:
    value = default_headers(http).get(header, "ann")
    headers = default_headers(http) | JSON | {header: str(value).encode() + NOT_UTF8}

    response = await send_raw(http, method, path, headers, body)

    assert response.status == 400, response.body
    assert rest_code(response) == "INVALID_INPUT"


def basic(raw: bytes) -> dict[str, bytes | str]:
    return {"Authorization": b"Basic " + base64.b64encode(raw)}


GRANT = {"grant_type": "client_credentials"}


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param(FORM | basic(b"rc_\xff:secret"), b"grant_type=client_credentials", id="basic"),
        pytest.param(
            FORM | basic("rc_\ud800:s".encode(errors="surrogatepass")),
            b"grant_type=client_credentials",
            id="basic-surrogate",
        ),
        pytest.param(
            FORM | {"Authorization": b"Basic not base64!"},
            b"grant_type=client_credentials",
            id="basic-not-base64",
        ),
        pytest.param(
            JSON,
            json.dumps(GRANT | {"client_id": "rc_x", "client_secret": "s"})
            .replace("rc_x", "rc_\\ud800")
            .encode(),
            id="json-surrogate-id",
        ),
        pytest.param(
            JSON,
            json.dumps(GRANT | {"client_id": "rc_x", "client_secret": "s\u0000"}).encode(),
            id="json-nul-secret",
        ),
        pytest.param(
            FORM,
            b"grant_type=client_credentials&client_id=rc_%00&client_secret=s",
            id="form-nul-id",
        ),
        pytest.param(
            FORM,
            b"grant_type=client_credentials&client_id=rc_%ff&client_secret=s",
            id="form-not-utf8-id",
        ),
    ],
)
async def test_the_token_endpoint_answers_invalid_client_to_credentials_that_are_not_text(
    http: TestClient, headers: dict[str, Any], body: bytes
) -> None:
    response = await send_raw(http, "POST", "/oauth/token", headers, body)

    assert response.status == 401, response.body
    assert oauth_error(response) == "invalid_client"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param(
            FORM | {"Authorization": b"Basic " + NOT_UTF8},
            b"grant_type=client_credentials",
            id="basic-header-bytes",
        ),
        pytest.param(
            {"Content-Type": "application/json; charset=no-such-charset"},
            json.dumps(GRANT).encode(),
            id="unknown-charset",
        ),
        pytest.param(JSON, b'{"grant_type": "client_credentials\xff"}', id="json-bytes"),
    ],
)
async def test_the_token_endpoint_answers_invalid_request_to_bytes_that_are_not_text(
    http: TestClient, headers: dict[str, Any], body: bytes
) -> None:
    response = await send_raw(http, "POST", "/oauth/token", headers, body)

    assert response.status == 400, response.body
    assert oauth_error(response) == "invalid_request"

"""The checks GraphQL and the REST shims share (edge/checks.py): each face
refuses the same requests, in its own error shape, and routes outside both pass untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

GRAPHQL, REST = "graphql", "rest"
TARGETS = {GRAPHQL: ("POST", "/graphql"), REST: ("GET", "/returns/requests/RR-NONE")}
QUERY = {"query": "{ __typename }"}


def code_of(face: str, body: dict[str, Any]) -> str:
    error = body["errors"][0]
    return error["extensions"]["code"] if face == GRAPHQL else error["code"]


async def send(http: TestClient, face: str, suffix: str = "", **options: Any):  # type: ignore[no-untyped-def]
    method, path = TARGETS[face]
    body = {"json": QUERY} if method == "POST" else {}
    return await http.request(method, path + suffix, **body, **options)


@pytest.mark.parametrize("face", [GRAPHQL, REST])
async def test_a_nul_in_the_target_is_refused_by_every_face_in_its_own_shape(http, face):
    response = await send(http, face, "?note=%00")

    assert response.status == 400
    assert code_of(face, await response.json()) == "INVALID_INPUT"


@pytest.mark.parametrize("face", [GRAPHQL, REST])
async def test_wrong_credentials_get_401_and_the_challenge_on_every_face(http, face):
    response = await send(http, face, headers={"Authorization": "Basic c2VjcmV0"})

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="returns-api"'
    assert code_of(face, await response.json()) == "UNAUTHENTICATED"


async def test_a_graphql_body_over_the_limit_is_refused_in_graphqls_shape(http):
    padding = " " * (1_048_576 + 10)
    response = await http.post(
        "/graphql",
        data=json.dumps({"query": "{ __typename }" + padding}),
        headers={"Content-Type": "application/json"},
    )

    assert response.status == 413
    assert code_of(GRAPHQL, await response.json()) == "LIMIT_EXCEEDED"


async def test_a_route_of_neither_face_is_not_checked(http):
    response = await http.get("/healthz?note=%00", headers={"Authorization": "Basic c2VjcmV0"})

    assert response.status == 200

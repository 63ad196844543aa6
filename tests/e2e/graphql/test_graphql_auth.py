"""Authentication end to end: `POST /oauth/token` trades client credentials for a bearer token,
and `/graphql` wants that token, the client's `x-api-key` and its `tenant-id`, all three
belonging together. Refusals never say which part was wrong. A read-only key may query but
not mutate, GraphiQL's page is served to anyone, and the CLI's `create-tenant` and
`create-api-key` print credentials that work against the app."""

from __future__ import annotations

import base64
import logging
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from graphql import (
    GraphQLInputType,
    build_schema,
    is_enum_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    is_required_argument,
    is_required_input_field,
)

from core.settings import Settings
from domain.access import IssuedCredentials, Role, new_tenant
from graphql_api.schema import schema as served_schema
from ops.app import create_app
from persistence.access import AccessStore
from persistence.database import Database
from tests.clocks import FixedClock

ROOT = Path(__file__).resolve().parents[3]
TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
MERCHANT = "acme"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"

# --------------------------------------------------------------------------- operations

TYPENAME = "{ __typename }"
COUNT = "query Count { returnRequests(first: 100) { totalCount } }"
UPSERT_ORDER = """
mutation UpsertOrder($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { order { reference } userErrors { code field message } }
}
"""
CREATE_RETURN = """
mutation CreateReturn($input: CreateReturnInput!) {
  createReturn(input: $input) {
    returnRequest { returnRequestId version } userErrors { code field message }
  }
}
"""
ADD_NOTE = """
mutation AddNote($input: AddReturnNoteInput!) {
  addReturnNote(input: $input) { note { id } userErrors { code field message } }
}
"""
APPROVE = """
mutation Approve($input: ApproveReturnInput!) {
  approveReturn(input: $input) { returnRequest { status } userErrors { code field message } }
}
"""
CREATE_REASON = """
mutation CreateReason($input: ReturnReasonInput!) {
  createReturnReason(input: $input) { referenceCode { code } userErrors { code field message } }
}
"""
UPDATE_REASON = """
mutation UpdateReason($input: ReturnReasonInput!) {
  updateReturnReason(input: $input) { referenceCode { code } userErrors { code field message } }
}
"""
UPSERT_SETTINGS = """
mutation Settings($input: ReturnSettingsInput!) {
  upsertReturnSettings(input: $input) {
    returnSettings { merchant } userErrors { code field message }
  }
}
"""
CREATE_LOCATION = """
mutation Location($input: PickupLocationInput!) {
  createPickupLocation(input: $input) { pickupLocation { code } userErrors { code field message } }
}
"""
CREATE_OPTION = """
mutation Option($input: DeliveryOptionInput!) {
  createDeliveryOption(input: $input) {
    deliveryOption { id } userErrors { code field message }
  }
}
"""
SNAPSHOT = """
query Snapshot($merchant: String!) {
  returnRequests(first: 100) {
    totalCount
    edges { node { returnRequestId status version notes { id text } refunds { id } } }
  }
  first: order(reference: "SO-1", merchant: $merchant) { reference lines { sku quantity } }
  second: order(reference: "SO-2", merchant: $merchant) { reference lines { sku quantity } }
  returnReasons(merchant: $merchant) { code name }
  rejectionReasons(merchant: $merchant) { code name }
  resolutions(merchant: $merchant) { code name }
  itemConditions(merchant: $merchant) { code name }
  refundTypes(merchant: $merchant) { code name }
  returnComments(merchant: $merchant) { code name }
  returnSettings(merchant: $merchant) { allowedDaysForReturn }
  pickupLocations(merchant: $merchant) { code name }
  deliveryOptions(merchant: $merchant) { id name }
}
"""
QUERY_AND_MUTATION = """
query Look { returnRequests(first: 1) { totalCount } }
mutation Write { upsertOrder(input: {merchant: "acme", reference: "SO-9", currency: "AED",
  lines: [{sku: "A", quantity: 1, unitPrice: "1"}]}) { userErrors { code } } }
"""

# Placeholder values, by scalar, for a syntactically valid input of any mutation.
SCALAR_SAMPLES: dict[str, Any] = {
    "String": "x",
    "ID": "RR-ZZZZZZZZ",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1.00",
    "DateTime": "2026-11-25T12:00:00+00:00",
}

# --------------------------------------------------------------------------- helpers


async def new_client(
    db: Database, clock: FixedClock, tenant_id: str = TENANT, role: Role = Role.FULL
) -> IssuedCredentials:
    """A fresh API client of `tenant_id` (the tenant is created when missing)."""
    store = AccessStore(db)
    if await store.tenant(tenant_id) is None:
        await store.create_tenant(new_tenant(tenant_id, tenant_id, clock.now()))
    return await store.create_client(tenant_id, role, "auth tests", clock.now())


def api_headers(token: str, issued: IssuedCredentials) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "x-api-key": issued.api_key,
        "tenant-id": issued.client.tenant_id,
    }


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


async def token_for(client: TestClient, issued: IssuedCredentials) -> str:
    response = await client.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
        },
    )
    assert response.status == 200, await response.text()
    return (await response.json())["access_token"]


async def headers_for(client: TestClient, issued: IssuedCredentials) -> dict[str, str]:
    return api_headers(await token_for(client, issued), issued)


async def post(
    client: TestClient,
    query: str,
    headers: dict[str, str],
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> ClientResponse:
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name:
        body["operationName"] = operation_name
    return await client.post("/graphql", json=body, headers=headers)


async def data(
    client: TestClient, query: str, headers: dict[str, str], variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await post(client, query, headers, variables)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def refused(response: ClientResponse) -> dict[str, Any]:
    """The body of a 401: UNAUTHENTICATED, with a WWW-Authenticate challenge."""
    assert response.status == 401, await response.text()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body
    return body


async def oauth_error(response: ClientResponse, status: int, error: str) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert body["error"] == error
    return body


def sample(type_: GraphQLInputType) -> Any:
    """A value of `type_` that passes GraphQL validation (required fields only)."""
    if is_non_null_type(type_):
        return sample(type_.of_type)  # type: ignore[union-attr]
    if is_list_type(type_):
        return [sample(type_.of_type)]  # type: ignore[union-attr]
    if is_input_object_type(type_):
        return {
            name: sample(field.type)
            for name, field in type_.fields.items()  # type: ignore[union-attr]
            if is_required_input_field(field)
        }
    if is_enum_type(type_):
        return next(iter(type_.values))  # type: ignore[union-attr]
    return SCALAR_SAMPLES[type_.name]  # type: ignore[union-attr]


def every_mutation() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, operation, variables) for every mutation the served schema has."""
    mutation_type = build_schema(served_schema.as_str()).mutation_type
    assert mutation_type is not None
    operations = []
    for name, field in mutation_type.fields.items():
        required = {arg: spec for arg, spec in field.args.items() if is_required_argument(spec)}
        definitions = ", ".join(f"${arg}: {spec.type}" for arg, spec in required.items())
        arguments = ", ".join(f"{arg}: ${arg}" for arg in required)
        operation = f"mutation Run({definitions}) {{ {name}({arguments}) {{ __typename }} }}"
        operations.append((name, operation, {arg: sample(s.type) for arg, s in required.items()}))
    return operations


def order_input(reference: str) -> dict[str, Any]:
    return {
        "merchant": MERCHANT,
        "reference": reference,
        "currency": "AED",
        "lines": [
            {"sku": "SHIRT", "quantity": 3, "unitPrice": "49.90", "deliveredAt": DELIVERED_AT}
        ],
    }


async def seed(client: TestClient, headers: dict[str, str]) -> str:
    """An order SO-1 with a pending return request; the request's readable id."""
    upserted = await data(client, UPSERT_ORDER, headers, {"input": order_input("SO-1")})
    assert upserted["upsertOrder"]["userErrors"] == []
    created = await data(
        client,
        CREATE_RETURN,
        headers,
        {
            "input": {
                "merchant": MERCHANT,
                "orderReference": "SO-1",
                "items": [{"sku": "SHIRT", "quantity": 1}],
                "pickup": {"contactName": "Ann", "address1": "1 Palm St", "country": "AE"},
                "dropoff": {"partnerLocationId": "WH-DXB"},
            }
        },
    )
    assert created["createReturn"]["userErrors"] == []
    return created["createReturn"]["returnRequest"]["returnRequestId"]


def writes(request_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, operation, input) of mutations that each succeed for a full key, in order."""
    return [
        ("upsertOrder", UPSERT_ORDER, order_input("SO-2")),
        (
            "createReturn",
            CREATE_RETURN,
            {
                "merchant": MERCHANT,
                "orderReference": "SO-1",
                "items": [{"sku": "SHIRT", "quantity": 1}],
                "pickup": {"contactName": "Ann", "address1": "1 Palm St", "country": "AE"},
                "dropoff": {"partnerLocationId": "WH-DXB"},
            },
        ),
        ("addReturnNote", ADD_NOTE, {"returnRequestId": request_id, "text": "read-only note"}),
        ("approveReturn", APPROVE, {"returnRequestId": request_id}),
        ("createReturnReason", CREATE_REASON, {"merchant": MERCHANT, "code": "X", "name": "X"}),
        ("updateReturnReason", UPDATE_REASON, {"merchant": MERCHANT, "code": "X", "name": "Y"}),
        ("upsertReturnSettings", UPSERT_SETTINGS, {"merchant": MERCHANT, "autoCloseDays": 9}),
        (
            "createPickupLocation",
            CREATE_LOCATION,
            {
                "merchant": MERCHANT,
                "code": "WH-DXB",
                "name": "Dubai",
                "address": {"address1": "1 Dock Rd", "country": "AE"},
            },
        ),
        ("createDeliveryOption", CREATE_OPTION, {"merchant": MERCHANT, "id": "D1", "name": "D"}),
    ]


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def printed_credentials(output: str) -> dict[str, str]:
    found = dict(
        re.findall(r"^\s+(client_id|client_secret|x-api-key|tenant-id):\s+(\S+)\s*$", output, re.M)
    )
    assert set(found) == {"client_id", "client_secret", "x-api-key", "tenant-id"}, output
    return found


@dataclass(frozen=True)
class CliSetup:
    database_url: str
    full: dict[str, str]
    read_only: dict[str, str]
    unknown_tenant: subprocess.CompletedProcess[str]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def anonymous(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    """A client of the real app that sends no credentials unless a request brings them."""
    app = create_app(Settings(migrate_on_start=False), db=db, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSetup]:
    """A SQLite file set up the way an operator would, with the CLI, once per module."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cli') / 'returns.db'}"
    tenant = run_cli(url, "create-tenant", "acme-co")
    assert tenant.returncode == 0, tenant.stderr
    assert "acme-co" in tenant.stdout
    full = run_cli(url, "create-api-key", "--tenant", "acme-co")
    assert full.returncode == 0, full.stderr
    assert "FULL" in full.stdout
    read_only = run_cli(url, "create-api-key", "--tenant", "acme-co", "--read-only")
    assert read_only.returncode == 0, read_only.stderr
    assert "READ_ONLY" in read_only.stdout
    unknown = run_cli(url, "create-api-key", "--tenant", "ghost-co")
    yield CliSetup(
        url,
        printed_credentials(full.stdout),
        printed_credentials(read_only.stdout),
        unknown,
    )


@pytest.fixture
async def cli_app(cli: CliSetup) -> AsyncIterator[TestClient]:
    db = Database(cli.database_url)
    app = create_app(Settings(migrate_on_start=False), db=db)
    async with TestClient(TestServer(app)) as client:
        yield client
    await db.dispose()


# --------------------------------------------------------------------------- POST /oauth/token


async def test_a_json_body_gets_a_bearer_token_that_opens_graphql(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    response = await anonymous.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
        },
    )

    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 32
    assert issued.client_secret not in await response.text()
    assert issued.api_key not in await response.text()

    answer = await data(anonymous, TYPENAME, api_headers(body["access_token"], issued))
    assert answer == {"__typename": "Query"}


async def test_a_form_body_gets_a_token(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    response = await anonymous.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
        },
    )

    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert await data(anonymous, TYPENAME, api_headers(body["access_token"], issued))


@pytest.mark.parametrize("encoding", ["form", "json"])
async def test_http_basic_credentials_get_a_token(
    anonymous: TestClient, db: Database, clock: FixedClock, encoding: str
) -> None:
    issued = await new_client(db, clock)
    grant = {"grant_type": "client_credentials"}
    body_argument = {"data": grant} if encoding == "form" else {"json": grant}
    response = await anonymous.post(
        "/oauth/token",
        headers=basic(issued.client.client_id, issued.client_secret),
        **body_argument,  # type: ignore[arg-type]
    )

    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert await data(anonymous, TYPENAME, api_headers(body["access_token"], issued))


async def test_each_token_request_gets_a_new_token_and_both_work(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    first, second = await token_for(anonymous, issued), await token_for(anonymous, issued)
    assert first != second
    for token in (first, second):
        assert await data(anonymous, TYPENAME, api_headers(token, issued))


async def test_a_wrong_secret_and_an_unknown_client_are_refused_alike(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    client_id = issued.client.client_id
    other = await new_client(db, clock, OTHER_TENANT)
    attempts = {
        "wrong secret (json)": {"json": {"client_id": client_id, "client_secret": "rcs_nope"}},
        "unknown client (json)": {"json": {"client_id": "rc_0000", "client_secret": "rcs_nope"}},
        "another client's secret": {
            "json": {"client_id": client_id, "client_secret": other.client_secret}
        },
        "empty secret (form)": {"data": {"client_id": client_id, "client_secret": ""}},
        "wrong secret (form)": {"data": {"client_id": client_id, "client_secret": "rcs_nope"}},
        "unknown client (form)": {"data": {"client_id": "rc_0000", "client_secret": "x"}},
        "api key as secret": {"json": {"client_id": client_id, "client_secret": issued.api_key}},
        "wrong secret (basic)": {"headers": basic(client_id, "rcs_nope"), "data": {}},
        "unknown client (basic)": {"headers": basic("rc_0000", issued.client_secret), "data": {}},
    }
    bodies = {}
    for name, kwargs in attempts.items():
        for key in ("json", "data"):
            if key in kwargs:
                kwargs[key] = {"grant_type": "client_credentials", **kwargs[key]}
        response = await anonymous.post("/oauth/token", **kwargs)  # type: ignore[arg-type]
        bodies[name] = await oauth_error(response, 401, "invalid_client")
        assert "access_token" not in bodies[name]

    distinct = {tuple(sorted(body.items())) for body in bodies.values()}
    assert len(distinct) == 1, f"refusals differ, so they say which part was wrong: {bodies}"


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"json": {"grant_type": "client_credentials"}}, id="no-credentials"),
        pytest.param(
            {"json": {"grant_type": "client_credentials", "client_secret": "s"}}, id="no-client-id"
        ),
        pytest.param(
            {"json": {"grant_type": "client_credentials", "client_id": "rc_1"}}, id="no-secret"
        ),
        pytest.param(
            {"data": {"grant_type": "client_credentials", "client_id": "rc_1"}}, id="form-no-secret"
        ),
        pytest.param(
            {"json": {"grant_type": "client_credentials", "client_id": 7, "client_secret": "s"}},
            id="client-id-not-a-string",
        ),
        pytest.param(
            {"json": {"grant_type": "client_credentials", "client_id": "c", "client_secret": None}},
            id="secret-null",
        ),
        pytest.param({}, id="no-body"),
        pytest.param({"json": ["client_credentials"]}, id="json-array"),
        pytest.param(
            {"data": "{not json", "headers": {"Content-Type": "application/json"}}, id="bad-json"
        ),
        pytest.param(
            {"data": "grant_type=client_credentials", "headers": {"Content-Type": "text/plain"}},
            id="text-plain",
        ),
    ],
)
async def test_missing_or_malformed_fields_are_an_invalid_request(
    anonymous: TestClient, kwargs: dict[str, Any]
) -> None:
    response = await anonymous.post("/oauth/token", **kwargs)
    body = await oauth_error(response, 400, "invalid_request")
    assert "access_token" not in body


async def test_a_missing_grant_type_is_an_invalid_request(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    """RFC 6749 §5.2: a missing parameter is invalid_request, not unsupported_grant_type
    (a regression test: 32277b9 answered unsupported_grant_type)."""
    issued = await new_client(db, clock)
    response = await anonymous.post(
        "/oauth/token",
        json={"client_id": issued.client.client_id, "client_secret": issued.client_secret},
    )
    await oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "grant_type", ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"]
)
async def test_another_grant_type_is_unsupported_even_with_good_credentials(
    anonymous: TestClient, db: Database, clock: FixedClock, grant_type: str
) -> None:
    issued = await new_client(db, clock)
    response = await anonymous.post(
        "/oauth/token",
        data={
            "grant_type": grant_type,
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
        },
    )
    body = await oauth_error(response, 400, "unsupported_grant_type")
    assert "access_token" not in body


async def test_the_token_endpoint_takes_only_post(anonymous: TestClient) -> None:
    response = await anonymous.get("/oauth/token")
    assert response.status == 405


# --------------------------------------------------------------------------- /graphql credentials


@pytest.mark.parametrize("missing", ["Authorization", "x-api-key", "tenant-id"])
async def test_each_missing_header_is_401(
    anonymous: TestClient, db: Database, clock: FixedClock, missing: str
) -> None:
    issued = await new_client(db, clock)
    headers = await headers_for(anonymous, issued)
    assert await data(anonymous, TYPENAME, headers)  # all three together work

    del headers[missing]
    await refused(await post(anonymous, TYPENAME, headers))
    await refused(await post(anonymous, TYPENAME, {**headers, missing: ""}))


async def test_no_credentials_at_all_is_401(anonymous: TestClient) -> None:
    body = await refused(await post(anonymous, TYPENAME, {}))
    assert body["errors"][0]["message"]


async def test_a_token_needs_the_bearer_scheme(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    token = await token_for(anonymous, issued)
    headers = api_headers(token, issued)
    for authorization in (token, f"Basic {token}", f"Token {token}", "Bearer", "Bearer  "):
        await refused(await post(anonymous, TYPENAME, {**headers, "Authorization": authorization}))
    assert await data(anonymous, TYPENAME, {**headers, "Authorization": f"bearer {token}"})


async def test_credentials_that_do_not_belong_together_are_refused_alike(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    """A's token with B's tenant id, with another client's API key, and made-up parts all get
    the same 401, so the answer never tells which part was wrong."""
    a = await new_client(db, clock, TENANT)
    a_sibling = await new_client(db, clock, TENANT)
    b = await new_client(db, clock, OTHER_TENANT)
    a_headers = await headers_for(anonymous, a)
    b_headers = await headers_for(anonymous, b)
    sibling_headers = await headers_for(anonymous, a_sibling)
    for headers in (a_headers, b_headers, sibling_headers):
        assert await data(anonymous, TYPENAME, headers)

    mismatches = {
        "A's token, tenant B": {**a_headers, "tenant-id": OTHER_TENANT},
        "A's token and key, unknown tenant": {**a_headers, "tenant-id": "tenant-z"},
        "B's token, tenant A": {**b_headers, "tenant-id": TENANT},
        "A's token, B's key": {**a_headers, "x-api-key": b.api_key},
        "A's token, B's key and tenant": {**b_headers, "Authorization": a_headers["Authorization"]},
        "A's token, sibling's key": {**a_headers, "x-api-key": a_sibling.api_key},
        "sibling's token, A's key": {**sibling_headers, "x-api-key": a.api_key},
        "A's key and tenant, B's token": {**a_headers, "Authorization": b_headers["Authorization"]},
        "made-up token": {**a_headers, "Authorization": "Bearer rat_made_up"},
        "client secret as token": {**a_headers, "Authorization": f"Bearer {a.client_secret}"},
        "API key as token": {**a_headers, "Authorization": f"Bearer {a.api_key}"},
        "made-up key": {**a_headers, "x-api-key": "rk_made_up"},
        "secret as key": {**a_headers, "x-api-key": a.client_secret},
    }
    bodies = {}
    for name, headers in mismatches.items():
        bodies[name] = await refused(await post(anonymous, TYPENAME, headers))
    distinct = {str(body) for body in bodies.values()}
    assert len(distinct) == 1, f"refusals differ, so they say which part was wrong: {bodies}"


async def test_a_refused_request_runs_nothing_and_claims_no_idempotency_key(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    a = await new_client(db, clock, TENANT)
    b = await new_client(db, clock, OTHER_TENANT)
    a_headers = await headers_for(anonymous, a)
    b_headers = await headers_for(anonymous, b)
    body = {"query": UPSERT_ORDER, "variables": {"input": order_input("SO-1")}}
    wrong = {**a_headers, "tenant-id": OTHER_TENANT, "Idempotency-Key": "k-1"}

    await refused(await anonymous.post("/graphql", json=body, headers=wrong))
    await refused(await anonymous.post("/graphql", json=body, headers={"Idempotency-Key": "k-1"}))

    for headers in (a_headers, b_headers):
        snapshot = await data(anonymous, SNAPSHOT, headers, {"merchant": MERCHANT})
        assert snapshot["first"] is None
    first = await anonymous.post(
        "/graphql", json=body, headers={**a_headers, "Idempotency-Key": "k-1"}
    )
    assert first.status == 200
    assert first.headers["Idempotency-Replayed"] == "false"


async def test_a_token_expires_after_its_hour(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    token = await AccessStore(db).issue_token(
        issued.client.client_id, issued.client_secret, clock.now()
    )
    assert token is not None
    headers = api_headers(token[0], issued)
    assert await data(anonymous, TYPENAME, headers)

    clock.advance(minutes=59, seconds=59)
    assert await data(anonymous, TYPENAME, headers)
    clock.advance(seconds=2)
    await refused(await post(anonymous, TYPENAME, headers))

    fresh = await headers_for(anonymous, issued)  # the client itself still works
    assert await data(anonymous, TYPENAME, fresh)


async def test_a_token_from_the_endpoint_expires_after_expires_in(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    response = await anonymous.post(
        "/oauth/token",
        headers=basic(issued.client.client_id, issued.client_secret),
        data={"grant_type": "client_credentials"},
    )
    body = await response.json()
    headers = api_headers(body["access_token"], issued)
    assert await data(anonymous, TYPENAME, headers)

    clock.advance(seconds=body["expires_in"])
    await refused(await post(anonymous, TYPENAME, headers))
    clock.advance(days=1)
    await refused(await post(anonymous, TYPENAME, headers))


async def test_a_token_issued_with_a_short_lifetime_ends_with_it(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    issued = await new_client(db, clock)
    token = await AccessStore(db).issue_token(
        issued.client.client_id, issued.client_secret, clock.now(), lifetime=timedelta(minutes=5)
    )
    assert token is not None
    headers = api_headers(token[0], issued)
    assert await data(anonymous, TYPENAME, headers)
    clock.advance(minutes=5)
    await refused(await post(anonymous, TYPENAME, headers))


# --------------------------------------------------------------------------- read-only keys


async def test_a_read_only_key_can_query(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    full = await headers_for(anonymous, await new_client(db, clock))
    read_only = await headers_for(anonymous, await new_client(db, clock, role=Role.READ_ONLY))
    request_id = await seed(anonymous, full)

    seen_by_full = await data(anonymous, SNAPSHOT, full, {"merchant": MERCHANT})
    seen_by_read_only = await data(anonymous, SNAPSHOT, read_only, {"merchant": MERCHANT})
    assert seen_by_read_only == seen_by_full
    assert seen_by_read_only["returnRequests"]["edges"][0]["node"]["returnRequestId"] == request_id

    response = await post(anonymous, QUERY_AND_MUTATION, read_only, operation_name="Look")
    assert response.status == 200
    assert (await response.json())["data"]["returnRequests"]["totalCount"] == 1


async def test_every_mutation_is_forbidden_to_a_read_only_key(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    """Every mutation of the served schema, so a new one is covered without editing this test
    (a regression test: in 32277b9 the guard compared strawberry's OperationType with
    graphql-core's, which never matched, and let every mutation through)."""
    read_only = await headers_for(anonymous, await new_client(db, clock, role=Role.READ_ONLY))
    operations = every_mutation()
    assert len(operations) >= 40

    let_through = {}
    for name, operation, variables in operations:
        response = await post(anonymous, operation, read_only, variables)
        body = await response.json()
        code = (body.get("errors") or [{}])[0].get("extensions", {}).get("code")
        if code != "FORBIDDEN" or body.get("data") is not None:
            let_through[name] = body
    assert let_through == {}, f"{len(let_through)} of {len(operations)} mutations ran"


async def test_a_read_only_key_writes_nothing(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    full = await headers_for(anonymous, await new_client(db, clock))
    read_only = await headers_for(anonymous, await new_client(db, clock, role=Role.READ_ONLY))
    request_id = await seed(anonymous, full)
    before = await data(anonymous, SNAPSHOT, full, {"merchant": MERCHANT})

    codes = {}
    for name, operation, input in writes(request_id):
        response = await post(anonymous, operation, read_only, {"input": input})
        body = await response.json()
        codes[name] = (body.get("errors") or [{}])[0].get("extensions", {}).get("code")
    response = await post(anonymous, QUERY_AND_MUTATION, read_only, operation_name="Write")
    codes["upsertOrder (operationName)"] = (await response.json())["errors"][0]["extensions"][
        "code"
    ]

    assert await data(anonymous, SNAPSHOT, full, {"merchant": MERCHANT}) == before
    assert codes == dict.fromkeys(codes, "FORBIDDEN")


async def test_the_full_key_writes_what_the_read_only_key_may_not(
    anonymous: TestClient, db: Database, clock: FixedClock
) -> None:
    """The inputs of the read-only test do write for a full key, so that test proves
    something."""
    full = await headers_for(anonymous, await new_client(db, clock))
    request_id = await seed(anonymous, full)
    before = await data(anonymous, SNAPSHOT, full, {"merchant": MERCHANT})

    for name, operation, input in writes(request_id):
        payload = (await data(anonymous, operation, full, {"input": input}))[name]
        assert payload["userErrors"] == [], (name, payload)

    after = await data(anonymous, SNAPSHOT, full, {"merchant": MERCHANT})
    assert after["returnRequests"]["totalCount"] == before["returnRequests"]["totalCount"] + 1
    assert after["second"] is not None
    assert [r["code"] for r in after["returnReasons"]] == ["X"]


# --------------------------------------------------------------------------- GraphiQL and GET


async def test_graphiql_is_served_without_credentials(anonymous: TestClient) -> None:
    response = await anonymous.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "graphiql" in (await response.text()).lower()


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
async def test_a_get_with_a_query_needs_credentials(
    anonymous: TestClient, db: Database, clock: FixedClock, accept: str
) -> None:
    params = {"query": COUNT}
    await refused(await anonymous.get("/graphql", params=params, headers={"Accept": accept}))
    await refused(await anonymous.get("/graphql", params={"query": ""}, headers={"Accept": accept}))

    headers = await headers_for(anonymous, await new_client(db, clock))
    response = await anonymous.get("/graphql", params=params, headers={**headers, "Accept": accept})
    assert response.status == 200
    assert (await response.json())["data"]["returnRequests"]["totalCount"] == 0


async def test_the_page_is_only_for_a_browser_get(anonymous: TestClient) -> None:
    await refused(await anonymous.get("/graphql", headers={"Accept": "application/json"}))
    await refused(await anonymous.get("/graphql", headers={"Accept": "*/*"}))
    response = await anonymous.post(
        "/graphql", json={"query": COUNT}, headers={"Accept": "text/html"}
    )
    await refused(response)


async def test_the_default_http_fixture_is_authenticated(http: TestClient) -> None:
    response = await http.get("/graphql", params={"query": COUNT})
    assert response.status == 200
    assert (await response.json())["data"]["returnRequests"]["totalCount"] == 0


# --------------------------------------------------------------------------- the CLI


async def test_cli_credentials_get_a_token_and_run_operations(
    cli: CliSetup, cli_app: TestClient
) -> None:
    full = cli.full
    assert full["tenant-id"] == "acme-co"
    response = await cli_app.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": full["client_id"],
            "client_secret": full["client_secret"],
        },
    )
    assert response.status == 200, await response.text()
    token = await response.json()
    assert token["tenant_id"] == "acme-co"
    headers = {
        "Authorization": f"Bearer {token['access_token']}",
        "x-api-key": full["x-api-key"],
        "tenant-id": "acme-co",
    }

    assert (await data(cli_app, COUNT, headers))["returnRequests"]["totalCount"] == 0
    upserted = await data(cli_app, UPSERT_ORDER, headers, {"input": order_input("CLI-1")})
    assert upserted["upsertOrder"]["userErrors"] == []

    await refused(await post(cli_app, COUNT, {**headers, "tenant-id": "default"}))
    await refused(await post(cli_app, COUNT, {**headers, "x-api-key": cli.read_only["x-api-key"]}))


async def test_a_cli_read_only_key_can_query(cli: CliSetup, cli_app: TestClient) -> None:
    read_only = cli.read_only
    response = await cli_app.post(
        "/oauth/token",
        headers=basic(read_only["client_id"], read_only["client_secret"]),
        data={"grant_type": "client_credentials"},
    )
    assert response.status == 200, await response.text()
    headers = {
        "Authorization": f"Bearer {(await response.json())['access_token']}",
        "x-api-key": read_only["x-api-key"],
        "tenant-id": read_only["tenant-id"],
    }
    assert (await data(cli_app, COUNT, headers))["returnRequests"]["totalCount"] >= 0


async def test_a_cli_read_only_key_cannot_mutate(cli: CliSetup, cli_app: TestClient) -> None:
    read_only = cli.read_only
    response = await cli_app.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": read_only["client_id"],
            "client_secret": read_only["client_secret"],
        },
    )
    headers = {
        "Authorization": f"Bearer {(await response.json())['access_token']}",
        "x-api-key": read_only["x-api-key"],
        "tenant-id": read_only["tenant-id"],
    }
    response = await post(cli_app, UPSERT_ORDER, headers, {"input": order_input("CLI-RO")})
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body.get("data") is None


def test_a_key_for_an_unknown_tenant_exits_2_with_not_found(cli: CliSetup) -> None:
    assert cli.unknown_tenant.returncode == 2
    assert "NOT_FOUND" in cli.unknown_tenant.stderr
    assert "client_secret" not in cli.unknown_tenant.stdout
    assert "Traceback" not in cli.unknown_tenant.stderr


async def test_refusals_are_logged_as_information_not_as_server_errors(
    anonymous: TestClient, db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    read_only = await headers_for(anonymous, await new_client(db, clock, role=Role.READ_ONLY))
    caplog.set_level(logging.INFO)

    await post(anonymous, QUERY_AND_MUTATION, read_only, operation_name="Write")
    await post(anonymous, "{ nope }", read_only)
    naive_time = (
        '{ returnRequests(first: 1, filter: {createdAfter: "2026-01-01T00:00:00"}) { totalCount } }'
    )
    await post(anonymous, naive_time, read_only)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    refused = [r.getMessage() for r in caplog.records if r.name == "graphql_api.schema"]
    assert any("FORBIDDEN" in message for message in refused)

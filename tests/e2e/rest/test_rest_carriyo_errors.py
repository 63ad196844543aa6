"""The Carriyo shim's refusals: the seed's 400 and 404 cases, hostile or broken input (never
a 500, never a partial write), credentials (401/403) and Idempotency-Key on every write."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain import commands as c
from domain import services
from domain.access import Role
from domain.parts import ItemRequest
from ops.app import create_app
from persistence.tables import DEFAULT_TENANT
from persistence.unit_of_work import SqlUnitOfWork
from tests.e2e.conftest import claimed_elsewhere, credentials
from tests.e2e.rest.carriyo_client import MERCHANT, ORDER, Carriyo

REQUESTS = "/returns/requests"


def only_error(body: dict[str, Any]) -> tuple[str, str | None]:
    [error] = body["errors"]
    assert error.keys() == {"code", "message", "field"} and error["message"]
    return error["code"], error["field"]


async def count_requests(carriyo: Carriyo) -> int:
    response = await carriyo.http.post(
        "/graphql", json={"query": "{ returnRequests(first: 100) { totalCount } }"}
    )
    return (await response.json())["data"]["returnRequests"]["totalCount"]


# --------------------------------------------------------------------------- the seed's cases


async def test_create_with_a_duplicated_sku_is_400_and_writes_nothing(carriyo: Carriyo) -> None:
    await carriyo.order()
    body = carriyo.create_body([{"sku": "SHIRT-M", "quantity": 1}] * 2)

    status, answer = await carriyo.call("POST", REQUESTS, body)

    assert status == 400
    assert only_error(answer) == ("DUPLICATE_SKU", "items[1].sku")
    assert await count_requests(carriyo) == 0


async def test_create_with_a_missing_quantity_is_400(carriyo: Carriyo) -> None:
    await carriyo.order()

    status, answer = await carriyo.call("POST", REQUESTS, carriyo.create_body([{"sku": "CAP"}]))

    assert status == 400
    assert only_error(answer) == ("INVALID_QUANTITY", "items[0].quantity")


async def test_update_or_approve_when_not_pending_is_400(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    status, update = await carriyo.call("PATCH", f"{REQUESTS}/{rid}", {"resolution": "X"})
    status_2, approve = await carriyo.call("PATCH", f"{REQUESTS}/{rid}/approve")

    assert (status, only_error(update)[0]) == (400, "NOT_EDITABLE")
    assert (status_2, only_error(approve)[0]) == (400, "INVALID_TRANSITION")
    assert "APPROVED" in approve["errors"][0]["message"]


async def test_approve_without_a_dropoff_is_400(carriyo: Carriyo) -> None:
    await carriyo.order()
    body = carriyo.create_body()
    del body["dropoff"]
    rid = (await carriyo.ok("POST", REQUESTS, body))["return_request_id"]

    status, answer = await carriyo.call("PATCH", f"{REQUESTS}/{rid}/approve")

    assert status == 400
    assert only_error(answer) == ("MISSING_DROPOFF", "dropoff")
    assert (await carriyo.get(rid))[1]["status"] == "pending"


async def test_an_unrecognised_status_is_400(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    status, answer = await carriyo.call(
        "PATCH", f"{REQUESTS}/{rid}/status", params={"status": "teleported"}
    )

    assert status == 400
    assert only_error(answer) == ("INVALID_INPUT", "status")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PATCH", ""),
        ("PATCH", "/approve"),
        ("PATCH", "/cancel"),
        ("PATCH", "/complete"),
        ("PATCH", "/assign-to-user"),
        ("DELETE", "/notes/NT-NOPE"),
        ("DELETE", "/refunds/RF-NOPE"),
    ],
)
async def test_an_unknown_request_is_404(carriyo: Carriyo, method: str, suffix: str) -> None:
    body = {"assigned_to_user": "a@b.c"} if method == "PATCH" else None

    status, answer = await carriyo.call(method, f"{REQUESTS}/RR-NOPE2345{suffix}", body)

    assert status == 404
    assert only_error(answer) == ("NOT_FOUND", "return_request_id")


async def test_an_unknown_note_or_refund_on_a_known_request_is_404(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]
    await carriyo.ok("POST", f"{REQUESTS}/{rid}/notes", {"text": "x"}, headers={"x-user": "u"})

    note_status, note = await carriyo.call("DELETE", f"{REQUESTS}/{rid}/notes/NT-NOPE")
    refund_status, refund = await carriyo.call("DELETE", f"{REQUESTS}/{rid}/refunds/RF-NOPE")

    assert (note_status, only_error(note)) == (404, ("NOT_FOUND", "note_id"))
    assert (refund_status, only_error(refund)) == (404, ("NOT_FOUND", "refund_id"))


async def test_a_refund_above_the_approved_value_is_400_and_nothing_is_recorded(
    carriyo: Carriyo,
) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    status, answer = await carriyo.call(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": 1000, "currency": "AED"}
    )

    assert (status, only_error(answer)) == (400, ("REFUND_EXCEEDS_VALUE", "amount"))
    assert (await carriyo.get(rid))[1]["refund_info"]["refunds"] == []


async def test_a_domain_error_names_the_field_in_carriyos_words(carriyo: Carriyo) -> None:
    await carriyo.order()

    status, answer = await carriyo.call(
        "POST", REQUESTS, carriyo.create_body(partner_order_reference="SO-404")
    )

    assert (status, only_error(answer)) == (404, ("NOT_FOUND", "partner_order_reference"))


# --------------------------------------------------------------------------- broken input


def _raw(carriyo: Carriyo, method: str, path: str, data: bytes, content_type: str) -> Any:
    return carriyo.http.request(method, path, data=data, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"merchant": ', "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b"null", "application/json"),
        (b'{"merchant": "a\\u0000b"}', "application/json"),
        (b'{"merchant": "a\x00b"}', "application/json"),
        (b'{"amount": NaN}', "application/json"),
        (b'{"merchant": "x\\ud800"}', "application/json"),
        (b"merchant=acme", "application/x-www-form-urlencoded"),
        (b'{"merchant": "acme"}', "text/plain"),
        (b"\xff\xfe", "application/json"),
        (b'{"merchant": "ac\xffme"}', "application/json"),
        (b"[" * 100_000, "application/json"),
    ],
)
async def test_broken_bodies_are_400_with_the_error_body(
    carriyo: Carriyo, data: bytes, content_type: str
) -> None:
    await carriyo.order()

    response = await _raw(carriyo, "POST", REQUESTS, data, content_type)

    assert response.status == 400
    assert only_error(await response.json())[0] == "INVALID_INPUT"
    assert await count_requests(carriyo) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"merchant": 42}, "merchant"),
        ({"items": "SHIRT-M"}, "items"),
        ({"items": [{"sku": "CAP", "quantity": "1"}]}, "items[0].quantity"),
        ({"items": [{"sku": "CAP", "quantity": 1.5}]}, "items[0].quantity"),
        ({"items": [{"sku": "CAP", "quantity": True}]}, "items[0].quantity"),
        ({"pickup": "home"}, "pickup"),
        ({"pickup": {"city": 7}}, "pickup.city"),
        ({"resolution": None}, "resolution"),
    ],
)
async def test_wrong_types_are_400_naming_the_field(
    carriyo: Carriyo, change: dict[str, Any], field: str
) -> None:
    await carriyo.order()

    status, answer = await carriyo.call("POST", REQUESTS, carriyo.create_body() | change)

    assert status == 400
    assert only_error(answer)[1] == field
    assert await count_requests(carriyo) == 0


async def test_a_string_amount_on_a_refund_is_400(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    status, answer = await carriyo.call(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": "10", "currency": "AED"}
    )

    assert (status, only_error(answer)) == (400, ("INVALID_INPUT", "amount"))


async def test_nul_in_the_query_is_400(carriyo: Carriyo) -> None:
    status, answer = await carriyo.call("GET", "/returns/reasons", params={"merchant": "ac\x00me"})

    assert (status, only_error(answer)[0]) == (400, "INVALID_INPUT")


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "", "x-api-key": "", "tenant-id": ""},
        {"Authorization": "Bearer nope"},
        {"x-api-key": "nope"},
        {"tenant-id": "someone-else"},
    ],
)
async def test_missing_or_mismatched_credentials_are_401(
    carriyo: Carriyo, headers: dict[str, str]
) -> None:
    for method, path in (("GET", f"{REQUESTS}/RR-X"), ("POST", REQUESTS)):
        status, answer = await carriyo.call(method, path, {}, headers=headers)
        assert (status, only_error(answer)[0]) == (401, "UNAUTHENTICATED")


@pytest.fixture
async def read_only(db: Any, clock: Any) -> Any:
    app = create_app(Settings(migrate_on_start=False), db=db, clock=clock)
    headers = await credentials(db, clock, "default", Role.READ_ONLY)
    async with TestClient(TestServer(app), headers=headers) as client:
        yield Carriyo(client)


async def test_a_read_only_key_reads_but_every_write_is_403(
    carriyo: Carriyo, read_only: Carriyo
) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    assert (await read_only.get(rid))[0] == 200
    for method, path in (
        ("POST", REQUESTS),
        ("PATCH", f"{REQUESTS}/{rid}/approve"),
        ("PUT", "/returns/reasons/X"),
        ("DELETE", f"/returns/settings?merchant={MERCHANT}"),
    ):
        status, answer = await read_only.call(method, path, {})
        assert (status, only_error(answer)[0]) == (403, "FORBIDDEN")
    assert (await carriyo.get(rid))[1]["status"] == "pending"


# --------------------------------------------------------------------------- idempotency


async def test_a_retried_create_with_the_same_key_is_replayed_not_run_twice(
    carriyo: Carriyo,
) -> None:
    await carriyo.order()
    body, key = carriyo.create_body(), {"Idempotency-Key": "create-1"}

    first = await carriyo.http.post(REQUESTS, json=body, headers=key)
    again = await carriyo.http.post(REQUESTS, json=body, headers=key)

    assert (first.status, again.status) == (200, 200)
    assert again.headers["Idempotency-Replayed"] == "true"
    assert await first.json() == await again.json()
    assert await count_requests(carriyo) == 1


async def test_the_same_key_on_another_write_is_refused_not_replayed(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]
    key = {"Idempotency-Key": "once"}

    held = await carriyo.http.patch(f"{REQUESTS}/{rid}/status?status=on_hold", headers=key)
    other = await carriyo.http.patch(f"{REQUESTS}/{rid}/cancel", headers=key)
    same = await carriyo.http.patch(f"{REQUESTS}/{rid}/status?status=on_hold", headers=key)

    assert held.status == 200
    assert other.status == 422
    assert only_error(await other.json())[0] == "IDEMPOTENCY_MISMATCH"
    assert (same.status, same.headers["Idempotency-Replayed"]) == (200, "true")
    assert (await carriyo.get(rid))[1]["status"] == "on_hold"


async def test_a_key_whose_work_committed_before_a_crash_is_never_run_again(
    carriyo: Carriyo, db, clock
) -> None:  # type: ignore[no-untyped-def]
    """Another process claimed the key, created the request and died before storing the
    answer: retries say it is running, then that its answer is lost; none creates it again."""
    await carriyo.order()
    body, key = carriyo.create_body(), {"Idempotency-Key": "create-1"}
    held = await claimed_elsewhere(carriyo.http, db, clock, f"POST {REQUESTS}", body, "create-1")
    command = c.CreateReturn(
        merchant=MERCHANT,
        order_reference=ORDER,
        items=[ItemRequest(sku="SHIRT-M", quantity=2, reason_code="TOO_SMALL")],
    )
    uow = SqlUnitOfWork(db, tenant_id=DEFAULT_TENANT, clock=clock, idempotency=held)
    await services.create_return(command, uow=uow, clock=clock)

    running = await carriyo.http.post(REQUESTS, json=body, headers=key)
    clock.advance(seconds=61)
    lost = await carriyo.http.post(REQUESTS, json=body, headers=key)

    assert (running.status, only_error(await running.json())) == (
        409,
        ("IDEMPOTENCY_IN_PROGRESS", None),
    )
    assert int(running.headers["Retry-After"]) == 60
    assert (lost.status, only_error(await lost.json())) == (
        410,
        ("IDEMPOTENCY_ANSWER_LOST", None),
    )
    assert await count_requests(carriyo) == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_idempotency_covers_put_and_delete(carriyo: Carriyo, method: str) -> None:
    reason = {"merchant": MERCHANT, "code": "DAMAGED", "name": "Damaged"}
    await carriyo.ok("POST", "/returns/reasons", reason)
    key = {"Idempotency-Key": f"k-{method}"}
    path = "/returns/reasons/DAMAGED" + (f"?merchant={MERCHANT}" if method == "DELETE" else "")
    body = reason | {"name": "Broken"} if method == "PUT" else None

    first = await carriyo.http.request(method, path, json=body, headers=key)
    again = await carriyo.http.request(method, path, json=body, headers=key)

    assert (first.status, again.status) == (200, 200)
    assert again.headers["Idempotency-Replayed"] == "true"


async def test_an_order_lookup_needs_no_write_rights(read_only: Carriyo, carriyo: Carriyo) -> None:
    await carriyo.order()
    params = {"merchant": MERCHANT, "email_or_phone": "ann@example.com", "partner_order_ref": ORDER}

    assert (await read_only.call("GET", "/returns/available-items", params=params))[0] == 200


@pytest.mark.parametrize("key", [None, "big-1"])
async def test_a_body_over_the_size_limit_is_413(carriyo: Carriyo, key: str | None) -> None:
    headers = {"Content-Type": "application/json"} | ({"Idempotency-Key": key} if key else {})
    big = b'{"merchant": "' + b"x" * (2 * 1024 * 1024) + b'"}'

    response = await carriyo.http.post(REQUESTS, data=big, headers=headers)

    assert response.status == 413
    assert only_error(await response.json())[0] == "LIMIT_EXCEEDED"
    assert await count_requests(carriyo) == 0


async def test_unknown_paths_and_methods_answer_in_the_rest_error_shape(carriyo: Carriyo) -> None:
    missing = await carriyo.call("GET", "/returns/nothing-here")
    wrong_method = await carriyo.call("POST", f"{REQUESTS}/RR-X/approve", {})

    assert (missing[0], only_error(missing[1])[0]) == (404, "NOT_FOUND")
    assert wrong_method[0] == 405
    assert only_error(wrong_method[1])[0] == "INVALID_INPUT"

"""Expected failures come back as `userErrors` with a stable code and the input field at fault,
and a refused command writes nothing: the request reads back exactly as before, same version.

GraphQL's own errors (bad fields, bad enum values, bad arguments) stay readable, and a broken
HTTP body is a client error, not a server one."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from tests.e2e.graphql.conftest import REQUEST_MUTATION_OPERATIONS


def encoded(raw: str) -> str:
    """Base64url without padding, the way the API spells global ids and cursors."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


UNKNOWN_ID = "RR-ZZZZZZZZ"
UNKNOWN_GLOBAL_ID = encoded(f"ReturnRequest:{UNKNOWN_ID}")

LIST_PAGE = """
query ($first: Int!, $after: String) {
  returnRequests(first: $first, after: $after) { totalCount edges { cursor } }
}
"""
LIST_WITH_FILTER = """
query ($filter: ReturnRequestFilter) { returnRequests(first: 1, filter: $filter) { totalCount } }
"""
UNKNOWN_FIELD = "{ returnRequests(first: 1) { totalCount colour } }"
BAD_ENUM = "{ returnRequests(first: 1, filter: {status: [SHIPPED]}) { totalCount } }"
BAD_DECIMAL = """
mutation ($amount: Decimal!) {
  addRefund(input: {returnRequestId: "RR-X", amount: $amount, currency: "AED"}) {
    userErrors { code }
  }
}
"""
UPSERT_ORDER = """
mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { order { reference } userErrors { code field message } }
}
"""
TOTALS = """
{ returnRequests(first: 100) {
    edges { node { refundTotals { approvedValue refunded remaining } } } } }
"""
ORDER = """
query ($reference: String!) {
  order(reference: $reference, merchant: "acme") { lines { sku quantity deliveredQuantity } }
}
"""

# A minimal valid input for every mutation on an existing request.
MINIMAL_INPUTS: dict[str, dict[str, Any]] = {
    "updateReturn": {"customerComment": "hello"},
    "approveReturn": {},
    "rejectReturn": {"reason": "Outside policy"},
    "holdReturn": {},
    "resumeReturn": {},
    "cancelReturn": {},
    "receiveReturn": {"items": [{"sku": "SHIRT-M", "quantity": 1}]},
    "completeReturn": {},
    "setReturnStatus": {"status": "APPROVED"},
    "assignReturn": {"user": "agent@acme.test"},
    "deleteReturnNote": {"noteId": "NT-ZZZZZZZZ"},
    "deleteRefund": {"refundId": "RF-ZZZZZZZZ"},
    "updateReverseShipment": {"trackingNumber": "TRK1"},
    "splitReturn": {"items": [{"sku": "SHIRT-M", "quantity": 1}]},
    "addReturnNote": {"text": "hello"},
    "addRefund": {"amount": "1", "currency": "AED"},
}


def only_error(payload: dict[str, Any]) -> dict[str, Any]:
    """The one userError of a refused mutation, which returns no request."""
    assert payload["returnRequest"] is None, payload
    (error,) = payload["userErrors"]
    assert error["message"], error
    return error


async def assert_refused(
    api: Any, mutation: str, input: dict[str, Any], code: str, field: str | None
) -> dict[str, Any]:
    """Run a mutation on an existing request; it must fail with code/field and change nothing."""
    before = await api.get(input["returnRequestId"])
    error = only_error(await api.run(mutation, input))
    assert (error["code"], error["field"]) == (code, field), error
    assert await api.get(input["returnRequestId"]) == before
    return error


async def cancelled(api: Any) -> dict[str, Any]:
    request = await api.pending_return()
    return await api.change("cancelReturn", {"returnRequestId": request["returnRequestId"]})


async def rejected(api: Any) -> dict[str, Any]:
    request = await api.pending_return()
    reject = {"returnRequestId": request["returnRequestId"], "reason": "Outside policy"}
    return await api.change("rejectReturn", reject)


async def completed(api: Any) -> dict[str, Any]:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    receive = {"returnRequestId": rid, "items": [{"sku": "SHIRT-M", "quantity": 2}]}
    await api.change("receiveReturn", receive)
    return await api.change("completeReturn", {"returnRequestId": rid})


STATES = {
    "PENDING": lambda api: api.pending_return(),
    "APPROVED": lambda api: api.approved_return(),
    "CANCELLED": cancelled,
    "REJECTED": rejected,
    "COMPLETED": completed,
}


# ----------------------------------------------------------------------------- NOT_FOUND


@pytest.mark.parametrize("mutation", list(MINIMAL_INPUTS))
async def test_a_mutation_on_an_unknown_request_is_not_found(api, mutation) -> None:
    for rid in (UNKNOWN_ID, UNKNOWN_GLOBAL_ID):
        payload = await api.run(mutation, {"returnRequestId": rid, **MINIMAL_INPUTS[mutation]})
        error = only_error(payload)
        assert (error["code"], error["field"]) == ("NOT_FOUND", "returnRequestId")
        assert "RR-ZZZZZZZZ" in error["message"]
    assert await api.count() == 0


async def test_an_unknown_note_or_refund_is_not_found(api) -> None:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    await api.change("addReturnNote", {"returnRequestId": rid, "text": "kept"})
    await api.change("addRefund", {"returnRequestId": rid, "amount": "1", "currency": "AED"})

    delete_note = {"returnRequestId": rid, "noteId": "NT-NOPE"}
    error = await assert_refused(api, "deleteReturnNote", delete_note, "NOT_FOUND", "noteId")
    assert "NT-NOPE" in error["message"]
    delete_refund = {"returnRequestId": rid, "refundId": "RF-NOPE"}
    error = await assert_refused(api, "deleteRefund", delete_refund, "NOT_FOUND", "refundId")
    assert "RF-NOPE" in error["message"]


async def test_a_return_for_an_unknown_order_is_not_found(api) -> None:
    await api.upsert_order()
    for reference, merchant in (("SO-404", "acme"), ("SO-1001", "other-brand")):
        payload = await api.create_return_payload(
            [{"sku": "SHIRT-M", "quantity": 1}], reference=reference, merchant=merchant
        )
        error = only_error(payload)
        assert (error["code"], error["field"]) == ("NOT_FOUND", "orderReference")
    assert await api.count() == 0


# ----------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize(
    ("state", "mutation"),
    [
        ("APPROVED", "approveReturn"),
        ("PENDING", "resumeReturn"),
        ("PENDING", "receiveReturn"),
        ("PENDING", "completeReturn"),
        ("PENDING", "addRefund"),
        ("PENDING", "updateReverseShipment"),
        ("APPROVED", "holdReturn"),
        ("APPROVED", "rejectReturn"),
        ("CANCELLED", "approveReturn"),
        ("REJECTED", "cancelReturn"),
        ("COMPLETED", "splitReturn"),
        ("COMPLETED", "assignReturn"),
    ],
)
async def test_an_action_the_status_does_not_allow_is_an_invalid_transition(
    api, state, mutation
) -> None:
    request = await STATES[state](api)
    assert request["status"] == state
    rid = request["returnRequestId"]
    action = {"approveReturn": "APPROVE", "resumeReturn": "RESUME"}.get(mutation)
    assert action is None or action not in request["allowedActions"]

    input = {"returnRequestId": rid, **MINIMAL_INPUTS[mutation]}
    error = await assert_refused(api, mutation, input, "INVALID_TRANSITION", None)
    assert f"status {state}" in error["message"]
    assert "allowed actions" in error["message"]


async def test_a_request_cannot_be_edited_once_approved(api) -> None:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    assert "UPDATE" not in request["allowedActions"]
    for change in (
        {"customerComment": "changed my mind"},
        {"items": [{"sku": "SHIRT-M", "quantity": 1}]},
        {"pickup": None},
    ):
        error = await assert_refused(
            api, "updateReturn", {"returnRequestId": rid, **change}, "NOT_EDITABLE", None
        )
        assert "APPROVED" in error["message"]


@pytest.mark.parametrize("state", ["REJECTED", "CANCELLED", "COMPLETED"])
@pytest.mark.parametrize("target", ["PENDING", "APPROVED", "RECEIVED"])
async def test_set_status_never_leaves_a_terminal_state(api, state, target) -> None:
    request = await STATES[state](api)
    input = {"returnRequestId": request["returnRequestId"], "status": target, "reason": "ops"}
    error = await assert_refused(api, "setReturnStatus", input, "INVALID_TRANSITION", None)
    assert state in error["message"]


async def test_set_status_refuses_to_reopen_or_to_stay_put(api) -> None:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    await assert_refused(
        api,
        "setReturnStatus",
        {"returnRequestId": rid, "status": "PENDING"},
        "INVALID_TRANSITION",
        "status",
    )
    await assert_refused(
        api,
        "setReturnStatus",
        {"returnRequestId": rid, "status": "APPROVED"},
        "INVALID_INPUT",
        "status",
    )


async def test_a_stale_expected_version_is_a_version_conflict(api) -> None:
    request = await api.pending_return()
    rid = request["returnRequestId"]
    assert request["version"] == 1
    await api.change("assignReturn", {"returnRequestId": rid, "user": "a@acme.test"})

    for mutation in ("approveReturn", "addReturnNote", "splitReturn", "updateReturn"):
        for stale in (1, 3):
            input = {"returnRequestId": rid, "expectedVersion": stale, **MINIMAL_INPUTS[mutation]}
            code, field = "VERSION_CONFLICT", "expectedVersion"
            error = await assert_refused(api, mutation, input, code, field)
            assert "version 2" in error["message"]

    current = await api.change(
        "addReturnNote", {"returnRequestId": rid, "expectedVersion": 2, "text": "fresh"}
    )
    assert current["version"] == 3


async def test_of_two_racing_decisions_on_one_version_exactly_one_wins(api) -> None:
    request = await api.pending_return()
    rid = request["returnRequestId"]
    approve = {"returnRequestId": rid, "expectedVersion": 1}
    cancel = {"returnRequestId": rid, "expectedVersion": 1, "reason": "duplicate"}

    payloads = await asyncio.gather(
        api.run("approveReturn", approve), api.run("cancelReturn", cancel)
    )
    winners = [p["returnRequest"] for p in payloads if p["returnRequest"]]
    losers = [p["userErrors"] for p in payloads if not p["returnRequest"]]
    assert len(winners) == 1 and len(losers) == 1
    assert [(e["code"], e["field"]) for e in losers[0]] == [("VERSION_CONFLICT", "expectedVersion")]
    stored = await api.get(rid)
    assert stored["status"] == winners[0]["status"] and stored["version"] == 2


async def test_of_two_customers_racing_for_the_last_units_one_is_refused(api) -> None:
    await api.upsert_order()  # 3 shirts delivered
    items = [{"sku": "SHIRT-M", "quantity": 2}]
    payloads = await asyncio.gather(*(api.create_return_payload(items) for _ in range(2)))

    codes = sorted(e["code"] for p in payloads for e in p["userErrors"])
    assert codes == ["QUANTITY_EXCEEDED"]
    assert await api.count() == 1
    shirt = (await api.returnable())[0]
    assert (shirt["alreadyRequested"], shirt["returnableQuantity"]) == (2, 1)


# ----------------------------------------------------------------------------- creating


@pytest.mark.parametrize(
    ("items", "code", "field"),
    [
        ([{"sku": "SHIRT-M", "quantity": 1}, {"sku": "SHIRT-M", "quantity": 1}],
         "DUPLICATE_SKU", "items[1].sku"),
        ([{"sku": "SOCKS", "quantity": 1}], "UNKNOWN_SKU", "items[0].sku"),
        ([{"sku": "SHIRT-M", "quantity": 4}], "QUANTITY_EXCEEDED", "items[0].quantity"),
        ([{"sku": "SHIRT-M", "quantity": 0}], "INVALID_QUANTITY", "items[0].quantity"),
        ([{"sku": "CAP", "quantity": 1}, {"sku": "SHIRT-M", "quantity": -2}],
         "INVALID_QUANTITY", "items[1].quantity"),
        ([{"sku": "BELT", "quantity": 1}], "NOT_RETURNABLE", "items[0].sku"),
        ([], "INVALID_INPUT", "items"),
    ],
)  # fmt: skip
async def test_create_return_refuses_ineligible_items(api, items, code, field) -> None:
    lines = [
        {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90"},
        {"sku": "CAP", "quantity": 1, "unitPrice": "20.00"},
        {"sku": "BELT", "quantity": 1, "unitPrice": "15.00", "deliveredAt": None},
    ]
    await api.upsert_order(lines=lines)
    returnable = await api.returnable()

    error = only_error(await api.create_return_payload(items))
    assert (error["code"], error["field"]) == (code, field)
    assert await api.count() == 0
    assert await api.returnable() == returnable


async def test_create_return_refuses_units_already_in_a_live_request(api) -> None:
    await api.pending_return(items=[{"sku": "SHIRT-M", "quantity": 2}])
    error = only_error(await api.create_return_payload([{"sku": "SHIRT-M", "quantity": 2}]))
    assert (error["code"], error["field"]) == ("QUANTITY_EXCEEDED", "items[0].quantity")
    assert "only 1" in error["message"]
    assert await api.count() == 1


async def test_create_return_reports_every_problem_at_once(api) -> None:
    await api.upsert_order()
    items = [
        {"sku": "SOCKS", "quantity": 1},
        {"sku": "SHIRT-M", "quantity": 9},
        {"sku": "CAP", "quantity": 0},
    ]
    payload = await api.create_return_payload(items)
    assert payload["returnRequest"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("UNKNOWN_SKU", "items[0].sku"),
        ("QUANTITY_EXCEEDED", "items[1].quantity"),
        ("INVALID_QUANTITY", "items[2].quantity"),
    ]
    assert await api.count() == 0


# ----------------------------------------------------------------------------- approving


@pytest.mark.parametrize(
    ("create", "code", "field"),
    [
        ({"pickup": None}, "MISSING_PICKUP", "pickup"),
        ({"pickup": {"address1": "1 Palm St"}}, "MISSING_PICKUP", "pickup"),
        ({"dropoff": None}, "MISSING_DROPOFF", "dropoff"),
        ({"dropoff": {"city": "Dubai"}}, "MISSING_DROPOFF", "dropoff"),
    ],
)
async def test_approval_needs_a_usable_pickup_and_dropoff(api, create, code, field) -> None:
    request = await api.pending_return(**create)
    await assert_refused(
        api, "approveReturn", {"returnRequestId": request["returnRequestId"]}, code, field
    )


async def test_approval_after_adding_the_missing_pickup_succeeds(api) -> None:
    request = await api.pending_return(pickup=None)
    rid = request["returnRequestId"]
    await assert_refused(api, "approveReturn", {"returnRequestId": rid}, "MISSING_PICKUP", "pickup")
    update = {"returnRequestId": rid, "pickup": {"partnerLocationId": "BR-1"}}
    await api.change("updateReturn", update)
    assert (await api.change("approveReturn", {"returnRequestId": rid}))["status"] == "APPROVED"


@pytest.mark.parametrize(
    ("approve", "code", "field"),
    [
        ({"items": [{"sku": "SHIRT-M", "quantity": 1}]}, "REQUIREMENT_MISSING", "rejectionReason"),
        ({"items": [{"sku": "SHIRT-M", "quantity": 1}], "rejectionReason": ""},
         "REQUIREMENT_MISSING", "rejectionReason"),
        ({"items": [{"sku": "SHIRT-M", "quantity": 3}]}, "QUANTITY_EXCEEDED", "items"),
        ({"items": [{"sku": "SHIRT-M", "quantity": -1}]}, "INVALID_QUANTITY", "items"),
        ({"items": [{"sku": "SHIRT-M", "quantity": 0}], "rejectionReason": "WORN"},
         "INVALID_QUANTITY", "items"),
        ({"items": [{"sku": "CAP", "quantity": 1}]}, "UNKNOWN_SKU", "items"),
        ({"items": [{"sku": "SHIRT-M", "quantity": 1}, {"sku": "SHIRT-M", "quantity": 2}]},
         "DUPLICATE_SKU", "items[1].sku"),
    ],
)  # fmt: skip
async def test_approve_refuses_bad_quantities(api, approve, code, field) -> None:
    request = await api.pending_return(items=[{"sku": "SHIRT-M", "quantity": 2}])
    input = {"returnRequestId": request["returnRequestId"], **approve}
    await assert_refused(api, "approveReturn", input, code, field)


# ----------------------------------------------------------------------------- receiving, split


@pytest.mark.parametrize(
    ("items", "code", "field"),
    [
        ([{"sku": "SHIRT-M", "quantity": 3}], "QUANTITY_EXCEEDED", "items"),
        ([{"sku": "SHIRT-M", "quantity": 0}], "INVALID_QUANTITY", "items"),
        ([{"sku": "CAP", "quantity": 1}], "UNKNOWN_SKU", "items"),
        ([{"sku": "SHIRT-M", "quantity": 1}, {"sku": "SHIRT-M", "quantity": 1}],
         "DUPLICATE_SKU", "items[1].sku"),
        ([], "INVALID_INPUT", "items"),
    ],
)  # fmt: skip
async def test_receive_refuses_what_was_not_approved(api, items, code, field) -> None:
    request = await api.approved_return(items=[{"sku": "SHIRT-M", "quantity": 2}])
    input = {"returnRequestId": request["returnRequestId"], "items": items}
    await assert_refused(api, "receiveReturn", input, code, field)


@pytest.mark.parametrize(
    ("items", "code", "field"),
    [
        ([{"sku": "SHIRT-M", "quantity": 3}], "QUANTITY_EXCEEDED", "items"),
        ([{"sku": "SHIRT-M", "quantity": 2}], "INVALID_QUANTITY", "items"),
        ([{"sku": "SHIRT-M", "quantity": 0}], "INVALID_QUANTITY", "items"),
        ([{"sku": "CAP", "quantity": 1}], "UNKNOWN_SKU", "items"),
        ([], "INVALID_INPUT", "items"),
    ],
)
async def test_split_refuses_moves_it_cannot_make(api, items, code, field) -> None:
    request = await api.pending_return(items=[{"sku": "SHIRT-M", "quantity": 2}])
    input = {"returnRequestId": request["returnRequestId"], "items": items}
    await assert_refused(api, "splitReturn", input, code, field)
    assert await api.count() == 1


async def test_split_never_leaves_refunds_above_the_approved_value(api) -> None:
    request = await api.approved_return(items=[{"sku": "SHIRT-M", "quantity": 2}])
    rid = request["returnRequestId"]
    await api.change("addRefund", {"returnRequestId": rid, "amount": "90.00", "currency": "AED"})

    # Moving a shirt out would leave 49.90 approved against 90.00 refunded.
    split = {"returnRequestId": rid, "items": [{"sku": "SHIRT-M", "quantity": 1}]}
    error = await assert_refused(api, "splitReturn", split, "REFUND_EXCEEDS_VALUE", "items")
    assert "90.00" in error["message"]
    assert await api.count() == 1

    refund_id = (await api.get(rid))["refunds"][0]["id"]
    await api.change("deleteRefund", {"returnRequestId": rid, "refundId": refund_id})
    await api.change("addRefund", {"returnRequestId": rid, "amount": "40.00", "currency": "AED"})
    await api.change("splitReturn", split)
    page = await api.graphql.data(TOTALS)
    totals = [edge["node"]["refundTotals"] for edge in page["returnRequests"]["edges"]]
    assert sorted(totals, key=lambda t: t[0]["refunded"]) == [
        [{"approvedValue": "49.90", "refunded": "0", "remaining": "49.90"}],
        [{"approvedValue": "49.90", "refunded": "40.00", "remaining": "9.90"}],
    ]


# ----------------------------------------------------------------------------- refunds, notes


async def test_a_request_with_refunds_cannot_be_cancelled(api) -> None:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    await api.change("addRefund", {"returnRequestId": rid, "amount": "10", "currency": "AED"})
    assert "CANCEL" not in (await api.get(rid))["allowedActions"]

    cancel = {"returnRequestId": rid}
    error = await assert_refused(api, "cancelReturn", cancel, "REFUNDS_EXIST", None)
    assert "refund" in error["message"]
    override = {"returnRequestId": rid, "status": "CANCELLED"}
    await assert_refused(api, "setReturnStatus", override, "REFUNDS_EXIST", None)


@pytest.mark.parametrize(
    ("refund", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.2345"}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"currency": "aed"}, "currency"),
    ],
)
async def test_add_refund_refuses_invalid_input(api, refund, field) -> None:
    """Amounts the Decimal scalar takes but the rules refuse; those it does not take ("NaN",
    "Infinity", …) are in test_graphql_money.py."""
    request = await api.approved_return()
    input = {"returnRequestId": request["returnRequestId"], "amount": "10", "currency": "AED"}
    await assert_refused(api, "addRefund", input | refund, "INVALID_INPUT", field)


@pytest.mark.parametrize(
    ("mutation", "input", "field"),
    [
        ("addReturnNote", {"text": ""}, "text"),
        ("addReturnNote", {"text": "   "}, "text"),
        ("addReturnNote", {"text": "x" * 5001}, "text"),
        ("rejectReturn", {"reason": " "}, "rejectionReason"),
        ("updateReturn", {"collection": {"start": "2026-11-27T10:00:00Z",
                                         "end": "2026-11-26T10:00:00Z"}}, "collection"),
    ],
)  # fmt: skip
async def test_blank_or_malformed_text_and_times_are_invalid_input(
    api, mutation, input, field
) -> None:
    request = await api.pending_return()
    full = {"returnRequestId": request["returnRequestId"], **input}
    await assert_refused(api, mutation, full, "INVALID_INPUT", field)


# ----------------------------------------------------------------------------- orders


@pytest.mark.parametrize(
    ("order", "code", "field"),
    [
        ({"lines": [{"sku": "A", "quantity": 1, "unitPrice": "1"},
                    {"sku": "A", "quantity": 2, "unitPrice": "1"}]},
         "DUPLICATE_SKU", "lines[1].sku"),
        ({"lines": [{"sku": "A", "quantity": 0, "unitPrice": "1"}]},
         "INVALID_QUANTITY", "lines[0].quantity"),
        ({"lines": [{"sku": "A", "quantity": 1, "unitPrice": "1", "deliveredQuantity": 2,
                     "deliveredAt": "2026-11-20T10:00:00Z"}]},
         "INVALID_QUANTITY", "lines[0].deliveredQuantity"),
        ({"lines": [{"sku": "A", "quantity": 1, "unitPrice": "-1"}]},
         "INVALID_INPUT", "lines[0].unitPrice"),
        ({"currency": "dollars"}, "INVALID_INPUT", "currency"),
        ({"lines": []}, "INVALID_INPUT", "lines"),
    ],
)  # fmt: skip
async def test_upsert_order_refuses_invalid_orders(graphql, order, code, field) -> None:
    input = {
        "merchant": "acme",
        "reference": "SO-BAD",
        "currency": "AED",
        "lines": [{"sku": "A", "quantity": 1, "unitPrice": "1"}],
    } | order
    payload = (await graphql.data(UPSERT_ORDER, {"input": input}))["upsertOrder"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert (await graphql.data(ORDER, {"reference": "SO-BAD"}))["order"] is None


async def test_an_order_cannot_shrink_below_its_live_returns(api, graphql) -> None:
    await api.pending_return(items=[{"sku": "SHIRT-M", "quantity": 3}])
    input = {
        "merchant": "acme",
        "reference": "SO-1001",
        "currency": "AED",
        "lines": [{"sku": "SHIRT-M", "quantity": 2, "unitPrice": "49.90",
                   "deliveredAt": "2026-11-20T10:00:00Z"}],
    }  # fmt: skip
    payload = (await graphql.data(UPSERT_ORDER, {"input": input}))["upsertOrder"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("QUANTITY_EXCEEDED", "lines")
    ]
    lines = (await graphql.data(ORDER, {"reference": "SO-1001"}))["order"]["lines"]
    assert lines[0] == {"sku": "SHIRT-M", "quantity": 3, "deliveredQuantity": 3}


async def test_upsert_order_refuses_a_delivery_time_without_offset(graphql) -> None:
    input = {
        "merchant": "acme",
        "reference": "SO-NAIVE",
        "currency": "AED",
        "lines": [{"sku": "A", "quantity": 1, "unitPrice": "1",
                   "deliveredAt": "2026-11-20T10:00:00"}],
    }  # fmt: skip
    body = await graphql.execute(UPSERT_ORDER, {"input": input})
    # Refused while the request is parsed (the DateTime scalar), so nothing runs at all.
    assert body.get("data") is None
    (error,) = body["errors"]
    assert "needs a time zone offset" in error["message"]
    assert (await graphql.data(ORDER, {"reference": "SO-NAIVE"}))["order"] is None


async def test_every_time_input_without_offset_is_refused_before_anything_runs(api) -> None:
    request = await api.approved_return()
    rid = request["returnRequestId"]
    for mutation, input in (
        ("addRefund", {"returnRequestId": rid, "amount": "10", "currency": "AED",
                       "refundDate": "2026-11-24T10:00:00"}),
        ("updateReturn", {"returnRequestId": rid,
                          "collection": {"start": "2026-11-27T10:00:00",
                                         "end": "2026-11-28T10:00:00Z"}}),
    ):  # fmt: skip
        body = await api.graphql.execute(REQUEST_MUTATION_OPERATIONS[mutation], {"input": input})
        assert body.get("data") is None, mutation
        assert "needs a time zone offset" in body["errors"][0]["message"]


# ----------------------------------------------------------------------------- GraphQL level


async def test_an_unknown_field_is_a_readable_validation_error(graphql) -> None:
    body = await graphql.execute(UNKNOWN_FIELD)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["message"] == "Cannot query field 'colour' on type 'ReturnRequestConnection'."


async def test_an_unknown_enum_value_is_a_readable_validation_error(graphql) -> None:
    body = await graphql.execute(BAD_ENUM)
    (error,) = body["errors"]
    assert "SHIPPED" in error["message"] and "ReturnStatus" in error["message"]


async def test_a_value_that_is_not_a_decimal_is_a_readable_variable_error(graphql) -> None:
    body = await graphql.execute(BAD_DECIMAL, {"amount": "ten"})
    (error,) = body["errors"]
    assert "$amount" in error["message"] and "Decimal" in error["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        encoded('["2026-11-25T12:00:00", "RR-1"]'),  # no offset
        encoded('["yesterday", "RR-1"]'),
        encoded('["2026-11-25T12:00:00+00:00"]'),
        encoded('{"a": 1}'),
        encoded("42"),
    ],
)
async def test_an_invalid_cursor_is_a_readable_invalid_input_error(graphql, cursor) -> None:
    body = await graphql.execute(LIST_PAGE, {"first": 5, "after": cursor})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == "`after` is not a cursor returned by this API"
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "path" not in error, "refused before execution, not by a resolver"


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_a_page_size_outside_1_to_100_is_refused(graphql, first) -> None:
    body = await graphql.execute(LIST_PAGE, {"first": first, "after": None})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "between 1 and 100" in error["message"]


@pytest.mark.parametrize("bound", ["createdAfter", "createdBefore"])
async def test_a_filter_time_without_offset_is_a_readable_error(graphql, bound) -> None:
    body = await graphql.execute(LIST_WITH_FILTER, {"filter": {bound: "2026-11-25T12:00:00"}})
    (error,) = body["errors"]
    assert "needs a time zone offset" in error["message"]
    assert body.get("data") is None


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"query": ', "application/json"),
        ("[1, 2", "application/json"),
    ],
)
async def test_a_malformed_body_is_a_client_error(http, body, content_type) -> None:
    response = await http.post("/graphql", data=body, headers={"Content-Type": content_type})
    assert response.status == 400
    assert "JSON" in await response.text()


@pytest.mark.parametrize("body", ['"query"', "42", "null", "true"])
async def test_json_that_is_not_an_object_is_a_client_error(http, body) -> None:
    response = await http.post("/graphql", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_a_body_without_a_query_is_a_client_error(http) -> None:
    response = await http.post("/graphql", json={"variables": {}})
    assert response.status == 400

"""The worked example, end to end over HTTP: an order is loaded, a customer asks to return part
of it, the merchant edits, approves part, splits, ships, receives, refunds and completes.

Every step checks what a dashboard would show: status, version, allowed actions, the times
set from the test clock and who did it (the X-User header)."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any

import pytest

FIELDS = """
fragment Request on ReturnRequest {
  id returnRequestId merchant orderReference status version allowedActions splitFrom
  rejectionReason
  items {
    sku description unitPrice currency quantity approvedQuantity rejectedQuantity
    returnedQuantity receivedQuantity reasonCode itemConditionCode rejectionReason
  }
  notes { id text user createdAt }
  refunds { id amount currency reference note refundDate createdAt }
  refundTotals { currency approvedValue refunded remaining }
  reverseShipments {
    id carrier status items { sku quantity } trackingNumber labelUrl createdAt updatedAt
  }
  itemsUpdates { updatedAt previous { sku quantity } current { sku quantity } user source }
  creationSource { source user }
  updateSource { source user }
  updatedByUser
  createdAt updatedAt onHoldAt approvedAt rejectedAt cancelledAt receivedAt completedAt
}
"""

UPSERT_ORDER = """
mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) {
    order {
      id merchant reference currency customer { name email phone }
      lines { sku description quantity unitPrice deliveredQuantity deliveredAt }
      createdAt updatedAt
    }
    userErrors { code field message }
  }
}
"""

RETURNABLE_ITEMS = """
query ($reference: String!, $merchant: String!) {
  returnableItems(orderReference: $reference, merchant: $merchant) {
    sku description orderedQuantity deliveredQuantity deliveredAt unitPrice alreadyRequested
    returnableQuantity returnable blockers { code message }
  }
}
"""

CREATE_RETURN = (
    """
mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + FIELDS
)

UPDATE_RETURN = (
    """
mutation ($input: UpdateReturnInput!) {
  updateReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + FIELDS
)

APPROVE_RETURN = (
    """
mutation ($input: ApproveReturnInput!) {
  approveReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + FIELDS
)

SPLIT_RETURN = (
    """
mutation ($input: SplitReturnInput!) {
  splitReturn(input: $input) {
    returnRequest { ...Request }
    newReturnRequest { ...Request }
    userErrors { code field message }
  }
}
"""
    + FIELDS
)

UPDATE_REVERSE_SHIPMENT = (
    """
mutation ($input: UpdateReverseShipmentInput!) {
  updateReverseShipment(input: $input) {
    returnRequest { ...Request } userErrors { code field message }
  }
}
"""
    + FIELDS
)

RECEIVE_RETURN = (
    """
mutation ($input: ReceiveReturnInput!) {
  receiveReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + FIELDS
)

ADD_REFUND = (
    """
mutation ($input: AddRefundInput!) {
  addRefund(input: $input) {
    returnRequest { ...Request }
    refund { id amount currency reference note refundDate createdAt }
    userErrors { code field message }
  }
}
"""
    + FIELDS
)

ADD_NOTE = (
    """
mutation ($input: AddReturnNoteInput!) {
  addReturnNote(input: $input) {
    returnRequest { ...Request } note { id text user createdAt } userErrors { code field message }
  }
}
"""
    + FIELDS
)

COMPLETE_RETURN = (
    """
mutation ($input: CompleteReturnInput!) {
  completeReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + FIELDS
)

RETURN_REQUEST = (
    """
query ($id: ID!) { returnRequest(id: $id) { ...Request } }
"""
    + FIELDS
)

MERCHANT = "acme"
REFERENCE = "SO-1001"
AGENT = "ops@acme.test"
LEAD = "lead@acme.test"
WAREHOUSE = "dock@acme.test"
FINANCE = "finance@acme.test"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"
PENDING_ACTIONS = [
    "UPDATE", "HOLD", "APPROVE", "REJECT", "CANCEL", "SPLIT", "SET_STATUS", "ASSIGN", "ADD_NOTE"
]  # fmt: skip


def at(clock: Any) -> str:
    """The clock's now as the API writes it: ISO 8601 in UTC."""
    return clock.now().isoformat()


class Merchant:
    """One dashboard user's session: every call carries their X-User header."""

    def __init__(self, graphql: Any) -> None:
        self.graphql = graphql

    async def payload(self, operation: str, input: dict[str, Any], user: str) -> dict[str, Any]:
        data = await self.graphql.data(operation, {"input": input}, headers={"X-User": user})
        (payload,) = data.values()
        return payload

    async def ok(self, operation: str, input: dict[str, Any], user: str) -> dict[str, Any]:
        payload = await self.payload(operation, input, user)
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload

    async def returnable(self) -> dict[str, dict[str, Any]]:
        data = await self.graphql.data(
            RETURNABLE_ITEMS, {"reference": REFERENCE, "merchant": MERCHANT}
        )
        return {line["sku"]: line for line in data["returnableItems"]}


def quantities_list(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sku": item["sku"], "quantity": item["quantity"]} for item in request["items"]]


def quantities(request: dict[str, Any], field: str = "quantity") -> dict[str, int]:
    return {item["sku"]: item[field] for item in request["items"]}


async def test_a_return_goes_from_request_to_completion(graphql, clock) -> None:
    merchant = Merchant(graphql)

    # 1. The merchant loads the order the customer bought.
    order_input = {
        "merchant": MERCHANT,
        "reference": REFERENCE,
        "currency": "AED",
        "customer": {"name": "Ann Lee", "email": "ann@example.com"},
        "lines": [
            {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 4, "unitPrice": "49.90",
             "deliveredAt": DELIVERED_AT},
            {"sku": "CAP", "description": "Cap", "quantity": 1, "unitPrice": "20.00",
             "deliveredAt": DELIVERED_AT},
        ],
    }  # fmt: skip
    order = (await merchant.ok(UPSERT_ORDER, order_input, AGENT))["order"]
    assert order["lines"] == [
        {"sku": "SHIRT-M", "description": "Shirt M", "quantity": 4, "unitPrice": "49.90",
         "deliveredQuantity": 4, "deliveredAt": DELIVERED_AT},
        {"sku": "CAP", "description": "Cap", "quantity": 1, "unitPrice": "20.00",
         "deliveredQuantity": 1, "deliveredAt": DELIVERED_AT},
    ]  # fmt: skip
    assert order["createdAt"] == order["updatedAt"] == at(clock)

    # 2. Everything delivered may be returned.
    lines = await merchant.returnable()
    assert {sku: line["returnableQuantity"] for sku, line in lines.items()} == {
        "SHIRT-M": 4,
        "CAP": 1,
    }
    assert all(line["returnable"] and line["blockers"] == [] for line in lines.values())

    # 3. The customer asks to return 3 shirts and the cap.
    created_at = at(clock)
    create_input = {
        "merchant": MERCHANT,
        "orderReference": REFERENCE,
        "channel": "WEB",
        "items": [
            {"sku": "SHIRT-M", "quantity": 3, "reasonCode": "TOO_SMALL"},
            {"sku": "CAP", "quantity": 1, "reasonCode": "DAMAGED"},
        ],
        "pickup": {"contactName": "Ann Lee", "address1": "1 Palm St", "country": "AE"},
        "dropoff": {"partnerLocationId": "WH-DXB"},
    }
    request = (await merchant.ok(CREATE_RETURN, create_input, AGENT))["returnRequest"]
    rid = request["returnRequestId"]
    assert re.fullmatch(r"RR-[2-9A-HJKMNP-TV-Z]{8}", rid)  # no 0/O, 1/I/L or U: phone-safe
    assert request["status"] == "PENDING"
    assert request["version"] == 1
    assert request["allowedActions"] == PENDING_ACTIONS
    assert request["createdAt"] == request["updatedAt"] == created_at
    assert request["approvedAt"] is None and request["completedAt"] is None
    assert (
        request["creationSource"]
        == request["updateSource"]
        == {
            "source": "GRAPHQL",
            "user": AGENT,
        }
    )
    assert request["items"][0] == {
        "sku": "SHIRT-M", "description": "Shirt M", "unitPrice": "49.90", "currency": "AED",
        "quantity": 3, "approvedQuantity": 0, "rejectedQuantity": 0, "returnedQuantity": 0,
        "receivedQuantity": 0, "reasonCode": "TOO_SMALL", "itemConditionCode": None,
        "rejectionReason": None,
    }  # fmt: skip
    assert request["reverseShipments"] == [] and request["refundTotals"] == []
    lines = await merchant.returnable()
    assert lines["SHIRT-M"]["alreadyRequested"] == 3
    assert lines["SHIRT-M"]["returnableQuantity"] == 1
    assert lines["CAP"]["returnable"] is False
    assert [b["code"] for b in lines["CAP"]["blockers"]] == ["QUANTITY_EXCEEDED"]

    # 4. The customer finds the fourth shirt too small as well: the agent edits the items.
    clock.advance(minutes=30)
    update_input = {
        "returnRequestId": rid,
        "expectedVersion": 1,
        "items": [
            {"sku": "SHIRT-M", "quantity": 4, "reasonCode": "TOO_SMALL"},
            {"sku": "CAP", "quantity": 1, "reasonCode": "DAMAGED"},
        ],
    }
    request = (await merchant.ok(UPDATE_RETURN, update_input, AGENT))["returnRequest"]
    assert quantities(request) == {"SHIRT-M": 4, "CAP": 1}
    assert request["version"] == 2
    assert request["updatedAt"] == at(clock) and request["createdAt"] == created_at
    edit = {
        "updatedAt": at(clock),
        "previous": [{"sku": "SHIRT-M", "quantity": 3}, {"sku": "CAP", "quantity": 1}],
        "current": [{"sku": "SHIRT-M", "quantity": 4}, {"sku": "CAP", "quantity": 1}],
        "user": AGENT,
        "source": "GRAPHQL",
    }
    assert request["itemsUpdates"] == [edit]

    # 5. The lead approves 3 of the 4 shirts and the cap; the worn shirt is rejected.
    clock.advance(hours=1)
    approved_at = at(clock)
    approve_input = {
        "returnRequestId": rid,
        "expectedVersion": 2,
        "items": [{"sku": "SHIRT-M", "quantity": 3}, {"sku": "CAP", "quantity": 1}],
        "rejectionReason": "WORN",
    }
    request = (await merchant.ok(APPROVE_RETURN, approve_input, LEAD))["returnRequest"]
    assert request["status"] == "APPROVED"
    assert request["version"] == 3
    assert request["approvedAt"] == request["updatedAt"] == approved_at
    assert request["allowedActions"] == [
        "CANCEL", "RECEIVE", "SPLIT", "SET_STATUS", "ASSIGN", "ADD_NOTE", "ADD_REFUND",
        "UPDATE_SHIPMENT",
    ]  # fmt: skip
    shirt, cap = request["items"]
    assert (shirt["approvedQuantity"], shirt["rejectedQuantity"]) == (3, 1)
    assert shirt["rejectionReason"] == "WORN"
    assert (cap["approvedQuantity"], cap["rejectedQuantity"], cap["rejectionReason"]) == (
        1,
        0,
        None,
    )
    assert request["updateSource"] == {"source": "GRAPHQL", "user": LEAD}
    assert request["updatedByUser"] == LEAD
    assert request["creationSource"] == {"source": "GRAPHQL", "user": AGENT}
    (shipment,) = request["reverseShipments"]
    assert shipment["status"] == "CREATED"
    assert shipment["carrier"] == "manual"
    assert shipment["createdAt"] == approved_at
    assert shipment["items"] == [{"sku": "SHIRT-M", "quantity": 3}, {"sku": "CAP", "quantity": 1}]
    assert request["refundTotals"] == [
        {"currency": "AED", "approvedValue": "169.70", "refunded": "0", "remaining": "169.70"}
    ]
    lines = await merchant.returnable()
    assert lines["SHIRT-M"]["alreadyRequested"] == 3  # the rejected shirt is free again
    assert lines["SHIRT-M"]["returnableQuantity"] == 1

    # 6. One shirt and the cap travel separately: split them into a new request.
    clock.advance(minutes=10)
    split_input = {
        "returnRequestId": rid,
        "expectedVersion": 3,
        "items": [{"sku": "SHIRT-M", "quantity": 1}, {"sku": "CAP", "quantity": 1}],
    }
    split = await merchant.ok(SPLIT_RETURN, split_input, LEAD)
    request, new = split["returnRequest"], split["newReturnRequest"]
    assert request["returnRequestId"] == rid
    assert new["returnRequestId"] not in (rid, None) and new["returnRequestId"].startswith("RR-")
    assert new["splitFrom"] == rid and request["splitFrom"] is None
    assert request["version"] == 4 and new["version"] == 1
    assert request["status"] == new["status"] == "APPROVED"
    assert quantities(request) == {"SHIRT-M": 3}
    assert quantities(request, "approvedQuantity") == {"SHIRT-M": 2}
    assert quantities(request, "rejectedQuantity") == {"SHIRT-M": 1}
    assert quantities(new) == quantities(new, "approvedQuantity") == {"SHIRT-M": 1, "CAP": 1}
    for sku, total in {"SHIRT-M": 4, "CAP": 1}.items():
        assert quantities(request).get(sku, 0) + quantities(new).get(sku, 0) == total
    assert request["itemsUpdates"] == [
        edit,
        {
            "updatedAt": at(clock),
            "previous": [{"sku": "SHIRT-M", "quantity": 4}, {"sku": "CAP", "quantity": 1}],
            "current": [{"sku": "SHIRT-M", "quantity": 3}],
            "user": LEAD,
            "source": "GRAPHQL",
        },
    ]
    assert new["createdAt"] == new["updatedAt"] == request["updatedAt"] == at(clock)
    assert new["approvedAt"] == approved_at
    assert new["creationSource"] == {"source": "GRAPHQL", "user": LEAD}
    assert request["reverseShipments"][0]["items"] == [{"sku": "SHIRT-M", "quantity": 2}]
    (new_shipment,) = new["reverseShipments"]
    assert new_shipment["id"] != shipment["id"] and new_shipment["status"] == "CREATED"
    assert new_shipment["items"] == quantities_list(new)
    assert request["refundTotals"][0]["approvedValue"] == "99.80"
    assert new["refundTotals"][0]["approvedValue"] == "69.90"
    stored_new = await graphql.data(RETURN_REQUEST, {"id": new["returnRequestId"]})
    assert stored_new["returnRequest"] == new
    lines = await merchant.returnable()
    assert lines["SHIRT-M"]["alreadyRequested"] == 3 and lines["CAP"]["alreadyRequested"] == 1

    # 7. The carrier's tracking number is entered and the parcel handed over.
    clock.advance(hours=2)
    ship_input = {
        "returnRequestId": rid,
        "trackingNumber": "TRK123",
        "labelUrl": "https://labels.example/TRK123.pdf",
        "inTransit": True,
    }
    request = (await merchant.ok(UPDATE_REVERSE_SHIPMENT, ship_input, LEAD))["returnRequest"]
    (shipment,) = request["reverseShipments"]
    assert shipment["trackingNumber"] == "TRK123"
    assert shipment["labelUrl"] == "https://labels.example/TRK123.pdf"
    assert shipment["status"] == "IN_TRANSIT"
    assert shipment["updatedAt"] == at(clock)
    assert request["version"] == 5 and request["status"] == "APPROVED"

    # 8. The warehouse receives one shirt, then the other.
    clock.advance(days=1)
    receive_input = {
        "returnRequestId": rid,
        "items": [{"sku": "SHIRT-M", "quantity": 1, "itemCondition": "AS_NEW"}],
    }
    request = (await merchant.ok(RECEIVE_RETURN, receive_input, WAREHOUSE))["returnRequest"]
    assert request["status"] == "PARTIALLY_RECEIVED"
    assert request["version"] == 6
    assert request["receivedAt"] is None
    assert request["items"][0]["receivedQuantity"] == 1
    assert request["items"][0]["itemConditionCode"] == "AS_NEW"
    assert request["reverseShipments"][0]["status"] == "IN_TRANSIT"
    assert "COMPLETE" in request["allowedActions"] and "RECEIVE" in request["allowedActions"]
    assert "SPLIT" not in request["allowedActions"]

    clock.advance(hours=3)
    received_at = at(clock)
    receive_input = {"returnRequestId": rid, "items": [{"sku": "SHIRT-M", "quantity": 1}]}
    request = (await merchant.ok(RECEIVE_RETURN, receive_input, WAREHOUSE))["returnRequest"]
    assert request["status"] == "RECEIVED"
    assert request["version"] == 7
    assert request["receivedAt"] == request["updatedAt"] == received_at
    assert request["items"][0]["receivedQuantity"] == request["items"][0]["returnedQuantity"] == 2
    assert request["reverseShipments"][0]["status"] == "DELIVERED"
    assert request["reverseShipments"][0]["updatedAt"] == received_at
    assert request["updateSource"] == {"source": "GRAPHQL", "user": WAREHOUSE}
    assert request["allowedActions"] == [
        "CANCEL", "COMPLETE", "SET_STATUS", "ASSIGN", "ADD_NOTE", "ADD_REFUND",
    ]  # fmt: skip

    # 9. Finance refunds part of the approved value, then cannot exceed what is left.
    clock.advance(hours=1)
    refund_input = {
        "returnRequestId": rid,
        "amount": "60.00",
        "currency": "AED",
        "reference": "PSP-42",
        "note": "first instalment",
    }
    payload = await merchant.ok(ADD_REFUND, refund_input, FINANCE)
    request, refund = payload["returnRequest"], payload["refund"]
    assert refund == {
        "id": refund["id"], "amount": "60.00", "currency": "AED", "reference": "PSP-42",
        "note": "first instalment", "refundDate": at(clock), "createdAt": at(clock),
    }  # fmt: skip
    assert refund["id"].startswith("RF-")
    assert request["refunds"] == [refund]
    assert request["refundTotals"] == [
        {"currency": "AED", "approvedValue": "99.80", "refunded": "60.00", "remaining": "39.80"}
    ]
    assert request["version"] == 8

    over = await merchant.payload(
        ADD_REFUND, {"returnRequestId": rid, "amount": "39.81", "currency": "AED"}, FINANCE
    )
    assert over["returnRequest"] is None and over["refund"] is None
    (error,) = over["userErrors"]
    assert error["code"] == "REFUND_EXCEEDS_VALUE" and error["field"] == "amount"
    assert "39.80" in error["message"]

    payload = await merchant.ok(
        ADD_REFUND, {"returnRequestId": rid, "amount": "39.80", "currency": "AED"}, FINANCE
    )
    request = payload["returnRequest"]
    assert request["version"] == 9
    assert request["refundTotals"] == [
        {"currency": "AED", "approvedValue": "99.80", "refunded": "99.80", "remaining": "0.00"}
    ]
    assert "ADD_REFUND" not in request["allowedActions"]

    # 10. A note for the record, then the request is done.
    clock.advance(minutes=5)
    noted = await merchant.ok(ADD_NOTE, {"returnRequestId": rid, "text": " Refund sent. "}, FINANCE)
    assert noted["note"] == {
        "id": noted["note"]["id"],
        "text": "Refund sent.",
        "user": FINANCE,
        "createdAt": at(clock),
    }
    assert noted["returnRequest"]["notes"] == [noted["note"]]
    assert noted["returnRequest"]["version"] == 10

    clock.advance(minutes=5)
    request = (await merchant.ok(COMPLETE_RETURN, {"returnRequestId": rid}, LEAD))["returnRequest"]
    assert request["status"] == "COMPLETED"
    assert request["version"] == 11
    assert request["completedAt"] == request["updatedAt"] == at(clock)
    assert request["allowedActions"] == ["ADD_NOTE", "DELETE_NOTE", "DELETE_REFUND"]
    assert request["createdAt"] == created_at
    assert request["approvedAt"] == approved_at
    assert request["receivedAt"] == received_at
    assert request["creationSource"] == {"source": "GRAPHQL", "user": AGENT}
    assert request["updateSource"] == {"source": "GRAPHQL", "user": LEAD}

    # What the mutations answered is what was stored.
    stored = (await graphql.data(RETURN_REQUEST, {"id": rid}))["returnRequest"]
    assert stored == request
    by_global_id = (await graphql.data(RETURN_REQUEST, {"id": request["id"]}))["returnRequest"]
    assert by_global_id == request


async def test_refunds_are_limited_per_currency_to_the_approved_value(api) -> None:
    """The approved value is in the order's currency; nothing can be refunded in another."""
    request = await api.approved_return(items=[{"sku": "SHIRT-M", "quantity": 3}])
    rid = request["returnRequestId"]
    assert request["refundTotals"] == [
        {"currency": "AED", "approvedValue": "149.70", "refunded": "0", "remaining": "149.70"}
    ]

    payload = await api.run("addRefund", {"returnRequestId": rid, "amount": "1", "currency": "USD"})
    assert [e["code"] for e in payload["userErrors"]] == ["REFUND_EXCEEDS_VALUE"]

    for amount in ("100.5", "49.2"):
        await api.change("addRefund", {"returnRequestId": rid, "amount": amount, "currency": "AED"})
    stored = await api.get(rid)
    assert [r["amount"] for r in stored["refunds"]] == ["100.5", "49.2"]
    (total,) = stored["refundTotals"]
    assert (Decimal(total["refunded"]), Decimal(total["remaining"])) == (
        Decimal("149.7"),
        Decimal("0"),
    )
    payload = await api.run(
        "addRefund", {"returnRequestId": rid, "amount": "0.001", "currency": "AED"}
    )
    assert [e["code"] for e in payload["userErrors"]] == ["REFUND_EXCEEDS_VALUE"]

    deleted = await api.change(
        "deleteRefund", {"returnRequestId": rid, "refundId": stored["refunds"][0]["id"]}
    )
    assert [r["amount"] for r in deleted["refunds"]] == ["49.2"]
    assert Decimal(deleted["refundTotals"][0]["remaining"]) == Decimal("100.5")


async def test_hold_resume_and_assignment_are_recorded(api, clock) -> None:
    request = await api.pending_return()
    rid = request["returnRequestId"]

    clock.advance(hours=1)
    held = await api.change("holdReturn", {"returnRequestId": rid, "reason": "ask"}, user="a@x")
    assert held["status"] == "ON_HOLD"
    assert held["onHoldAt"] == held["updatedAt"] == clock.now().isoformat()
    assert held["allowedActions"] == [
        "UPDATE", "RESUME", "REJECT", "CANCEL", "SPLIT", "SET_STATUS", "ASSIGN", "ADD_NOTE",
    ]  # fmt: skip

    clock.advance(hours=1)
    assigned = await api.change("assignReturn", {"returnRequestId": rid, "user": "b@x"})
    assert assigned["assignedToUser"] == "b@x"
    resumed = await api.change("resumeReturn", {"returnRequestId": rid})
    assert resumed["status"] == "PENDING"
    assert resumed["version"] == request["version"] + 3
    unassigned = await api.change("assignReturn", {"returnRequestId": rid, "user": None})
    assert unassigned["assignedToUser"] is None


async def test_concurrent_writes_without_expected_version_all_apply(api) -> None:
    """Writers that do not pin a version are applied one after the other, none is lost."""
    request = await api.pending_return()
    rid = request["returnRequestId"]
    texts = [f"note {n}" for n in range(5)]

    payloads = await asyncio.gather(
        *(api.run("addReturnNote", {"returnRequestId": rid, "text": text}) for text in texts)
    )
    assert [p["userErrors"] for p in payloads] == [[]] * 5
    assert sorted(p["returnRequest"]["version"] for p in payloads) == [2, 3, 4, 5, 6]
    stored = await api.get(rid)
    assert stored["version"] == 6
    assert sorted(note["text"] for note in stored["notes"]) == texts


@pytest.mark.parametrize(
    ("mutation", "extra", "status", "stamp"),
    [
        ("rejectReturn", {"reason": "Outside policy"}, "REJECTED", "rejectedAt"),
        ("cancelReturn", {"reason": "Customer kept it"}, "CANCELLED", "cancelledAt"),
    ],
)
async def test_a_rejected_or_cancelled_request_releases_its_units(
    api, clock, mutation, extra, status, stamp
) -> None:
    request = await api.pending_return(items=[{"sku": "SHIRT-M", "quantity": 3}])
    assert (await api.returnable())[0]["returnableQuantity"] == 0

    clock.advance(hours=4)
    closed = await api.change(mutation, {"returnRequestId": request["returnRequestId"], **extra})
    assert closed["status"] == status
    assert closed[stamp] == closed["updatedAt"] == clock.now().isoformat()
    assert closed["allowedActions"] == ["ADD_NOTE"]
    shirt = (await api.returnable())[0]
    assert (shirt["alreadyRequested"], shirt["returnableQuantity"]) == (0, 3)
    again = await api.create_return(items=[{"sku": "SHIRT-M", "quantity": 3}])
    assert again["status"] == "PENDING"


async def test_cancelling_an_approved_request_cancels_its_reverse_shipment(api) -> None:
    request = await api.approved_return()
    assert request["reverseShipments"][0]["status"] == "CREATED"
    cancelled = await api.change("cancelReturn", {"returnRequestId": request["id"]})
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["reverseShipments"][0]["status"] == "CANCELLED"


async def test_times_sent_with_an_offset_come_back_in_utc(api) -> None:
    order = await api.graphql.data(
        """
        mutation ($input: UpsertOrderInput!) {
          upsertOrder(input: $input) { order { lines { deliveredAt } } userErrors { code } }
        }
        """,
        {
            "input": {
                "merchant": "acme",
                "reference": "SO-TZ",
                "currency": "AED",
                "lines": [
                    {"sku": "A", "quantity": 1, "unitPrice": "1",
                     "deliveredAt": "2026-11-20T14:00:00+04:00"}
                ],
            }
        },
    )  # fmt: skip
    request = await api.approved_return()
    refunded = await api.run(
        "addRefund",
        {
            "returnRequestId": request["returnRequestId"],
            "amount": "1",
            "currency": "AED",
            "refundDate": "2026-11-24T16:00:00+04:00",
        },
    )
    stored = await api.get(request["returnRequestId"])
    assert stored["refunds"][0]["refundDate"] == "2026-11-24T12:00:00+00:00"
    assert refunded["refund"]["refundDate"] == "2026-11-24T12:00:00+00:00"
    assert order["upsertOrder"]["order"]["lines"][0]["deliveredAt"] == "2026-11-20T10:00:00+00:00"

"""The rules a merchant's configuration drives, end to end through the workflow mutations: the
return window, undelivered lines, reason requirements, which codes exist and which reasons they
apply to, auto-approval, reverse shipments, default dropoffs, `returnableItems`, and codes that
live requests still use.

A kind's codes are enforced once the merchant has at least one code of that kind (pickup
location codes once it has locations); before that they are free text. Every refused command
writes nothing: the request reads back as before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from persistence.tables import OutboxEventRow

MERCHANT = "acme"
OTHER_MERCHANT = "globex"
USER_ERRORS = "userErrors { code field message }"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"  # five days and two hours before the test clock
PICKUP = {"contactName": "Ann Lee", "address1": "1 Palm St", "city": "Dubai", "country": "AE"}

CODE_INPUTS = {
    "ReturnReason": "ReturnReasonInput",
    "RejectionReason": "ReferenceCodeInput",
    "Resolution": "ReferenceCodeInput",
    "ItemCondition": "ReferenceCodeInput",
    "RefundType": "ScopedReferenceCodeInput",
    "ReturnComment": "ScopedReferenceCodeInput",
}
CREATE_CODE = {
    kind: f"mutation Create($input: {input_type}!) {{\n"
    f"  create{kind}(input: $input) {{ referenceCode {{ code }} {USER_ERRORS} }}\n}}\n"
    for kind, input_type in CODE_INPUTS.items()
}
DELETE_CODE = {
    kind: "mutation Delete($input: DeleteReferenceCodeInput!) {\n"
    f"  delete{kind}(input: $input) {{ deleted {USER_ERRORS} }}\n}}\n"
    for kind in [*CODE_INPUTS, "PickupLocation"]
}
UPSERT_RETURN_SETTINGS = """
mutation Settings($input: ReturnSettingsInput!) {
  upsertReturnSettings(input: $input) {
    returnSettings { merchant } userErrors { code field message }
  }
}
"""
CREATE_PICKUP_LOCATION = """
mutation Location($input: PickupLocationInput!) {
  createPickupLocation(input: $input) { pickupLocation { code } userErrors { code field message } }
}
"""
CONFIGURATION = """
query Configuration($merchant: String!) {
  returnReasons(merchant: $merchant) { code name }
  rejectionReasons(merchant: $merchant) { code name }
  resolutions(merchant: $merchant) { code name }
  itemConditions(merchant: $merchant) { code name }
  refundTypes(merchant: $merchant) { code name allowedReturnReasons }
  returnComments(merchant: $merchant) { code name allowedReturnReasons }
  pickupLocations(merchant: $merchant) { code name }
}
"""

NAMED = """
fragment Named on ReferenceCode { __typename code name defaultName translations { language text } }
"""
REQUEST_CODES = (
    """
query RequestCodes($id: ID!, $language: String) {
  returnRequest(id: $id) {
    resolutionCode
    resolution(language: $language) { ...Named }
    items {
      sku reasonCode itemConditionCode resolutionCode refundTypeCode commentCodes
      reason(language: $language) {
        ...Named requireComments requireImages requireItemCondition
        reverseShipmentCreateEnabled autoApprove
      }
      itemCondition(language: $language) { ...Named }
      resolution(language: $language) { ...Named }
      refundType(language: $language) { ...Named allowedReturnReasons }
      comments(language: $language) { ...Named allowedReturnReasons }
    }
  }
}
"""
    + NAMED
)
CREATE_RETURN_NAMED = """
mutation Create($input: CreateReturnInput!) {
  createReturn(input: $input) {
    returnRequest {
      returnRequestId
      items { sku reason(language: "ar") { name } itemCondition(language: "ar") { name } }
    }
    userErrors { code field message }
  }
}
"""
SPLIT_RETURN_NAMED = """
mutation Split($input: SplitReturnInput!) {
  splitReturn(input: $input) {
    returnRequest { items { sku quantity reason(language: "pt-BR") { name } } }
    newReturnRequest { splitFrom items { sku quantity reason(language: "pt-BR") { name } } }
    userErrors { code field message }
  }
}
"""
RENAME_BETWEEN_READS = """
mutation RenameBetweenReads($id: ID!) {
  before: addReturnNote(input: {returnRequestId: $id, text: "before"}) {
    returnRequest { items { reason { name } } }
  }
  rename: updateReturnReason(input: {merchant: "acme", code: "DAMAGED", name: "Broken"}) {
    userErrors { code field message }
  }
  after: addReturnNote(input: {returnRequestId: $id, text: "after"}) {
    returnRequest { items { reason { name } } }
  }
}
"""
PAGE = """
query Page($language: String) {
  returnRequests(first: 50) {
    totalCount
    edges {
      node {
        returnRequestId
        resolution(language: $language) { name }
        items {
          sku
          reason { name }
          itemCondition { name }
          arabic: reason(language: "ar") { name defaultName }
          resolution(language: $language) { name }
          refundType(language: $language) { name }
          comments(language: $language) { name }
        }
      }
    }
  }
}
"""


# ----------------------------------------------------------------------------- helpers


class Merchant:
    """Sets up a merchant's configuration; every change made here must be accepted."""

    def __init__(self, graphql: Any) -> None:
        self.graphql = graphql

    async def _ok(self, operation: str, input: dict[str, Any]) -> dict[str, Any]:
        (payload,) = (await self.graphql.data(operation, {"input": input})).values()
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload

    async def code(
        self, kind: str, code: str, name: str | None = None, merchant: str = MERCHANT, **extra: Any
    ) -> None:
        input = {"merchant": merchant, "code": code, "name": name or code.title(), **extra}
        await self._ok(CREATE_CODE[kind], input)

    async def reason(self, code: str, **extra: Any) -> None:
        await self.code("ReturnReason", code, **extra)

    async def settings(self, **settings: Any) -> None:
        await self._ok(UPSERT_RETURN_SETTINGS, {"merchant": MERCHANT, **settings})

    async def location(self, code: str, country: str = "AE") -> None:
        address = {"address1": f"{code} yard", "country": country}
        await self._ok(
            CREATE_PICKUP_LOCATION,
            {"merchant": MERCHANT, "code": code, "name": code, "address": address},
        )

    async def delete(self, kind: str, code: str) -> dict[str, Any]:
        variables = {"input": {"merchant": MERCHANT, "code": code}}
        (payload,) = (await self.graphql.data(DELETE_CODE[kind], variables)).values()
        return payload

    async def configuration(self) -> dict[str, Any]:
        return await self.graphql.data(CONFIGURATION, {"merchant": MERCHANT})


@pytest.fixture
def merchant(graphql: Any) -> Merchant:
    return Merchant(graphql)


def errors_of(payload: dict[str, Any], result: str = "returnRequest") -> list[tuple[str, str]]:
    """(code, field) of every userError of a refused command, which returns no request."""
    assert payload[result] is None, payload
    assert all(error["message"] for error in payload["userErrors"]), payload
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


def only_error(payload: dict[str, Any], result: str = "returnRequest") -> dict[str, Any]:
    assert payload[result] is None, payload
    (error,) = payload["userErrors"]
    return error


def item(sku: str, quantity: int = 1, **codes: Any) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, **codes}


async def refused_unchanged(api: Any, mutation: str, input: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a command that must be refused; the request must read back exactly as before."""
    before = await api.get(input["returnRequestId"])
    payload = await api.run(mutation, input)
    assert payload["returnRequest"] is None, payload
    assert payload["userErrors"], payload
    assert await api.get(input["returnRequestId"]) == before
    return payload["userErrors"]


async def events(db: Any, request_id: str) -> list[tuple[Any, ...]]:
    """The outbox rows of one request: (type, previous, new status, actor source, user)."""
    row = OutboxEventRow
    query = select(row).where(row.return_request_id == request_id).order_by(row.position)
    async with db.read_session() as session:
        rows = (await session.scalars(query)).all()
    return [
        (r.event_type, r.previous_status, r.new_status, r.actor_source, r.actor_user) for r in rows
    ]


# ----------------------------------------------------------------------------- return window


async def test_the_return_window_closes_the_allowed_days_after_delivery(
    api, merchant, clock
) -> None:
    await api.upsert_order()
    # No settings: no window, however late.
    clock.advance(days=365)
    assert all(line["returnable"] for line in await api.returnable())
    clock.advance(days=-365)

    await merchant.settings(allowedDaysForReturn=5)  # closed 2026-11-25T10:00, two hours ago
    explained = await api.returnable()
    assert [(line["sku"], line["returnableQuantity"]) for line in explained] == [
        ("SHIRT-M", 0),
        ("CAP", 0),
    ]
    for line in explained:
        (blocker,) = line["blockers"]
        assert blocker["code"] == "RETURN_WINDOW_EXPIRED"
        assert line["sku"] in blocker["message"] and "2026-11-25" in blocker["message"]
    payload = await api.create_return_payload([item("SHIRT-M"), item("CAP")])
    assert errors_of(payload) == [
        ("RETURN_WINDOW_EXPIRED", "items[0].sku"),
        ("RETURN_WINDOW_EXPIRED", "items[1].sku"),
    ]
    assert await api.count() == 0

    clock.current = clock.current.replace(hour=10)  # the last instant of the window
    assert [line["returnableQuantity"] for line in await api.returnable()] == [3, 1]
    request = await api.create_return([item("SHIRT-M")])

    clock.advance(microseconds=1)
    assert [line["blockers"][0]["code"] for line in await api.returnable()] == [
        "RETURN_WINDOW_EXPIRED"
    ] * 2
    payload = await api.create_return_payload([item("SHIRT-M")])
    assert errors_of(payload) == [("RETURN_WINDOW_EXPIRED", "items[0].sku")]
    # A request made in time may still be edited: the customer asked within the window.
    update = {"returnRequestId": request["returnRequestId"], "items": [item("SHIRT-M", 2)]}
    edited = await api.change("updateReturn", update)
    assert [(i["sku"], i["quantity"]) for i in edited["items"]] == [("SHIRT-M", 2)]
    assert await api.count() == 1

    await merchant.settings(allowedDaysForReturn=6)
    assert [line["returnableQuantity"] for line in await api.returnable()] == [1, 1]
    await api.create_return([item("SHIRT-M"), item("CAP")])


# ----------------------------------------------------------------------------- undelivered lines


async def test_undelivered_units_are_returnable_only_when_the_merchant_allows_them(
    api, merchant
) -> None:
    lines = [
        {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90"},
        {"sku": "CAP", "quantity": 2, "unitPrice": "20.00", "deliveredAt": None},
        {"sku": "BELT", "quantity": 4, "unitPrice": "15.00", "deliveredQuantity": 1},
    ]
    await api.upsert_order(lines=lines)
    wanted = [item("CAP", 2), item("BELT", 4)]

    for settings in (None, {"allowUndeliveredItems": False, "allowedDaysForReturn": 30}):
        if settings:
            await merchant.settings(**settings)
        explained = {line["sku"]: line for line in await api.returnable()}
        assert explained["CAP"]["blockers"] == [
            {"code": "NOT_RETURNABLE", "message": "sku CAP has not been delivered"}
        ]
        assert (explained["BELT"]["returnableQuantity"], explained["BELT"]["blockers"]) == (1, [])
        assert errors_of(await api.create_return_payload(wanted)) == [
            ("NOT_RETURNABLE", "items[0].sku"),
            ("QUANTITY_EXCEEDED", "items[1].quantity"),
        ]
        assert await api.count() == 0

    await merchant.settings(allowUndeliveredItems=True, allowedDaysForReturn=30)
    explained = {line["sku"]: line for line in await api.returnable()}
    assert {
        sku: (line["returnableQuantity"], line["blockers"]) for sku, line in explained.items()
    } == {
        "SHIRT-M": (3, []),
        "CAP": (2, []),
        "BELT": (4, []),
    }
    request = await api.create_return(wanted)
    assert [(i["sku"], i["quantity"]) for i in request["items"]] == [("CAP", 2), ("BELT", 4)]
    explained = {line["sku"]: line for line in await api.returnable()}
    assert explained["CAP"]["blockers"][0]["code"] == "QUANTITY_EXCEEDED"


# ----------------------------------------------------------------------------- reason requirements


async def test_a_reasons_requirements_are_enforced_item_by_item(api, merchant) -> None:
    await merchant.reason(
        "DAMAGED", requireComments=True, requireImages=True, requireItemCondition=True
    )
    await merchant.reason("WRONG_SIZE")
    await merchant.code("ItemCondition", "OPENED")
    await merchant.code("ReturnComment", "SEAM_TORN")
    await api.upsert_order()

    bare = [item("SHIRT-M", reasonCode="DAMAGED"), item("CAP", reasonCode="WRONG_SIZE")]
    payload = await api.create_return_payload(bare)
    assert errors_of(payload) == [
        ("REQUIREMENT_MISSING", "items[0].comment"),
        ("REQUIREMENT_MISSING", "items[0].imageUrls"),
        ("REQUIREMENT_MISSING", "items[0].itemCondition"),
    ]
    assert all("DAMAGED" in e["message"] for e in payload["userErrors"])
    # Once a merchant has reasons, every item needs one.
    no_reason = [item("SHIRT-M", comment="x", imageUrls=["https://img/1"], itemCondition="OPENED")]
    assert errors_of(await api.create_return_payload(no_reason)) == [
        ("REQUIREMENT_MISSING", "items[0].reasonCode")
    ]
    complete = {
        "reasonCode": "DAMAGED",
        "imageUrls": ["https://img.acme.test/1.jpg"],
        "itemCondition": "OPENED",
    }
    # A blank comment is no comment.
    blank = await api.create_return_payload([item("SHIRT-M", comment="  ", **complete)])
    assert errors_of(blank) == [("REQUIREMENT_MISSING", "items[0].comment")]
    assert await api.count() == 0

    request = await api.create_return(
        [
            item("SHIRT-M", comment="Seam came apart", **complete),
            item("CAP", reasonCode="WRONG_SIZE"),
        ]
    )
    shirt = request["items"][0]
    assert (shirt["comment"], shirt["imageUrls"], shirt["itemConditionCode"]) == (
        "Seam came apart",
        ["https://img.acme.test/1.jpg"],
        "OPENED",
    )
    # A configured comment satisfies "needs a comment" as well as free text does.
    other = await api.create_return([item("SHIRT-M", commentCodes=["SEAM_TORN"], **complete)])
    assert other["items"][0]["commentCodes"] == ["SEAM_TORN"]

    without_images = [item("SHIRT-M", comment="Seam", **{**complete, "imageUrls": []})]
    update = {"returnRequestId": request["returnRequestId"], "items": without_images}
    errors = await refused_unchanged(api, "updateReturn", update)
    assert [(e["code"], e["field"]) for e in errors] == [
        ("REQUIREMENT_MISSING", "items[0].imageUrls")
    ]


# ----------------------------------------------------------------------------- unknown codes


async def configure_every_kind(merchant: Merchant) -> None:
    await merchant.reason("DAMAGED")
    for kind, code in [
        ("RejectionReason", "FRAUD"),
        ("Resolution", "REFUND"),
        ("ItemCondition", "AS_NEW"),
        ("RefundType", "CASH"),
        ("ReturnComment", "TORN"),
    ]:
        await merchant.code(kind, code)
    await merchant.location("WH-DXB")


async def test_create_return_refuses_every_unknown_code_naming_it(api, merchant) -> None:
    await configure_every_kind(merchant)
    await api.upsert_order()
    ghost = item(
        "SHIRT-M",
        reasonCode="GHOST_REASON",
        itemCondition="GHOST_CONDITION",
        resolution="GHOST_ITEM_RESOLUTION",
        refundType="GHOST_REFUND_TYPE",
        commentCodes=["TORN", "GHOST_COMMENT"],
    )
    payload = await api.create_return_payload(
        [ghost], resolution="GHOST_RESOLUTION", dropoff={"partnerLocationId": "WH-GHOST"}
    )
    named = {e["field"]: (e["code"], e["message"]) for e in payload["userErrors"]}
    assert payload["returnRequest"] is None
    assert len(payload["userErrors"]) == len(named) == 7
    assert {field: code for field, (code, _) in named.items()} == {
        "dropoff.partnerLocationId": "UNKNOWN_CODE",
        "resolution": "UNKNOWN_CODE",
        "items[0].reasonCode": "UNKNOWN_CODE",
        "items[0].itemCondition": "UNKNOWN_CODE",
        "items[0].resolution": "UNKNOWN_CODE",
        "items[0].refundType": "UNKNOWN_CODE",
        "items[0].commentCodes": "UNKNOWN_CODE",
    }
    for field, code in [
        ("dropoff.partnerLocationId", "WH-GHOST"),
        ("resolution", "GHOST_RESOLUTION"),
        ("items[0].reasonCode", "GHOST_REASON"),
        ("items[0].itemCondition", "GHOST_CONDITION"),
        ("items[0].resolution", "GHOST_ITEM_RESOLUTION"),
        ("items[0].refundType", "GHOST_REFUND_TYPE"),
        ("items[0].commentCodes", "GHOST_COMMENT"),
    ]:
        assert code in named[field][1], named[field]
    assert await api.count() == 0

    known = item(
        "SHIRT-M",
        reasonCode="DAMAGED",
        itemCondition="AS_NEW",
        resolution="REFUND",
        refundType="CASH",
        commentCodes=["TORN"],
    )
    request = await api.create_return(
        [known], resolution="REFUND", dropoff={"partnerLocationId": "WH-DXB"}
    )
    assert request["resolutionCode"] == "REFUND"


UNKNOWN_CODE_COMMANDS = [
    ("updateReturn", {"resolution": "GHOST"}, False, "resolution"),
    ("updateReturn", {"dropoff": {"partnerLocationId": "GHOST"}}, False,
     "dropoff.partnerLocationId"),
    ("updateReturn", {"items": [item("SHIRT-M", reasonCode="GHOST")]}, False,
     "items[0].reasonCode"),
    ("rejectReturn", {"reason": "GHOST"}, False, "rejectionReason"),
    ("approveReturn", {"items": [{"sku": "SHIRT-M", "quantity": 1}], "rejectionReason": "GHOST"},
     False, "rejectionReason"),
    ("splitReturn", {"items": [{"sku": "SHIRT-M", "quantity": 1}], "partnerLocationId": "GHOST"},
     False, "partnerLocationId"),
    ("receiveReturn", {"items": [{"sku": "SHIRT-M", "quantity": 1, "itemCondition": "GHOST"}]},
     True, "items.itemCondition"),
    ("addRefund", {"amount": "10.00", "currency": "AED", "refundType": "GHOST"}, True,
     "refundType"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutation", "input", "approved", "field"),
    UNKNOWN_CODE_COMMANDS,
    ids=[f"{m}-{f}" for m, _, _, f in UNKNOWN_CODE_COMMANDS],
)
async def test_every_command_refuses_unknown_codes_and_writes_nothing(
    api, merchant, mutation, input, approved, field
) -> None:
    await configure_every_kind(merchant)
    await api.upsert_order()
    request = await api.create_return(
        [item("SHIRT-M", 2, reasonCode="DAMAGED")], dropoff={"partnerLocationId": "WH-DXB"}
    )
    rid = request["returnRequestId"]
    if approved:
        await api.change("approveReturn", {"returnRequestId": rid})

    (error,) = await refused_unchanged(api, mutation, {"returnRequestId": rid, **input})
    assert (error["code"], error["field"]) == ("UNKNOWN_CODE", field)
    assert "GHOST" in error["message"]
    assert await api.count() == 1


async def test_a_kinds_codes_are_free_text_until_the_merchant_configures_one(
    api, merchant, graphql
) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 10, "unitPrice": "49.90"}])
    anything = item(
        "SHIRT-M",
        reasonCode="Too small",
        itemCondition="worn once",
        resolution="exchange",
        refundType="gift card",
        commentCodes=["whatever"],
    )
    free = await api.create_return(
        [anything], resolution="exchange", dropoff={"partnerLocationId": "any dock"}
    )
    assert free["items"][0]["reasonCode"] == "Too small"
    rejected = await api.change(
        "rejectReturn", {"returnRequestId": free["returnRequestId"], "reason": "Outside policy"}
    )
    assert rejected["rejectionReason"] == "Outside policy"

    # Return reasons only: reasons are enforced, every other kind is still free text.
    await merchant.reason("DAMAGED")
    payload = await api.create_return_payload([anything])
    assert errors_of(payload) == [("UNKNOWN_CODE", "items[0].reasonCode")]
    assert "Too small" in payload["userErrors"][0]["message"]
    accepted = await api.create_return(
        [{**anything, "reasonCode": "DAMAGED"}], dropoff={"partnerLocationId": "any dock"}
    )

    # Rejection reasons now too.
    await merchant.code("RejectionReason", "FRAUD")
    reject = {"returnRequestId": accepted["returnRequestId"], "reason": "Outside policy"}
    (error,) = await refused_unchanged(api, "rejectReturn", reject)
    assert (error["code"], error["field"]) == ("UNKNOWN_CODE", "rejectionReason")
    assert "Outside policy" in error["message"]
    rejected = await api.change("rejectReturn", reject | {"reason": "FRAUD"})
    assert rejected["status"] == "REJECTED"

    # A pickup location anywhere makes location codes count.
    await merchant.location("WH-DXB")
    payload = await api.create_return_payload(
        [{**anything, "reasonCode": "DAMAGED"}], dropoff={"partnerLocationId": "any dock"}
    )
    assert errors_of(payload) == [("UNKNOWN_CODE", "dropoff.partnerLocationId")]

    # Another merchant's configuration never applies.
    await api.upsert_order(merchant=OTHER_MERCHANT)
    other = await api.create_return([anything], merchant=OTHER_MERCHANT)
    assert other["merchant"] == OTHER_MERCHANT


# ----------------------------------------------------------------------------- scoped codes


async def test_refund_types_and_comments_apply_only_to_their_reasons(api, merchant) -> None:
    await merchant.reason("DAMAGED")
    await merchant.reason("WRONG_SIZE")
    await merchant.code("RefundType", "STORE_CREDIT", allowedReturnReasons=["WRONG_SIZE"])
    await merchant.code("RefundType", "CASH")
    await merchant.code("ReturnComment", "TORN", allowedReturnReasons=["DAMAGED"])
    await merchant.code("ReturnComment", "NOTE")
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 5, "unitPrice": "50.00"},
                                  {"sku": "CAP", "quantity": 5, "unitPrice": "20.00"}])  # fmt: skip

    mismatched = [
        item("SHIRT-M", reasonCode="DAMAGED", refundType="STORE_CREDIT", commentCodes=["NOTE"]),
        item("CAP", reasonCode="WRONG_SIZE", refundType="CASH", commentCodes=["NOTE", "TORN"]),
    ]
    payload = await api.create_return_payload(mismatched)
    assert errors_of(payload) == [
        ("INVALID_INPUT", "items[0].refundType"),
        ("INVALID_INPUT", "items[1].commentCodes"),
    ]
    first, second = (e["message"] for e in payload["userErrors"])
    assert "STORE_CREDIT" in first and "DAMAGED" in first
    assert "TORN" in second and "WRONG_SIZE" in second
    assert await api.count() == 0

    matched = [
        item("SHIRT-M", reasonCode="DAMAGED", refundType="CASH", commentCodes=["TORN", "NOTE"]),
        item("CAP", reasonCode="WRONG_SIZE", refundType="STORE_CREDIT", commentCodes=["NOTE"]),
    ]
    both = await api.create_return(matched)
    assert [i["refundTypeCode"] for i in both["items"]] == ["CASH", "STORE_CREDIT"]

    # A refund's type must suit at least one of the request's reasons.
    damaged_only = await api.create_return([item("SHIRT-M", reasonCode="DAMAGED")])
    rid = damaged_only["returnRequestId"]
    await api.change("approveReturn", {"returnRequestId": rid})
    refund = {"returnRequestId": rid, "amount": "10.00", "currency": "AED"}
    (error,) = await refused_unchanged(api, "addRefund", refund | {"refundType": "STORE_CREDIT"})
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "refundType")
    assert "STORE_CREDIT" in error["message"]
    refunded = await api.change("addRefund", refund | {"refundType": "CASH"})
    assert [(r["amount"], r["refundType"]) for r in refunded["refunds"]] == [("10.00", "CASH")]

    await api.change("approveReturn", {"returnRequestId": both["returnRequestId"]})
    mixed = {"returnRequestId": both["returnRequestId"], "amount": "5.00", "currency": "AED"}
    refunded = await api.change("addRefund", mixed | {"refundType": "STORE_CREDIT"})
    assert refunded["refunds"][0]["refundType"] == "STORE_CREDIT"


# ----------------------------------------------------------------------------- auto-approve


async def test_a_request_whose_reasons_all_auto_approve_is_approved_on_creation(
    api, merchant, db, clock
) -> None:
    await merchant.reason("DEFECTIVE", autoApprove=True)
    await merchant.reason("WRONG_SIZE")
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 5, "unitPrice": "49.90"},
                                  {"sku": "CAP", "quantity": 5, "unitPrice": "20.00"}])  # fmt: skip

    created = await api.create_return(
        [item("SHIRT-M", 2, reasonCode="DEFECTIVE"), item("CAP", 1, reasonCode="DEFECTIVE")],
        user="shopper@acme.test",
    )
    assert created["status"] == "APPROVED"
    assert created["approvedAt"] == created["createdAt"] == clock.now().isoformat()
    assert [(i["sku"], i["approvedQuantity"], i["rejectedQuantity"]) for i in created["items"]] == [
        ("SHIRT-M", 2, 0),
        ("CAP", 1, 0),
    ]
    (shipment,) = created["reverseShipments"]
    assert shipment["status"] == "CREATED"
    assert shipment["items"] == [{"sku": "SHIRT-M", "quantity": 2}, {"sku": "CAP", "quantity": 1}]
    assert created["creationSource"] == {"source": "GRAPHQL", "user": "shopper@acme.test"}
    assert "RECEIVE" in created["allowedActions"] and "APPROVE" not in created["allowedActions"]
    assert await api.get(created["returnRequestId"]) == created
    assert await events(db, created["returnRequestId"]) == [
        ("ReturnRequested", None, "PENDING", "GRAPHQL", "shopper@acme.test"),
        ("ReturnStatusChanged", "PENDING", "APPROVED", "SYSTEM", "auto-approve"),
        ("ReverseShipmentCreated", None, None, "SYSTEM", "auto-approve"),
    ]

    # One item without an auto-approve reason keeps the whole request for a person to decide.
    mixed = await api.create_return(
        [item("SHIRT-M", 1, reasonCode="DEFECTIVE"), item("CAP", 1, reasonCode="WRONG_SIZE")]
    )
    assert (mixed["status"], mixed["approvedAt"], mixed["reverseShipments"]) == (
        "PENDING",
        None,
        [],
    )
    # So does a request that has nowhere to go yet.
    nowhere = await api.create_return([item("SHIRT-M", 1, reasonCode="DEFECTIVE")], dropoff=None)
    assert (nowhere["status"], nowhere["dropoff"]) == ("PENDING", None)
    for request in (mixed, nowhere):
        assert [e[0] for e in await events(db, request["returnRequestId"])] == ["ReturnRequested"]


# ----------------------------------------------------------------------------- reverse shipment


async def test_approval_opens_a_reverse_shipment_only_when_a_reason_asks_for_one(
    api, merchant, db
) -> None:
    await merchant.reason("KEEP_IT", reverseShipmentCreateEnabled=False)
    await merchant.reason("DAMAGED")
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 5, "unitPrice": "49.90"},
                                  {"sku": "CAP", "quantity": 5, "unitPrice": "20.00"}])  # fmt: skip

    kept = await api.create_return([item("SHIRT-M", 1, reasonCode="KEEP_IT")])
    approved = await api.change("approveReturn", {"returnRequestId": kept["returnRequestId"]})
    assert (approved["status"], approved["reverseShipments"]) == ("APPROVED", [])
    assert "UPDATE_SHIPMENT" not in approved["allowedActions"]
    assert "ReverseShipmentCreated" not in [e[0] for e in await events(db, kept["returnRequestId"])]

    mixed = await api.create_return(
        [item("SHIRT-M", 1, reasonCode="KEEP_IT"), item("CAP", 1, reasonCode="DAMAGED")]
    )
    approved = await api.change("approveReturn", {"returnRequestId": mixed["returnRequestId"]})
    (shipment,) = approved["reverseShipments"]
    assert shipment["status"] == "CREATED"

    # The only unit whose reason asks for a shipment is rejected: nothing travels back.
    partial = await api.create_return(
        [item("SHIRT-M", 1, reasonCode="KEEP_IT"), item("CAP", 1, reasonCode="DAMAGED")]
    )
    approve = {
        "returnRequestId": partial["returnRequestId"],
        "items": [{"sku": "SHIRT-M", "quantity": 1}, {"sku": "CAP", "quantity": 0}],
        "rejectionReason": "Worn",
    }
    approved = await api.change("approveReturn", approve)
    assert [(i["sku"], i["approvedQuantity"]) for i in approved["items"]] == [
        ("SHIRT-M", 1),
        ("CAP", 0),
    ]
    assert approved["reverseShipments"] == []


# ----------------------------------------------------------------------------- default dropoff


async def test_the_default_dropoff_follows_the_pickup_country(api, merchant) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 10, "unitPrice": "49.90"}])
    riyadh_pickup = {**PICKUP, "city": "Riyadh", "country": "SA"}
    early = await api.create_return([item("SHIRT-M")], dropoff=None)
    assert early["dropoff"] is None

    await merchant.location("WH-DXB", "AE")
    await merchant.location("WH-RUH", "SA")
    await merchant.location("BR-JED", "SA")
    await merchant.settings(
        defaultDropoffLocations=[
            {"country": "AE", "locationCode": "WH-DXB"},
            {"country": "SA", "locationCode": "WH-RUH"},
        ],
        allowPickupLocationSelection=True,
    )

    def location(request: dict[str, Any]) -> str | None:
        return request["dropoff"] and request["dropoff"]["partnerLocationId"]

    dubai = await api.create_return([item("SHIRT-M")], pickup=PICKUP, dropoff=None)
    riyadh = await api.create_return([item("SHIRT-M")], pickup=riyadh_pickup, dropoff=None)
    chosen = await api.create_return(
        [item("SHIRT-M")], pickup=PICKUP, dropoff={"partnerLocationId": "WH-RUH"}
    )
    # A pickup at one of the merchant's locations is in that location's country.
    branch = await api.create_return(
        [item("SHIRT-M")], pickup={"partnerLocationId": "BR-JED"}, dropoff=None
    )
    assert [location(r) for r in (dubai, riyadh, chosen, branch)] == [
        "WH-DXB",
        "WH-RUH",
        "WH-RUH",
        "WH-RUH",
    ]
    assert dubai["dropoff"]["address1"] is None

    kuwait = await api.create_return(
        [item("SHIRT-M")], pickup={**PICKUP, "country": "KW"}, dropoff=None
    )
    assert kuwait["dropoff"] is None
    error = only_error(
        await api.run("approveReturn", {"returnRequestId": kuwait["returnRequestId"]})
    )
    assert (error["code"], error["field"]) == ("MISSING_DROPOFF", "dropoff")

    # Approval fills in the default for the pickup the request has by then, and only when
    # it goes through.
    no_units = {"items": [item("SHIRT-M", 0)], "rejectionReason": "Worn"}
    (error,) = await refused_unchanged(
        api, "approveReturn", {"returnRequestId": early["returnRequestId"], **no_units}
    )
    assert error["code"] == "INVALID_QUANTITY"
    await api.change(
        "updateReturn", {"returnRequestId": kuwait["returnRequestId"], "pickup": riyadh_pickup}
    )
    for request, expected in ((kuwait, "WH-RUH"), (early, "WH-DXB")):
        approved = await api.change(
            "approveReturn", {"returnRequestId": request["returnRequestId"]}
        )
        assert location(approved) == expected
        assert approved["reverseShipments"][0]["status"] == "CREATED"


# ----------------------------------------------------------------------------- pickup locations


async def test_pickup_location_codes_are_checked_once_the_merchant_has_locations(
    api, merchant
) -> None:
    await api.upsert_order(lines=[{"sku": "SHIRT-M", "quantity": 10, "unitPrice": "49.90"}])
    at_branch = {"partnerLocationId": "BR-MARINA"}
    # No locations and no settings: any code, for the pickup and the dropoff.
    await api.create_return([item("SHIRT-M")], pickup=at_branch, dropoff={"partnerLocationId": "X"})

    await merchant.location("WH-DXB")
    await merchant.location("BR-MARINA")
    payload = await api.create_return_payload(
        [item("SHIRT-M")],
        pickup={"partnerLocationId": "BR-GHOST"},
        dropoff={"partnerLocationId": "WH-GHOST"},
    )
    assert errors_of(payload) == [
        ("UNKNOWN_CODE", "pickup.partnerLocationId"),
        ("UNKNOWN_CODE", "dropoff.partnerLocationId"),
    ]
    assert [
        "BR-GHOST" in e["message"] or "WH-GHOST" in e["message"] for e in payload["userErrors"]
    ] == [True, True]

    # Settings that do not allow choosing a pickup location refuse one, even a known one.
    await merchant.settings(allowPickupLocationSelection=False)
    payload = await api.create_return_payload([item("SHIRT-M")], pickup=at_branch)
    assert errors_of(payload) == [("INVALID_INPUT", "pickup.partnerLocationId")]
    assert await api.count() == 1

    await merchant.settings(allowPickupLocationSelection=True)
    request = await api.create_return([item("SHIRT-M", 2)], pickup=at_branch)
    assert request["pickup"]["partnerLocationId"] == "BR-MARINA"

    split = {"returnRequestId": request["returnRequestId"], "items": [item("SHIRT-M")]}
    (error,) = await refused_unchanged(
        api, "splitReturn", split | {"partnerLocationId": "BR-GHOST"}
    )
    assert (error["code"], error["field"]) == ("UNKNOWN_CODE", "partnerLocationId")
    assert "BR-GHOST" in error["message"]
    payload = await api.run("splitReturn", split | {"partnerLocationId": "WH-DXB"})
    assert payload["newReturnRequest"]["pickup"]["partnerLocationId"] == "WH-DXB"


# ----------------------------------------------------------------------------- returnable items


async def test_returnable_items_name_the_rule_that_blocks_each_line(api, merchant) -> None:
    await merchant.settings(allowedDaysForReturn=10)
    lines = [
        {"sku": "OLD", "quantity": 2, "unitPrice": "10.00", "deliveredAt": "2026-11-01T09:00:00Z"},
        {"sku": "NEW", "quantity": 2, "unitPrice": "10.00"},
        {"sku": "ON_THE_WAY", "quantity": 2, "unitPrice": "10.00", "deliveredAt": None},
        {"sku": "TAKEN", "quantity": 1, "unitPrice": "10.00"},
    ]
    await api.upsert_order(lines=lines)
    await api.create_return([item("TAKEN")])

    explained = {line["sku"]: line for line in await api.returnable()}
    assert list(explained) == ["OLD", "NEW", "ON_THE_WAY", "TAKEN"]
    blockers = {sku: [b["code"] for b in line["blockers"]] for sku, line in explained.items()}
    assert blockers == {
        "OLD": ["RETURN_WINDOW_EXPIRED"],
        "NEW": [],
        "ON_THE_WAY": ["NOT_RETURNABLE"],
        "TAKEN": ["QUANTITY_EXCEEDED"],
    }
    for sku, line in explained.items():
        assert all(sku in blocker["message"] for blocker in line["blockers"])
        assert line["returnable"] is (sku == "NEW")
    assert "10-day" in explained["OLD"]["blockers"][0]["message"]
    assert [line["returnableQuantity"] for line in explained.values()] == [0, 2, 0, 0]
    assert explained["TAKEN"]["alreadyRequested"] == 1

    # A command is refused with the very codes the explanation gives.
    payload = await api.create_return_payload(
        [item("OLD"), item("NEW"), item("ON_THE_WAY"), item("TAKEN")]
    )
    assert errors_of(payload) == [
        ("RETURN_WINDOW_EXPIRED", "items[0].sku"),
        ("NOT_RETURNABLE", "items[2].sku"),
        ("QUANTITY_EXCEEDED", "items[3].quantity"),
    ]
    assert await api.count() == 1


# ----------------------------------------------------------------------------- codes in use


IN_USE_CASES = {
    "return-reason": ("ReturnReason", "DAMAGED",
                      {"items": [item("SHIRT-M", reasonCode="DAMAGED")]}),
    "item-condition": ("ItemCondition", "OPENED",
                       {"items": [item("SHIRT-M", itemCondition="OPENED")]}),
    "item-resolution": ("Resolution", "EXCHANGE",
                        {"items": [item("SHIRT-M", resolution="EXCHANGE")]}),
    "request-resolution": ("Resolution", "EXCHANGE", {"resolution": "EXCHANGE"}),
    "refund-type": ("RefundType", "CASH", {"items": [item("SHIRT-M", refundType="CASH")]}),
    "return-comment": ("ReturnComment", "TORN",
                       {"items": [item("SHIRT-M", commentCodes=["TORN"])]}),
    "rejection-reason": ("RejectionReason", "WORN", {"rejectionReason": "WORN"}),
    "dropoff-location": ("PickupLocation", "WH-DXB",
                         {"dropoff": {"partnerLocationId": "WH-DXB"}}),
    "pickup-location": ("PickupLocation", "WH-DXB",
                        {"pickup": {"partnerLocationId": "WH-DXB"}, "dropoff": None}),
}  # fmt: skip


@pytest.mark.parametrize(("kind", "code", "use"), IN_USE_CASES.values(), ids=IN_USE_CASES)
async def test_a_code_a_live_request_uses_is_deletable_only_once_it_is_cancelled(
    api, merchant, kind, code, use
) -> None:
    if kind == "PickupLocation":
        await merchant.location(code)
    else:
        await merchant.code(kind, code)
    await api.upsert_order()
    if kind == "RejectionReason":  # used by approving fewer units than requested
        request = await api.create_return([item("SHIRT-M", 2)])
        approve = {"items": [{"sku": "SHIRT-M", "quantity": 1}], **use}
        request = await api.change(
            "approveReturn", {"returnRequestId": request["returnRequestId"], **approve}
        )
        assert request["items"][0]["rejectionReason"] == code
    else:
        request = await api.create_return(
            use.get("items", [item("SHIRT-M")]), **{k: v for k, v in use.items() if k != "items"}
        )
    configured = await merchant.configuration()

    payload = await merchant.delete(kind, code)
    (error,) = payload["userErrors"]
    assert (payload["deleted"], error["code"]) == (False, "IN_USE")
    assert code in error["message"] and "1 live return request" in error["message"]
    assert await merchant.configuration() == configured

    await api.change("cancelReturn", {"returnRequestId": request["returnRequestId"]})
    assert await merchant.delete(kind, code) == {"deleted": True, "userErrors": []}
    assert await merchant.configuration() != configured


async def test_codes_kept_only_by_released_requests_or_removed_refunds_can_be_deleted(
    api, merchant
) -> None:
    await merchant.code("RejectionReason", "FRAUD")
    await merchant.code("ItemCondition", "SCUFFED")
    await merchant.code("RefundType", "CASH")
    await api.upsert_order()

    # A rejected request is not live: the codes it names may go.
    rejected = await api.create_return([item("CAP")])
    await api.change(
        "rejectReturn", {"returnRequestId": rejected["returnRequestId"], "reason": "FRAUD"}
    )
    assert (await merchant.delete("RejectionReason", "FRAUD"))["deleted"] is True

    request = await api.create_return([item("SHIRT-M", 2)])
    rid = request["returnRequestId"]
    await api.change("approveReturn", {"returnRequestId": rid})
    # The condition the warehouse recorded on arrival counts as a use.
    received = await api.change(
        "receiveReturn",
        {
            "returnRequestId": rid,
            "items": [{"sku": "SHIRT-M", "quantity": 1, "itemCondition": "SCUFFED"}],
        },
    )
    assert received["items"][0]["itemConditionCode"] == "SCUFFED"
    assert (await merchant.delete("ItemCondition", "SCUFFED"))["userErrors"][0]["code"] == "IN_USE"

    # So does a refund recorded with a type, until the refund is deleted.
    refunded = await api.change(
        "addRefund",
        {"returnRequestId": rid, "amount": "20.00", "currency": "AED", "refundType": "CASH"},
    )
    assert (await merchant.delete("RefundType", "CASH"))["userErrors"][0]["code"] == "IN_USE"
    refund_id = refunded["refunds"][0]["id"]
    await api.change("deleteRefund", {"returnRequestId": rid, "refundId": refund_id})
    assert (await merchant.delete("RefundType", "CASH"))["deleted"] is True
    assert [c["code"] for c in (await merchant.configuration())["refundTypes"]] == []


# ----------------------------------------------------------------------------- nested codes


TRANSLATED = [
    {"language": "ar", "text": "تالف"},
    {"language": "pt", "text": "Danificado"},
    {"language": "pt-BR", "text": "Danificado (BR)"},
]


async def configure_translated(merchant: Merchant, cash_for: list[str]) -> None:
    await merchant.reason("DAMAGED", name="Damaged", translations=TRANSLATED, requireImages=True)
    await merchant.code("ItemCondition", "OPENED", name="Opened",
                        translations=[{"language": "ar", "text": "مفتوح"}])  # fmt: skip
    await merchant.code("Resolution", "EXCHANGE", name="Exchange",
                        translations=[{"language": "pt", "text": "Troca"}])  # fmt: skip
    await merchant.code("RefundType", "CASH", name="Cash", allowedReturnReasons=cash_for)
    await merchant.code("ReturnComment", "TORN", name="Torn",
                        translations=[{"language": "pt-BR", "text": "Rasgado"}])  # fmt: skip
    await merchant.code("ReturnComment", "SMELLS", name="Smells")


DAMAGED_SHIRT = item(
    "SHIRT-M",
    2,
    reasonCode="DAMAGED",
    imageUrls=["https://img.acme.test/1.jpg"],
    itemCondition="OPENED",
    resolution="EXCHANGE",
    refundType="CASH",
    commentCodes=["TORN", "SMELLS"],
)


async def test_return_items_show_their_codes_in_the_asked_language(api, merchant, graphql) -> None:
    await configure_translated(merchant, cash_for=["DAMAGED"])
    await api.upsert_order()
    request = await api.create_return([DAMAGED_SHIRT, item("CAP", reasonCode="DAMAGED",
                                       imageUrls=["https://img.acme.test/2.jpg"])],
                                      resolution="EXCHANGE")  # fmt: skip
    rid = request["returnRequestId"]

    async def codes(language: str | None) -> dict[str, Any]:
        variables = {"id": rid, "language": language}
        return (await graphql.data(REQUEST_CODES, variables))["returnRequest"]

    plain = await codes(None)
    shirt, cap = plain["items"]
    assert shirt["reason"] == {
        "__typename": "ReturnReason",
        "code": "DAMAGED",
        "name": "Damaged",
        "defaultName": "Damaged",
        "translations": TRANSLATED,
        "requireComments": False,
        "requireImages": True,
        "requireItemCondition": False,
        "reverseShipmentCreateEnabled": True,
        "autoApprove": False,
    }
    assert shirt["itemCondition"]["__typename"] == "ItemCondition"
    assert shirt["refundType"]["allowedReturnReasons"] == ["DAMAGED"]
    assert [c["code"] for c in shirt["comments"]] == ["TORN", "SMELLS"]
    assert (cap["itemCondition"], cap["resolution"], cap["refundType"], cap["comments"]) == (
        None,
        None,
        None,
        [],
    )

    expected = {  # language: reason, condition, resolution, comments
        None: ("Damaged", "Opened", "Exchange", ["Torn", "Smells"]),
        "pt-BR": ("Danificado (BR)", "Opened", "Troca", ["Rasgado", "Smells"]),
        "pt-PT": ("Danificado", "Opened", "Troca", ["Torn", "Smells"]),
        "pt": ("Danificado", "Opened", "Troca", ["Torn", "Smells"]),
        "ar": ("تالف", "مفتوح", "Exchange", ["Torn", "Smells"]),
        "de": ("Damaged", "Opened", "Exchange", ["Torn", "Smells"]),
    }
    for language, (reason, condition, resolution, comments) in expected.items():
        found = await codes(language)
        shirt = found["items"][0]
        assert (
            shirt["reason"]["name"],
            shirt["itemCondition"]["name"],
            shirt["resolution"]["name"],
            [c["name"] for c in shirt["comments"]],
            found["resolution"]["name"],
        ) == (reason, condition, resolution, comments, resolution), language
        assert shirt["reason"]["defaultName"] == "Damaged"
        assert shirt["reason"]["translations"] == TRANSLATED
        assert found["items"][1]["reason"]["name"] == reason

    # The mutation payloads resolve them too, split requests included.
    payload = await graphql.data(
        SPLIT_RETURN_NAMED, {"input": {"returnRequestId": rid, "items": [item("SHIRT-M")]}}
    )
    split = payload["splitReturn"]
    assert split["userErrors"] == []
    assert split["newReturnRequest"]["items"] == [
        {"sku": "SHIRT-M", "quantity": 1, "reason": {"name": "Danificado (BR)"}}
    ]
    assert [i["reason"]["name"] for i in split["returnRequest"]["items"]] == ["Danificado (BR)"] * 2


async def test_codes_that_are_free_text_or_deleted_resolve_to_null(api, merchant, graphql) -> None:
    await api.upsert_order(merchant=OTHER_MERCHANT)
    free = await api.create_return(
        [item("SHIRT-M", reasonCode="TOO_SMALL", itemCondition="NEW", commentCodes=["LOOSE"])],
        merchant=OTHER_MERCHANT,
        resolution="EXCHANGE",
    )
    found = (await graphql.data(REQUEST_CODES, {"id": free["returnRequestId"]}))["returnRequest"]
    shirt = found["items"][0]
    assert (shirt["reasonCode"], shirt["reason"], shirt["itemCondition"]) == (
        "TOO_SMALL",
        None,
        None,
    )
    assert (shirt["commentCodes"], shirt["comments"]) == (["LOOSE"], [])
    assert (found["resolutionCode"], found["resolution"]) == ("EXCHANGE", None)

    # acme's codes with the same names are acme's alone.
    await merchant.reason("TOO_SMALL")
    found = (await graphql.data(REQUEST_CODES, {"id": free["returnRequestId"]}))["returnRequest"]
    assert found["items"][0]["reason"] is None

    await api.upsert_order()
    payload = await graphql.data(
        CREATE_RETURN_NAMED,
        {"input": {"merchant": MERCHANT, "orderReference": "SO-1001",
                   "items": [item("SHIRT-M", reasonCode="TOO_SMALL")], "pickup": PICKUP}},
    )  # fmt: skip
    created = payload["createReturn"]
    assert created["returnRequest"]["items"] == [
        {"sku": "SHIRT-M", "reason": {"name": "Too_Small"}, "itemCondition": None}
    ]
    rid = created["returnRequest"]["returnRequestId"]
    await api.change("cancelReturn", {"returnRequestId": rid})
    assert (await merchant.delete("ReturnReason", "TOO_SMALL"))["deleted"] is True
    found = (await graphql.data(REQUEST_CODES, {"id": rid}))["returnRequest"]
    assert (found["items"][0]["reasonCode"], found["items"][0]["reason"]) == ("TOO_SMALL", None)


async def test_a_code_changed_earlier_in_an_operation_shows_its_new_name(
    api, merchant, graphql
) -> None:
    await merchant.reason("DAMAGED", name="Damaged")
    request = await api.pending_return(items=[item("SHIRT-M", reasonCode="DAMAGED")])
    data = await graphql.data(RENAME_BETWEEN_READS, {"id": request["returnRequestId"]})
    assert data["rename"]["userErrors"] == []
    assert data["before"]["returnRequest"]["items"][0]["reason"] == {"name": "Damaged"}
    assert data["after"]["returnRequest"]["items"][0]["reason"] == {"name": "Broken"}


# ----------------------------------------------------------------------------- statement count


def batch_document(field: str, input_type: str, count: int, selection: str) -> str:
    """`mutation ($i0: T!, …) { m0: field(input: $i0) { … } … }`: one round trip per batch."""
    variables = ", ".join(f"$i{n}: {input_type}!" for n in range(count))
    fields = "\n".join(
        f"  m{n}: {field}(input: $i{n}) {{ {selection} {USER_ERRORS} }}" for n in range(count)
    )
    return f"mutation Batch({variables}) {{\n{fields}\n}}"


async def run_batch(
    graphql: Any, field: str, input_type: str, inputs: list[dict[str, Any]]
) -> None:
    document = batch_document(field, input_type, len(inputs), "__typename")
    data = await graphql.data(document, {f"i{n}": value for n, value in enumerate(inputs)})
    assert all(data[f"m{n}"]["userErrors"] == [] for n in range(len(inputs))), data


REASONS = [f"R{n}" for n in range(5)]
CONDITIONS = [f"C{n}" for n in range(3)]


async def seed_requests(graphql: Any, numbers: range) -> None:
    """One order and one request per number, with codes that vary from request to request."""
    lines = [
        {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90", "deliveredAt": DELIVERED_AT},
        {"sku": "CAP", "quantity": 1, "unitPrice": "20.00", "deliveredAt": DELIVERED_AT},
    ]
    await run_batch(
        graphql,
        "upsertOrder",
        "UpsertOrderInput",
        [
            {"merchant": MERCHANT, "reference": f"SO-{n}", "currency": "AED", "lines": lines}
            for n in numbers
        ],
    )
    await run_batch(graphql, "createReturn", "CreateReturnInput", [
        {"merchant": MERCHANT, "orderReference": f"SO-{n}", "pickup": PICKUP,
         "dropoff": {"partnerLocationId": "WH-DXB"}, "resolution": "EXCHANGE",
         "items": [
             item("SHIRT-M", 2, reasonCode=REASONS[n % 5], itemCondition=CONDITIONS[n % 3],
                  refundType="CASH", commentCodes=["TORN", "SMELLS"][: 1 + n % 2]),
             item("CAP", 1, reasonCode=REASONS[(n + 1) % 5], itemCondition=CONDITIONS[(n + 1) % 3],
                  resolution="EXCHANGE"),
         ]}
        for n in numbers
    ])  # fmt: skip


async def read_page(graphql: Any, statements: Any) -> tuple[int, list[dict[str, Any]]]:
    statements.reset()
    page = (await graphql.data(PAGE, {"language": "pt"}))["returnRequests"]
    assert page["totalCount"] == len(page["edges"])
    return statements.count, [edge["node"] for edge in page["edges"]]


def assert_codes_resolved(nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        assert node["resolution"] == {"name": "Troca"}
        shirt, cap = node["items"]
        for line in (shirt, cap):
            assert line["reason"]["name"].startswith("Reason ")
            assert line["itemCondition"]["name"].startswith("Condition ")
            assert line["arabic"]["name"] == "ar " + line["reason"]["name"]
        assert shirt["refundType"] == {"name": "Cash"}
        assert [c["name"] for c in shirt["comments"]] in (["Torn"], ["Torn", "Smells"])
        assert (cap["resolution"], cap["refundType"], cap["comments"]) == (
            {"name": "Troca"},
            None,
            [],
        )


async def test_a_page_of_50_requests_with_their_codes_costs_the_statements_of_a_page_of_1(
    graphql, merchant, statements
) -> None:
    for code in REASONS:
        arabic = [{"language": "ar", "text": f"ar Reason {code}"}]
        await merchant.reason(code, name=f"Reason {code}", translations=arabic)
    for code in CONDITIONS:
        await merchant.code("ItemCondition", code, name=f"Condition {code}")
    await configure_translated(merchant, cash_for=[])  # resolution, refund type, comments

    await seed_requests(graphql, range(1))
    for_one, nodes = await read_page(graphql, statements)
    assert len(nodes) == 1
    assert_codes_resolved(nodes)

    await seed_requests(graphql, range(1, 50))
    for_fifty, nodes = await read_page(graphql, statements)
    assert len(nodes) == 50
    assert_codes_resolved(nodes)
    reasons = {line["reason"]["name"] for node in nodes for line in node["items"]}
    assert reasons == {f"Reason {code}" for code in REASONS}

    print(f"\nreturnRequests(first: 50) with item codes: {for_one} SQL statements for 1 "
          f"request, {for_fifty} for 50")  # fmt: skip
    statements_read = "\n".join(" ".join(s.split())[:90] for s in statements.statements)
    assert for_fifty == for_one, statements_read

"""Tenant isolation end to end: two tenants, A and B, each with its own full-access key, over
the same server and database, using the same merchant name.

Tenant A sets up an order, its merchant configuration and an approved return request with a
note and a refund. Then, as tenant B, every query and every mutation that names A's data must
behave exactly as for an id or code that does not exist anywhere: nulls and empty lists, and
NOT_FOUND userErrors with the very same message; A's data reads back unchanged afterwards.
B may create the same order reference and the same codes without touching A's, and A's rules
and live units never bind B. An Idempotency-Key is a tenant's own."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.conftest import credentials

TENANT_A = "tenant-a"
TENANT_B = "tenant-b"
MERCHANT = "acme"  # both tenants use it
ORDER_REFERENCE = "SO-1001"
DELIVERED_AT = "2026-11-20T10:00:00+00:00"
MISSING_ID = "RR-ZZZZZZZZ"
MISSING_CODE = "NO-SUCH-CODE"
MISSING_REFERENCE = "SO-NO-SUCH"
AGENT = "agent@acme.test"
PICKUP = {"contactName": "Ann Lee", "address1": "1 Palm St", "city": "Dubai", "country": "AE"}
USER_ERRORS = "userErrors { code field message }"

# Operations B tries on A's data, across all tests of this module (printed as they go).
TRIED = {"total": 0}

# --------------------------------------------------------------------------- operations

REQUEST_FIELDS = """
fragment Request on ReturnRequest {
  id returnRequestId merchant orderReference status version allowedActions assignedToUser
  customerComment rejectionReason splitFrom updatedAt approvedAt cancelledAt completedAt
  pickup { contactName address1 country partnerLocationId }
  dropoff { partnerLocationId }
  items {
    sku quantity approvedQuantity rejectedQuantity receivedQuantity reasonCode commentCodes
    resolutionCode refundTypeCode itemConditionCode
    reason { code name } resolution { code name } refundType { code name }
    comments { code name }
  }
  notes { id text user }
  refunds { id amount currency refundType }
  refundTotals { currency approvedValue refunded remaining }
  reverseShipments { id status trackingNumber carrier }
  itemsUpdates { updatedAt }
  order { id reference lines { sku quantity } }
}
"""
RETURN_REQUEST = "query Get($id: ID!) { returnRequest(id: $id) { ...Request } }\n" + REQUEST_FIELDS
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on ReturnRequest { returnRequestId version }
    ... on Order { reference }
  }
}
"""
PAGE = """
query Page($filter: ReturnRequestFilter, $after: String) {
  returnRequests(first: 100, filter: $filter, after: $after) {
    totalCount
    edges { cursor node { returnRequestId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ORDER = """
query Order($reference: String!, $merchant: String!) {
  order(reference: $reference, merchant: $merchant) {
    id merchant reference currency customer { name } lines { sku quantity deliveredQuantity }
  }
}
"""
RETURNABLE = """
query Returnable($reference: String!, $merchant: String!) {
  returnableItems(orderReference: $reference, merchant: $merchant) {
    sku alreadyRequested returnableQuantity returnable
  }
}
"""
CONFIGURATION = """
query Configuration($merchant: String!, $language: String) {
  returnReasons(merchant: $merchant, language: $language) { code name requireComments }
  rejectionReasons(merchant: $merchant, language: $language) { code name }
  resolutions(merchant: $merchant, language: $language) { code name }
  refundTypes(merchant: $merchant, language: $language) { code name allowedReturnReasons }
  itemConditions(merchant: $merchant, language: $language) { code name }
  returnComments(merchant: $merchant, language: $language) { code name allowedReturnReasons }
  returnSettings(merchant: $merchant) {
    merchant allowedDaysForReturn autoCloseDays defaultDropoffLocations { country locationCode }
    notificationUsers { email }
  }
  pickupLocations(merchant: $merchant) { code name address { address1 } }
  deliveryOptions(merchant: $merchant) { id name carrier }
}
"""
CONFIGURATION_LISTS = [
    "returnReasons",
    "rejectionReasons",
    "resolutions",
    "refundTypes",
    "itemConditions",
    "returnComments",
    "pickupLocations",
    "deliveryOptions",
]
UPSERT_ORDER = """
mutation UpsertOrder($input: UpsertOrderInput!) {
  upsertOrder(input: $input) {
    order { id reference lines { sku quantity } } userErrors { code field message }
  }
}
"""
CREATE_RETURN = (
    """
mutation CreateReturn($input: CreateReturnInput!) {
  createReturn(input: $input) { returnRequest { ...Request } userErrors { code field message } }
}
"""
    + REQUEST_FIELDS
)

# Mutations on an existing request, and what their payload has beside the request.
PAYLOAD_EXTRAS = {
    "splitReturn": "newReturnRequest { returnRequestId version }",
    "addReturnNote": "note { id text }",
    "addRefund": "refund { id amount }",
}
REQUEST_MUTATION_NAMES = [
    "updateReturn",
    "approveReturn",
    "rejectReturn",
    "holdReturn",
    "resumeReturn",
    "cancelReturn",
    "receiveReturn",
    "completeReturn",
    "splitReturn",
    "setReturnStatus",
    "assignReturn",
    "addReturnNote",
    "deleteReturnNote",
    "addRefund",
    "deleteRefund",
    "updateReverseShipment",
]
REQUEST_MUTATIONS = {
    name: (
        f"mutation Run($input: {name[0].upper()}{name[1:]}Input!) {{\n"
        f"  {name}(input: $input) {{\n"
        f"    returnRequest {{ returnRequestId version status notes {{ id }} }}\n"
        f"    {PAYLOAD_EXTRAS.get(name, '')}\n"
        f"    {USER_ERRORS}\n"
        f"  }}\n"
        f"}}\n"
    )
    for name in REQUEST_MUTATION_NAMES
}

# Configuration kinds: (type name, input type, what a create/update gives besides the key).
CODE_KINDS = {
    "ReturnReason": ("ReturnReasonInput", {"requireComments": True}),
    "RejectionReason": ("ReferenceCodeInput", {}),
    "Resolution": ("ReferenceCodeInput", {}),
    "ItemCondition": ("ReferenceCodeInput", {}),
    "RefundType": ("ScopedReferenceCodeInput", {"allowedReturnReasons": ["DAMAGED"]}),
    "ReturnComment": ("ScopedReferenceCodeInput", {"allowedReturnReasons": ["DAMAGED"]}),
}
CODES = {
    "ReturnReason": "DAMAGED",
    "RejectionReason": "POLICY",
    "Resolution": "REFUND",
    "ItemCondition": "AS-NEW",
    "RefundType": "STORE-CREDIT",
    "ReturnComment": "TOO-SMALL",
}
SAVE_CODE = {
    (verb, kind): (
        f"mutation Save($input: {input_type}!) {{\n"
        f"  {verb}{kind}(input: $input) {{ referenceCode {{ code name }} {USER_ERRORS} }}\n"
        f"}}\n"
    )
    for kind, (input_type, _) in CODE_KINDS.items()
    for verb in ("create", "update")
}
DELETE = {
    name: (
        f"mutation Delete($input: {input_type}!) {{\n"
        f"  delete{name}(input: $input) {{ deleted {USER_ERRORS} }}\n"
        f"}}\n"
    )
    for name, input_type in [
        *((kind, "DeleteReferenceCodeInput") for kind in CODE_KINDS),
        ("PickupLocation", "DeleteReferenceCodeInput"),
        ("DeliveryOption", "DeleteReferenceCodeInput"),
        ("ReturnSettings", "DeleteByMerchantInput"),
    ]
}
SAVE_LOCATION = {
    verb: (
        f"mutation Location($input: PickupLocationInput!) {{\n"
        f"  {verb}PickupLocation(input: $input) {{\n"
        f"    pickupLocation {{ code name }} {USER_ERRORS}\n"
        f"  }}\n"
        f"}}\n"
    )
    for verb in ("create", "update")
}
SAVE_OPTION = {
    verb: (
        f"mutation Option($input: DeliveryOptionInput!) {{\n"
        f"  {verb}DeliveryOption(input: $input) {{ deliveryOption {{ id name }} {USER_ERRORS} }}\n"
        f"}}\n"
    )
    for verb in ("create", "update")
}
UPSERT_SETTINGS = f"""
mutation Settings($input: ReturnSettingsInput!) {{
  upsertReturnSettings(input: $input) {{ returnSettings {{ merchant }} {USER_ERRORS} }}
}}
"""

# --------------------------------------------------------------------------- helpers


def encoded(raw: str) -> str:
    """Base64url without padding, the way the API spells global ids."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


MISSING_GLOBAL_ID = encoded(f"ReturnRequest:{MISSING_ID}")


def masked(value: Any, *secrets: str) -> str:
    """`value` as JSON with each of `secrets` replaced, to compare answers about two ids."""
    text = json.dumps(value, sort_keys=True)
    for secret in secrets:
        text = text.replace(secret, "<id>")
    return text


@dataclass
class Tenant:
    """One tenant's full-access client, over the shared test server."""

    name: str
    http: TestClient
    headers: dict[str, str]
    counts: bool = False  # count what it sends (tenant B, trying A's data)
    sent: int = 0

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        if self.counts:
            self.sent += 1
            TRIED["total"] += 1
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers | headers,
        )
        assert response.status == 200, await response.text()
        return await response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.execute(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def ok(self, query: str, field: str, input: dict[str, Any]) -> dict[str, Any]:
        """Run a mutation that must succeed; its payload."""
        payload = (await self.data(query, {"input": input}))[field]
        assert payload["userErrors"] == [], (field, payload["userErrors"])
        return payload

    async def request(self, id: str) -> dict[str, Any] | None:
        return (await self.data(RETURN_REQUEST, {"id": id}))["returnRequest"]

    async def configuration(self, language: str | None = None) -> dict[str, Any]:
        return await self.data(CONFIGURATION, {"merchant": MERCHANT, "language": language})

    async def everything(self, request_id: str) -> dict[str, Any]:
        """All of this tenant's data the tests touch, to compare before and after."""
        return {
            "request": await self.request(request_id),
            "page": await self.data(PAGE),
            "order": await self.data(ORDER, {"reference": ORDER_REFERENCE, "merchant": MERCHANT}),
            "returnable": await self.data(
                RETURNABLE, {"reference": ORDER_REFERENCE, "merchant": MERCHANT}
            ),
            "configuration": await self.configuration(),
        }

    def report(self, what: str) -> None:
        print(
            f"{what}: {self.sent} operations tried as {self.name} on {TENANT_A}'s data "
            f"({TRIED['total']} so far in this module)"
        )


@dataclass(frozen=True)
class Scene:
    """What tenant A set up."""

    request_id: str  # readable, RR-…
    global_id: str
    version: int
    note_id: str
    refund_id: str
    order_global_id: str


def code_input(kind: str, code: str, name: str) -> dict[str, Any]:
    return {"merchant": MERCHANT, "code": code, "name": name, **CODE_KINDS[kind][1]}


def order_input(reference: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "merchant": MERCHANT,
        "reference": reference,
        "currency": "AED",
        "customer": {"name": "Customer"},
        "lines": [{"deliveredAt": DELIVERED_AT, **line} for line in lines],
    }


async def configure(tenant: Tenant, label: str) -> None:
    """Every kind of configuration for MERCHANT, with `label` in the names."""
    for kind, code in CODES.items():  # the return reason first: the others refer to it
        await tenant.ok(
            SAVE_CODE["create", kind], f"create{kind}", code_input(kind, code, f"{label} {kind}")
        )
    location = {
        "merchant": MERCHANT,
        "code": "WH-DXB",
        "name": f"{label} warehouse",
        "address": {"address1": "1 Dock Rd", "country": "AE"},
    }
    await tenant.ok(SAVE_LOCATION["create"], "createPickupLocation", location)
    option = {"merchant": MERCHANT, "id": "EXPRESS", "name": f"{label} express", "carrier": "X"}
    await tenant.ok(SAVE_OPTION["create"], "createDeliveryOption", option)
    settings = {
        "merchant": MERCHANT,
        "allowedDaysForReturn": 30,
        "autoCloseDays": 60,
        "defaultDropoffLocations": [{"country": "AE", "locationCode": "WH-DXB"}],
        "notificationUsers": [{"email": f"ops@{label.lower()}.test"}],
    }
    await tenant.ok(UPSERT_SETTINGS, "upsertReturnSettings", settings)


async def set_up_tenant_a(a: Tenant) -> Scene:
    """A's order, configuration and an approved request with a note and a refund."""
    await configure(a, "A")
    order = await a.ok(
        UPSERT_ORDER,
        "upsertOrder",
        order_input(
            ORDER_REFERENCE,
            [
                {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "49.90"},
                {"sku": "CAP", "quantity": 1, "unitPrice": "20.00"},
            ],
        ),
    )
    item = {
        "sku": "SHIRT-M",
        "quantity": 2,
        "reasonCode": "DAMAGED",
        "comment": "torn",
        "commentCodes": ["TOO-SMALL"],
        "resolution": "REFUND",
        "refundType": "STORE-CREDIT",
    }
    created = await a.ok(
        CREATE_RETURN,
        "createReturn",
        {
            "merchant": MERCHANT,
            "orderReference": ORDER_REFERENCE,
            "items": [item],
            "pickup": PICKUP,
            "dropoff": {"partnerLocationId": "WH-DXB"},
        },
    )
    rid = created["returnRequest"]["returnRequestId"]
    await a.ok(
        REQUEST_MUTATIONS["assignReturn"], "assignReturn", {"returnRequestId": rid, "user": AGENT}
    )
    await a.ok(REQUEST_MUTATIONS["approveReturn"], "approveReturn", {"returnRequestId": rid})
    note = await a.ok(
        REQUEST_MUTATIONS["addReturnNote"],
        "addReturnNote",
        {"returnRequestId": rid, "text": "A's private note"},
    )
    refund = await a.ok(
        REQUEST_MUTATIONS["addRefund"],
        "addRefund",
        {
            "returnRequestId": rid,
            "amount": "20.00",
            "currency": "AED",
            "refundType": "STORE-CREDIT",
        },
    )
    request = await a.request(rid)
    assert request is not None
    assert request["status"] == "APPROVED"
    assert request["reverseShipments"], "approval opens a reverse shipment"
    assert request["items"][0]["reason"]["name"] == "A ReturnReason"
    return Scene(
        request_id=rid,
        global_id=request["id"],
        version=request["version"],
        note_id=note["note"]["id"],
        refund_id=refund["refund"]["id"],
        order_global_id=order["order"]["id"],
    )


def request_mutation_inputs(scene: Scene) -> dict[str, dict[str, Any]]:
    """For each mutation on a request, an input that passes validation (so the request is
    looked up), naming A's notes, refunds and skus where it can."""
    return {
        "updateReturn": {"customerComment": "from B"},
        "approveReturn": {},
        "rejectReturn": {"reason": "POLICY"},
        "holdReturn": {"reason": "B holds it"},
        "resumeReturn": {},
        "cancelReturn": {"reason": "B cancels it"},
        "receiveReturn": {"items": [{"sku": "SHIRT-M", "quantity": 1}]},
        "completeReturn": {},
        "splitReturn": {"items": [{"sku": "SHIRT-M", "quantity": 1}]},
        "setReturnStatus": {"status": "CANCELLED", "reason": "B overrides"},
        "assignReturn": {"user": "mallory@b.test"},
        "addReturnNote": {"text": "B was here"},
        "deleteReturnNote": {"noteId": scene.note_id},
        "addRefund": {"amount": "1.00", "currency": "AED"},
        "deleteRefund": {"refundId": scene.refund_id},
        "updateReverseShipment": {"trackingNumber": "B-TRACK", "inTransit": True},
    }


def expect_not_found(payload: dict[str, Any], field: str) -> str:
    """A refused payload: nothing but one NOT_FOUND userError; its message."""
    nothing = {key: value for key, value in payload.items() if key != "userErrors"}
    assert all(value in (None, False) for value in nothing.values()), payload
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", field), error
    return error["message"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def tenants(
    http: TestClient, db: Database, clock: FixedClock
) -> AsyncIterator[tuple[Tenant, Tenant, Scene]]:
    a = Tenant(TENANT_A, http, await credentials(db, clock, TENANT_A))
    b = Tenant(TENANT_B, http, await credentials(db, clock, TENANT_B), counts=True)
    scene = await set_up_tenant_a(a)
    yield a, b, scene


# --------------------------------------------------------------------------- queries


async def test_b_cannot_read_a_request_by_any_id(tenants: tuple[Tenant, Tenant, Scene]) -> None:
    a, b, scene = tenants
    before = await a.everything(scene.request_id)

    for id in (scene.request_id, scene.global_id):
        assert await a.request(id) is not None
        assert (await b.data(RETURN_REQUEST, {"id": id})) == {"returnRequest": None}
    for id in (scene.global_id, scene.order_global_id):
        assert (await a.data(NODE, {"id": id}))["node"] is not None
        assert (await b.data(NODE, {"id": id})) == {"node": None}
    for id in (scene.request_id.lower(), f" {scene.request_id}", encoded(scene.request_id)):
        assert (await b.data(RETURN_REQUEST, {"id": id})) == {"returnRequest": None}

    assert await a.everything(scene.request_id) == before
    b.report("reading A's request")


async def test_b_lists_and_counts_nothing_of_a_with_any_filter(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    a, b, _scene = tenants
    every_status = [
        "PENDING", "ON_HOLD", "APPROVED", "PARTIALLY_RECEIVED", "RECEIVED", "COMPLETED",
        "REJECTED", "CANCELLED",
    ]  # fmt: skip
    filters: list[dict[str, Any] | None] = [
        None,
        {},
        {"merchant": MERCHANT},
        {"status": ["APPROVED"]},
        {"status": every_status},
        {"orderReference": ORDER_REFERENCE},
        {"createdAfter": "2000-01-01T00:00:00Z"},
        {"createdBefore": "2100-01-01T00:00:00Z"},
        {"assignedTo": AGENT},
        {
            "merchant": MERCHANT,
            "status": ["APPROVED"],
            "orderReference": ORDER_REFERENCE,
            "createdAfter": "2000-01-01T00:00:00Z",
            "createdBefore": "2100-01-01T00:00:00Z",
            "assignedTo": AGENT,
        },
    ]
    empty = {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    a_cursor = None
    for flt in filters:
        seen_by_a = (await a.data(PAGE, {"filter": flt}))["returnRequests"]
        assert seen_by_a["totalCount"] == len(seen_by_a["edges"]) == 1, flt  # the filter matches
        a_cursor = seen_by_a["pageInfo"]["startCursor"]
        assert (await b.data(PAGE, {"filter": flt}))["returnRequests"] == empty, flt

    # A's cursor gives B nothing either (only hasPreviousPage reflects that `after` was sent).
    after = (await b.data(PAGE, {"after": a_cursor}))["returnRequests"]
    assert (after["totalCount"], after["edges"], after["pageInfo"]["hasNextPage"]) == (0, [], False)
    b.report("listing and counting")


async def test_b_sees_no_order_and_no_configuration_of_a(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    a, b, _scene = tenants
    key = {"reference": ORDER_REFERENCE, "merchant": MERCHANT}
    assert (await a.data(ORDER, key))["order"] is not None
    assert (await a.data(RETURNABLE, key))["returnableItems"]
    assert await b.data(ORDER, key) == {"order": None}
    assert await b.data(RETURNABLE, key) == {"returnableItems": None}

    for language in (None, "ar", "en"):
        seen_by_a = await a.configuration(language)
        assert all(seen_by_a[name] for name in CONFIGURATION_LISTS)
        assert seen_by_a["returnSettings"] is not None
        seen_by_b = await b.configuration(language)
        assert seen_by_b == {name: [] for name in CONFIGURATION_LISTS} | {"returnSettings": None}
    b.report("reading orders and configuration")


# --------------------------------------------------------------------------- mutations


@pytest.mark.parametrize("mutation", REQUEST_MUTATION_NAMES)
async def test_every_request_mutation_by_b_is_not_found_like_a_missing_id(
    tenants: tuple[Tenant, Tenant, Scene], mutation: str
) -> None:
    a, b, scene = tenants
    before = await a.everything(scene.request_id)
    input = request_mutation_inputs(scene)[mutation]
    operation = REQUEST_MUTATIONS[mutation]
    # (A's id, the missing id it must look like, extra input)
    cases = [
        (scene.request_id, MISSING_ID, {}),
        (scene.global_id, MISSING_GLOBAL_ID, {}),
        (scene.request_id, MISSING_ID, {"expectedVersion": scene.version}),
        (scene.global_id, MISSING_GLOBAL_ID, {"expectedVersion": scene.version + 7}),
    ]
    for a_id, missing_id, extra in cases:
        on_a = (await b.data(operation, {"input": {**input, **extra, "returnRequestId": a_id}}))[
            mutation
        ]
        on_missing = (
            await b.data(operation, {"input": {**input, **extra, "returnRequestId": missing_id}})
        )[mutation]
        expect_not_found(on_a, "returnRequestId")
        assert masked(on_a, scene.global_id, scene.request_id) == masked(
            on_missing, MISSING_GLOBAL_ID, MISSING_ID
        ), (a_id, extra)

    after = await a.everything(scene.request_id)
    assert after == before
    assert after["request"]["version"] == scene.version
    assert (await b.data(PAGE))["returnRequests"]["totalCount"] == 0
    b.report(mutation)


async def test_b_cannot_create_a_return_on_a_order(tenants: tuple[Tenant, Tenant, Scene]) -> None:
    a, b, scene = tenants
    before = await a.everything(scene.request_id)
    input = {
        "merchant": MERCHANT,
        "items": [{"sku": "CAP", "quantity": 1}],
        "pickup": PICKUP,
        "dropoff": {"partnerLocationId": "WH-DXB"},
    }

    on_a = (await b.data(CREATE_RETURN, {"input": {**input, "orderReference": ORDER_REFERENCE}}))[
        "createReturn"
    ]
    on_missing = (
        await b.data(CREATE_RETURN, {"input": {**input, "orderReference": MISSING_REFERENCE}})
    )["createReturn"]
    expect_not_found(on_a, "orderReference")
    assert masked(on_a, ORDER_REFERENCE) == masked(on_missing, MISSING_REFERENCE)

    assert await a.everything(scene.request_id) == before
    assert (await b.data(PAGE))["returnRequests"]["totalCount"] == 0
    b.report("createReturn")


async def test_b_cannot_change_or_delete_a_configuration(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    a, b, scene = tenants
    before = await a.everything(scene.request_id)

    # (operation, field, input on A's code, the same input on a missing code, what differs)
    attempts: list[tuple[str, str, dict[str, Any], dict[str, Any], str, str]] = []
    for kind, code in CODES.items():
        attempts.append(
            (
                SAVE_CODE["update", kind],
                f"update{kind}",
                code_input(kind, code, "B renames it"),
                code_input(kind, MISSING_CODE, "B renames it"),
                code,
                MISSING_CODE,
            )
        )
    location = {"merchant": MERCHANT, "name": "B's", "address": {"address1": "x", "country": "AE"}}
    attempts.append(
        (
            SAVE_LOCATION["update"],
            "updatePickupLocation",
            {**location, "code": "WH-DXB"},
            {**location, "code": MISSING_CODE},
            "WH-DXB",
            MISSING_CODE,
        )
    )
    option = {"merchant": MERCHANT, "name": "B's", "carrier": "B"}
    attempts.append(
        (
            SAVE_OPTION["update"],
            "updateDeliveryOption",
            {**option, "id": "EXPRESS"},
            {**option, "id": MISSING_CODE},
            "EXPRESS",
            MISSING_CODE,
        )
    )
    deletable = [*CODES.items(), ("PickupLocation", "WH-DXB"), ("DeliveryOption", "EXPRESS")]
    for name, code in deletable:
        attempts.append(
            (
                DELETE[name],
                f"delete{name}",
                {"merchant": MERCHANT, "code": code},
                {"merchant": MERCHANT, "code": MISSING_CODE},
                code,
                MISSING_CODE,
            )
        )
    attempts.append(
        (
            DELETE["ReturnSettings"],
            "deleteReturnSettings",
            {"merchant": MERCHANT},
            {"merchant": "no-such-merchant"},
            MERCHANT,
            "no-such-merchant",
        )
    )

    for operation, field, on_a_input, missing_input, a_key, missing_key in attempts:
        on_a = (await b.data(operation, {"input": on_a_input}))[field]
        on_missing = (await b.data(operation, {"input": missing_input}))[field]
        expect_not_found(on_a, "code")
        assert masked(on_a, a_key) == masked(on_missing, missing_key), field

    assert len(attempts) == 6 + 2 + 8 + 1
    assert await a.everything(scene.request_id) == before
    b.report("configuration updates and deletes")


# --------------------------------------------------------------------------- B's own data


async def test_b_uses_the_same_order_reference_unbound_by_a_rules_and_units(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    """B's SO-1001 is B's own: A's return holds 2 of A's 3 shirts, A's reasons are enforced
    and want comments, A's locations are enforced — none of that applies to B, and B's
    request resolves none of A's codes."""
    a, b, scene = tenants
    before = await a.everything(scene.request_id)

    order = await b.ok(
        UPSERT_ORDER,
        "upsertOrder",
        order_input(
            ORDER_REFERENCE,
            [
                {"sku": "SHIRT-M", "quantity": 3, "unitPrice": "10.00"},
                {"sku": "CAP", "quantity": 1, "unitPrice": "5.00"},
            ],
        ),
    )
    assert order["order"]["reference"] == ORDER_REFERENCE
    returnable = (await b.data(RETURNABLE, {"reference": ORDER_REFERENCE, "merchant": MERCHANT}))[
        "returnableItems"
    ]
    assert {line["sku"]: line["returnableQuantity"] for line in returnable} == {
        "SHIRT-M": 3,
        "CAP": 1,
    }
    created = await b.ok(
        CREATE_RETURN,
        "createReturn",
        {
            "merchant": MERCHANT,
            "orderReference": ORDER_REFERENCE,
            "items": [
                {
                    "sku": "SHIRT-M",
                    "quantity": 3,  # all three: A's two held units are A's
                    "reasonCode": "DAMAGED",  # A's DAMAGED wants a comment; B has no reasons
                    "commentCodes": ["TOO-SMALL"],
                    "resolution": "REFUND",
                    "refundType": "STORE-CREDIT",
                },
                {"sku": "CAP", "quantity": 1, "reasonCode": "FREE TEXT"},
            ],
            "pickup": PICKUP,
            "dropoff": {"partnerLocationId": "ELSEWHERE"},  # not one of A's locations
        },
    )
    mine = created["returnRequest"]
    assert mine["returnRequestId"] != scene.request_id
    for item in mine["items"]:
        assert (item["reason"], item["resolution"], item["refundType"], item["comments"]) == (
            None,
            None,
            None,
            [],
        )
    assert mine["order"]["lines"] == [
        {"sku": "SHIRT-M", "quantity": 3},
        {"sku": "CAP", "quantity": 1},
    ]
    assert mine["notes"] == mine["refunds"] == []

    page = (await b.data(PAGE))["returnRequests"]
    assert [edge["node"]["returnRequestId"] for edge in page["edges"]] == [mine["returnRequestId"]]
    assert await a.everything(scene.request_id) == before
    assert (await b.request(scene.request_id)) is None
    assert (await a.request(mine["returnRequestId"])) is None
    b.report("B's own order and return")


async def test_b_creates_updates_and_deletes_the_same_codes_without_touching_a(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    a, b, scene = tenants
    before = await a.everything(scene.request_id)

    await configure(b, "B")  # the same codes, location, option and settings: no ALREADY_EXISTS
    mine = await b.configuration()
    assert all(mine[name] for name in CONFIGURATION_LISTS)
    for name in CONFIGURATION_LISTS:
        assert all(entry["name"].startswith("B ") for entry in mine[name]), mine[name]
    assert mine["returnSettings"]["notificationUsers"] == [{"email": "ops@b.test"}]
    assert await a.everything(scene.request_id) == before

    for kind, code in CODES.items():
        await b.ok(SAVE_CODE["update", kind], f"update{kind}", code_input(kind, code, "B again"))
    assert await a.everything(scene.request_id) == before

    # A's live request uses DAMAGED, REFUND, STORE-CREDIT, TOO-SMALL and WH-DXB: B's are free.
    await b.ok(DELETE["ReturnSettings"], "deleteReturnSettings", {"merchant": MERCHANT})
    deletions = ["RefundType", "ReturnComment", *CODES, "PickupLocation", "DeliveryOption"]
    codes = CODES | {"PickupLocation": "WH-DXB", "DeliveryOption": "EXPRESS"}
    for name in dict.fromkeys(deletions):
        payload = await b.ok(
            DELETE[name], f"delete{name}", {"merchant": MERCHANT, "code": codes[name]}
        )
        assert payload["deleted"] is True
    assert await b.configuration() == {name: [] for name in CONFIGURATION_LISTS} | {
        "returnSettings": None
    }
    assert await a.everything(scene.request_id) == before
    b.report("B's own configuration")


async def test_an_idempotency_key_belongs_to_one_tenant(
    tenants: tuple[Tenant, Tenant, Scene],
) -> None:
    a, b, scene = tenants
    lines = [{"sku": "HAT", "quantity": 1, "unitPrice": "5.00"}]
    a_body = {"query": UPSERT_ORDER, "variables": {"input": order_input("SO-A", lines)}}
    b_body = {"query": UPSERT_ORDER, "variables": {"input": order_input("SO-B", lines)}}

    async def post(tenant: Tenant, body: dict[str, Any], key: str):  # type: ignore[no-untyped-def]
        if tenant.counts:
            tenant.sent += 1
            TRIED["total"] += 1
        response = await tenant.http.post(
            "/graphql", json=body, headers=tenant.headers | {"Idempotency-Key": key}
        )
        assert response.status == 200, await response.text()
        return response

    a_first = await post(a, a_body, "key-1")
    a_second = await post(a, a_body, "key-2")
    assert a_first.headers["Idempotency-Replayed"] == a_second.headers["Idempotency-Replayed"]
    assert a_first.headers["Idempotency-Replayed"] == "false"
    before = await a.everything(scene.request_id)

    # A's key with a different body: B's own first use, not IDEMPOTENCY_MISMATCH.
    b_first = await post(b, b_body, "key-1")
    assert b_first.headers["Idempotency-Replayed"] == "false"
    assert (await b_first.json())["data"]["upsertOrder"]["order"]["reference"] == "SO-B"
    # A's key with A's very body: run for B, never A's stored answer replayed.
    b_same = await post(b, a_body, "key-2")
    assert b_same.headers["Idempotency-Replayed"] == "false"
    assert (await b_same.json())["data"]["upsertOrder"]["userErrors"] == []

    # Each tenant's retries replay its own answer.
    a_again = await post(a, a_body, "key-1")
    assert a_again.headers["Idempotency-Replayed"] == "true"
    assert await a_again.json() == await a_first.json()
    b_again = await post(b, b_body, "key-1")
    assert b_again.headers["Idempotency-Replayed"] == "true"
    assert await b_again.json() == await b_first.json()

    for reference in ("SO-A", "SO-B"):
        key = {"reference": reference, "merchant": MERCHANT}
        assert (await b.data(ORDER, key))["order"]["reference"] == reference
    assert (await a.data(ORDER, {"reference": "SO-B", "merchant": MERCHANT}))["order"] is None
    assert await a.everything(scene.request_id) == before
    b.report("Idempotency-Key")

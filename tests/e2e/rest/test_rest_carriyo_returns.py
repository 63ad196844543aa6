"""Every Carriyo return-request operation, driven as a legacy Carriyo client drives it: the
seed's paths, methods, headers and snake_case bodies; asserting status codes and field names."""

from __future__ import annotations

from tests.e2e.rest.carriyo_client import EMAIL, MERCHANT, ORDER, PHONE, Carriyo

REQUESTS = "/returns/requests"
LOOKUP = {"merchant": MERCHANT, "email_or_phone": EMAIL, "partner_order_ref": ORDER}

# The seed's return request object, every property of it.
SEED_FIELDS = {
    "return_request_id",
    "shipments",
    "partner_order_reference",
    "merchant",
    "pickup",
    "customer_comment",
    "channel",
    "notes",
    "items",
    "refund_method",
    "refund_info",
    "creation_date",
    "update_date",
    "approval_date",
    "cancellation_date",
    "rejection_date",
    "completion_date",
    "return_items_updates",
    "collection",
    "assigned_to_user",
    "auto_closed",
    "auto_closed_date",
    "creation_source",
    "update_source",
    "updated_by_user",
}
ITEM_FIELDS = {
    "sku",
    "description",
    "price",
    "currency",
    "quantity",
    "approved_quantity",
    "rejected_quantity",
    "returned_quantity",
    "received_quantity",
    "return_reason",
    "comment",
    "comment_codes",
    "images",
    "item_condition",
    "resolution",
    "refund_type",
    "rejection_reason",
}


async def test_create_answers_the_seeds_return_request_object(carriyo: Carriyo) -> None:
    await carriyo.order()
    request = await carriyo.create(
        [
            {
                "sku": "SHIRT-M",
                "quantity": 2,
                "return_reason": "TOO_SMALL",
                "comment": "too tight",
                "images": ["https://img.example/1.jpg"],
            }
        ],
        comments=[{"text": "please collect after 5pm"}],
    )

    assert request.keys() >= SEED_FIELDS
    assert request["return_request_id"].startswith("RR-")
    assert request["status"] == "pending"
    assert request["partner_order_reference"] == ORDER
    assert request["merchant"] == MERCHANT
    assert request["customer_comment"] == "please collect after 5pm"
    assert request["resolution"] == "REFUND"
    assert request["pickup"]["contact_name"] == "Ann Lee"
    assert request["creation_source"]["source"] == "REST"
    assert request["creation_date"] == "2026-11-25T12:00:00+00:00"
    assert request["refund_info"]["refunds"] == []
    [item] = request["items"]
    assert item.keys() == ITEM_FIELDS
    assert (item["sku"], item["quantity"], item["price"]) == ("SHIRT-M", 2, 49.9)
    assert item["images"] == ["https://img.example/1.jpg"]


async def test_get_remaining_items_lists_what_the_customer_may_still_return(
    carriyo: Carriyo,
) -> None:
    await carriyo.pending()  # holds 2 of the 3 shirts

    items = await carriyo.ok("GET", "/returns/available-items", params=LOOKUP)

    assert items == [
        {
            "sku": "SHIRT-M",
            "quantity": 1,
            "description": "Shirt M",
            "delivery_date": "2026-11-20T10:00:00+00:00",
        },
        {
            "sku": "CAP",
            "quantity": 1,
            "description": "Cap",
            "delivery_date": "2026-11-20T10:00:00+00:00",
        },
    ]
    by_phone = LOOKUP | {"email_or_phone": PHONE}
    assert await carriyo.ok("GET", "/returns/available-items", params=by_phone) == items


async def test_get_available_locations_is_where_the_order_was_delivered(carriyo: Carriyo) -> None:
    await carriyo.order()

    locations = await carriyo.ok("GET", "/returns/available-locations", params=LOOKUP)

    assert [(a["address1"], a["city"], a["country"], a["contact_email"]) for a in locations] == [
        ("1 Palm St", "Dubai", "AE", EMAIL)
    ]


async def test_order_lookups_refuse_another_customer_like_a_missing_order(
    carriyo: Carriyo,
) -> None:
    await carriyo.order()
    for path in ("/returns/available-items", "/returns/available-locations"):
        for params in (
            LOOKUP | {"email_or_phone": "eve@example.com"},
            LOOKUP | {"partner_order_ref": "SO-404"},
        ):
            status, body = await carriyo.call("GET", path, params=params)
            assert status == 404
            assert body["errors"][0]["code"] == "NOT_FOUND"
        status, body = await carriyo.call("GET", path, params={"merchant": MERCHANT})
        assert status == 400
        assert body["errors"][0]["field"] == "email_or_phone"


async def test_get_returns_the_request(carriyo: Carriyo) -> None:
    created = await carriyo.pending()

    status, got = await carriyo.get(created["return_request_id"])

    assert status == 200
    assert got == created


async def test_update_replaces_items_pickup_and_resolution_while_pending(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    updated = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}",
        {
            "items": [{"sku": "CAP", "quantity": 1, "return_reason": "DAMAGED"}],
            "pickup": {"partner_location_code": "BR-1"},
            "resolution": "STORE_CREDIT",
        },
    )

    assert [(i["sku"], i["quantity"]) for i in updated["items"]] == [("CAP", 1)]
    assert updated["pickup"]["partner_location_id"] == "BR-1"
    assert updated["resolution"] == "STORE_CREDIT"
    [change] = updated["return_items_updates"]
    assert change["previous_items"] == [{"sku": "SHIRT-M", "quantity": 2}]
    assert change["items"] == [{"sku": "CAP", "quantity": 1}]


async def test_approve_sets_approved_and_opens_the_reverse_shipment(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    approved = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}/approve",
        {"items": [{"sku": "SHIRT-M", "quantity": 1}], "rejection_reason": "WORN"},
    )

    assert approved["status"] == "approved"
    assert approved["approval_date"] == "2026-11-25T12:00:00+00:00"
    assert len(approved["shipments"]) == 1
    [item] = approved["items"]
    assert (item["approved_quantity"], item["rejected_quantity"]) == (1, 1)
    assert item["rejection_reason"] == "WORN"


async def test_cancel_sets_cancelled(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    cancelled = await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/cancel")

    assert cancelled["status"] == "cancelled"
    assert cancelled["cancellation_date"] is not None
    assert cancelled["reverse_shipments"][0]["status"] == "cancelled"


async def test_reject_sets_rejected_with_the_reason(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    rejected = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}/reject",
        {"items": [{"sku": "SHIRT-M", "rejection_reason": "OUT_OF_POLICY"}]},
    )

    assert rejected["status"] == "rejected"
    assert rejected["rejection_date"] is not None
    assert rejected["items"][0]["rejection_reason"] == "OUT_OF_POLICY"


async def test_receive_records_units_partially_then_fully(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    part = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}/receive",
        {"items": [{"sku": "SHIRT-M", "quantity": 1, "item_condition": "AS_NEW"}]},
    )
    rest = await carriyo.ok(
        "PATCH", f"{REQUESTS}/{rid}/receive", {"items": [{"sku": "SHIRT-M", "quantity": 1}]}
    )

    assert part["status"] == "partially_received"
    assert part["items"][0]["item_condition"] == "AS_NEW"
    assert rest["status"] == "received"
    assert rest["items"][0]["received_quantity"] == 2


async def test_complete_sets_completed(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]
    await carriyo.ok(
        "PATCH", f"{REQUESTS}/{rid}/receive", {"items": [{"sku": "SHIRT-M", "quantity": 2}]}
    )

    completed = await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/complete")

    assert completed["status"] == "completed"
    assert completed["completion_date"] is not None


async def test_add_note_records_the_x_user_and_delete_note_removes_it(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    noted = await carriyo.ok(
        "POST",
        f"{REQUESTS}/{rid}/notes",
        {"text": "customer called"},
        headers={"x-user": "ops@acme.test"},
    )
    [note] = noted["notes"]
    deleted = await carriyo.ok("DELETE", f"{REQUESTS}/{rid}/notes/{note['note_id']}")

    assert note.keys() == {"note_id", "text", "user", "creation_date"}
    assert (note["text"], note["user"]) == ("customer called", "ops@acme.test")
    assert noted["updated_by_user"] == "ops@acme.test"
    assert deleted["notes"] == []


async def test_add_note_needs_the_x_user_header(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    status, body = await carriyo.call("POST", f"{REQUESTS}/{rid}/notes", {"text": "hello"})

    assert status == 400
    assert body["errors"][0]["field"] == "x-user"


async def test_assign_to_user(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    assigned = await carriyo.ok(
        "PATCH", f"{REQUESTS}/{rid}/assign-to-user", {"assigned_to_user": "lead@acme.test"}
    )

    assert assigned["assigned_to_user"] == "lead@acme.test"


async def test_split_answers_the_new_request_and_keeps_the_total(carriyo: Carriyo) -> None:
    await carriyo.order()
    rid = (
        await carriyo.create([{"sku": "SHIRT-M", "quantity": 3}, {"sku": "CAP", "quantity": 1}])
    )["return_request_id"]

    new = await carriyo.ok(
        "PATCH",
        f"{REQUESTS}/{rid}/split",
        {"items": [{"sku": "SHIRT-M", "quantity": 1}], "partner_location_id": "BR-1"},
    )
    _, original = await carriyo.get(rid)

    assert new["return_request_id"] != rid
    assert new["split_from"] == rid
    assert new["pickup"]["partner_location_id"] == "BR-1"
    assert [(i["sku"], i["quantity"]) for i in new["items"]] == [("SHIRT-M", 1)]
    assert [(i["sku"], i["quantity"]) for i in original["items"]] == [
        ("SHIRT-M", 2),
        ("CAP", 1),
    ]


async def test_set_status_takes_the_lower_case_status_from_the_query(carriyo: Carriyo) -> None:
    rid = (await carriyo.pending())["return_request_id"]

    held = await carriyo.ok("PATCH", f"{REQUESTS}/{rid}/status", params={"status": "on_hold"})

    assert held["status"] == "on_hold"


async def test_add_refund_and_delete_refund_answer_the_refund_info(carriyo: Carriyo) -> None:
    rid = (await carriyo.approved())["return_request_id"]

    added = await carriyo.ok(
        "POST",
        f"{REQUESTS}/{rid}/refunds",
        {
            "reference": "PSP-42",
            "type": "CARD",
            "amount": 49.9,
            "currency": "AED",
            "note": "first shirt",
            "refund_date": "2026-11-25T10:00:00Z",
        },
    )
    [refund] = added["refunds"]
    deleted = await carriyo.ok("DELETE", f"{REQUESTS}/{rid}/refunds/{refund['refund_id']}")

    assert refund == {
        "refund_id": refund["refund_id"],
        "reference": "PSP-42",
        "type": "CARD",
        "amount": 49.9,
        "currency": "AED",
        "note": "first shirt",
        "refund_date": "2026-11-25T10:00:00+00:00",
        "creation_date": "2026-11-25T12:00:00+00:00",
    }
    assert deleted["refunds"] == []

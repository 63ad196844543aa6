"""Carriyo's reference data (six kinds) and return settings over REST: create, list (with
`merchant` and `language`), update and delete, with the seed's field names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.rest.carriyo_client import MERCHANT, Carriyo

# (path segment, extra fields of the kind)
KINDS = [
    (
        "reasons",
        {
            "require_comments": True,
            "require_images": False,
            "require_item_condition": True,
            "reverse_shipment_create_enabled": False,
            "auto_approve": False,
        },
    ),
    ("rejection-reasons", {}),
    ("resolutions", {}),
    ("refund-types", {"allowed_return_reasons": []}),
    ("item-conditions", {}),
    ("comments", {"allowed_return_reasons": []}),
]


def entry(code: str, extra: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Arrived damaged",
        "merchant": MERCHANT,
        "translations": {"ar": "وصل تالفًا"},
        **extra,
        **changes,
    }


@pytest.mark.parametrize(("segment", "extra"), KINDS)
async def test_reference_data_create_list_update_delete(
    carriyo: Carriyo, segment: str, extra: dict[str, Any]
) -> None:
    base = f"/returns/{segment}"

    created = await carriyo.ok("POST", base, entry("DAMAGED", extra))
    listed = await carriyo.ok("GET", base, params={"merchant": MERCHANT})
    arabic = await carriyo.ok("GET", base, params={"merchant": MERCHANT, "language": "ar"})
    updated = await carriyo.ok(
        "PUT", f"{base}/DAMAGED", entry("DAMAGED", extra, name="Broken", translations={})
    )
    deleted = await carriyo.ok("DELETE", f"{base}/DAMAGED", params={"merchant": MERCHANT})
    after = await carriyo.ok("GET", base, params={"merchant": MERCHANT})

    assert created == entry("DAMAGED", extra)
    assert listed == [created]
    assert arabic[0]["name"] == "وصل تالفًا"
    assert (updated["name"], updated["translations"]) == ("Broken", {})
    assert deleted == {"merchant": MERCHANT, "code": "DAMAGED", "deleted": True}
    assert after == []


@pytest.mark.parametrize(("segment", "extra"), KINDS)
async def test_reference_data_refusals(
    carriyo: Carriyo, segment: str, extra: dict[str, Any]
) -> None:
    base = f"/returns/{segment}"
    await carriyo.ok("POST", base, entry("DAMAGED", extra))

    duplicate = await carriyo.call("POST", base, entry("DAMAGED", extra))
    missing = await carriyo.call("PUT", f"{base}/NOPE", entry("NOPE", extra))
    mismatch = await carriyo.call("PUT", f"{base}/DAMAGED", entry("OTHER", extra))
    gone = await carriyo.call("DELETE", f"{base}/NOPE", params={"merchant": MERCHANT})
    no_merchant = await carriyo.call("DELETE", f"{base}/DAMAGED")

    assert (duplicate[0], duplicate[1]["errors"][0]["code"]) == (409, "ALREADY_EXISTS")
    assert (missing[0], missing[1]["errors"][0]["code"]) == (404, "NOT_FOUND")
    assert (mismatch[0], mismatch[1]["errors"][0]["field"]) == (400, "code")
    assert (gone[0], gone[1]["errors"][0]["code"]) == (404, "NOT_FOUND")
    assert (no_merchant[0], no_merchant[1]["errors"][0]["field"]) == (400, "merchant")


async def test_lists_whose_merchant_is_optional_list_every_merchant(carriyo: Carriyo) -> None:
    for merchant in ("acme", "globex"):
        body = {"code": "AS_NEW", "name": "As new", "merchant": merchant}
        await carriyo.ok("POST", "/returns/item-conditions", body)

    everyone = await carriyo.ok("GET", "/returns/item-conditions")
    reasons = await carriyo.call("GET", "/returns/reasons")

    assert [e["merchant"] for e in everyone] == ["acme", "globex"]
    assert (reasons[0], reasons[1]["errors"][0]["field"]) == (400, "merchant")


async def test_a_reason_in_use_by_a_live_request_cannot_be_deleted(carriyo: Carriyo) -> None:
    reason = {"code": "TOO_SMALL", "name": "Too small", "merchant": MERCHANT}
    await carriyo.ok("POST", "/returns/reasons", reason)
    await carriyo.pending()

    status, answer = await carriyo.call(
        "DELETE", "/returns/reasons/TOO_SMALL", params={"merchant": MERCHANT}
    )

    assert (status, answer["errors"][0]["code"]) == (409, "IN_USE")


SETTINGS = {
    "merchant": MERCHANT,
    "allowed_days_for_return": 30,
    "default_dropoff_locations": {"AE": "WH-DXB"},
    "allow_undelivered_items": False,
    "allow_pickup_location_selection": True,
    "notification_users": [
        {"email": "ops@acme.test", "name": "Ops"},
        {"email": "lead@acme.test", "name": None},
    ],
    "order_lookup_methods": ["EMAIL", "PHONE"],
    "auto_close_days": 60,
    "shopify_integration_enabled": "false",
    "shopify_connector_id": "shpfy-1",
}


async def test_settings_create_get_update_delete(carriyo: Carriyo) -> None:
    path, merchant = "/returns/settings", {"merchant": MERCHANT}

    created = await carriyo.ok("POST", path, SETTINGS)
    got = await carriyo.ok("GET", path, params=merchant)
    updated = await carriyo.ok("PUT", path, SETTINGS | {"allowed_days_for_return": 14})
    deleted = await carriyo.ok("DELETE", path, params=merchant)
    after = await carriyo.call("GET", path, params=merchant)

    assert created == got == SETTINGS
    assert updated["allowed_days_for_return"] == 14
    assert deleted == {"merchant": MERCHANT, "deleted": True}
    assert (after[0], after[1]["errors"][0]["code"]) == (404, "NOT_FOUND")


async def test_settings_create_twice_is_409_and_update_before_create_is_404(
    carriyo: Carriyo,
) -> None:
    early = await carriyo.call("PUT", "/returns/settings", SETTINGS)
    await carriyo.ok("POST", "/returns/settings", SETTINGS)
    again = await carriyo.call("POST", "/returns/settings", SETTINGS)

    assert (early[0], early[1]["errors"][0]["code"]) == (404, "NOT_FOUND")
    assert (again[0], again[1]["errors"][0]["code"]) == (409, "ALREADY_EXISTS")


async def test_settings_query_filters_narrow_the_answer(carriyo: Carriyo) -> None:
    await carriyo.ok("POST", "/returns/settings", SETTINGS)
    params = {"merchant": MERCHANT}

    one_user = await carriyo.ok(
        "GET", "/returns/settings", params=params | {"notification_user_id": "LEAD@acme.test"}
    )
    other_connector = await carriyo.call(
        "GET", "/returns/settings", params=params | {"shopify_connector_id": "shpfy-2"}
    )

    assert one_user["notification_users"] == [{"email": "lead@acme.test", "name": None}]
    assert other_connector[0] == 404


async def test_the_settings_drive_the_workflow(carriyo: Carriyo) -> None:
    """A default dropoff configured over REST lets a request without one be approved."""
    await carriyo.ok("POST", "/returns/settings", SETTINGS)
    await carriyo.order()
    body = carriyo.create_body()
    del body["dropoff"]

    created = await carriyo.ok("POST", "/returns/requests", body)

    assert created["dropoff"]["partner_location_id"] == "WH-DXB"

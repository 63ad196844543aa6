"""Merchant configuration in SQL (SQLite and PostgreSQL): every configuration object round
trips; duplicates, missing codes, codes in use and unknown references are refused without
writing anything; tenants never see nor constrain each other; and the rules built from what
is stored drive the real use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from domain import commands as c
from domain import configuration_services as config
from domain import services
from domain.configured_rules import ConfiguredRules
from domain.errors import DomainError, DomainErrors, ErrorCode
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest, ShipmentStatus
from domain.reference import (
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from domain.values import Address
from persistence.rules import merchant_rules
from persistence.tables import (
    DEFAULT_TENANT,
    DeliveryOptionRow,
    PickupLocationRow,
    ReferenceEntryRow,
    ReturnRequestRow,
    ReturnSettingsRow,
)

R = ReferenceKind
MERCHANT = "acme"
WAREHOUSE = PickupLocation(
    MERCHANT,
    "WH-DXB-1",
    "Dubai warehouse",
    Address(
        contact_name="Returns desk",
        contact_phone="+97140000000",
        address1="Plot 7, Al Quoz",
        city="Dubai",
        country="AE",
    ),
)
BRANCH = PickupLocation(
    MERCHANT, "BR-RUH-1", "Riyadh branch", Address(address1="King Fahd Road", country="SA")
)
LOCATION_DROPOFF = Address(partner_location_id="WH-DXB-1")


def entry(
    kind: ReferenceKind, code: str, merchant: str = MERCHANT, **fields: Any
) -> ReferenceEntry:
    return ReferenceEntry(kind, merchant, code, fields.pop("name", f"{code} name"), **fields)


def reason(code: str, **flags: Any) -> ReferenceEntry:
    return entry(R.RETURN_REASON, code, **flags)


async def add(world, *entries: ReferenceEntry, tenant: str = DEFAULT_TENANT) -> None:
    for item in entries:
        await config.create_reference(item, uow=world.uow(tenant))


async def add_locations(world, *locations: PickupLocation, tenant: str = DEFAULT_TENANT) -> None:
    for location in locations:
        await config.save_location(location, uow=world.uow(tenant), new=True)


async def upsert(world, tenant: str = DEFAULT_TENANT, **fields: Any) -> ReturnSettings:
    settings = ReturnSettings(merchant=fields.pop("merchant", MERCHANT), **fields)
    return await config.upsert_settings(settings, uow=world.uow(tenant))


@dataclass(frozen=True)
class Stored:
    entries: list[ReferenceEntry]
    settings: ReturnSettings | None
    locations: list[PickupLocation]
    options: list[DeliveryOption]


async def stored(world, tenant: str = DEFAULT_TENANT, merchant: str = MERCHANT) -> Stored:
    """Everything configured for a merchant, read back through a fresh unit of work."""
    async with world.uow(tenant) as uow:
        repo = uow.configuration
        return Stored(
            await repo.entries(merchant),
            await repo.settings(merchant),
            await repo.locations(merchant),
            await repo.delivery_options(merchant),
        )


async def row_counts(world) -> dict[str, int]:
    """Rows in every configuration table and of return requests, across all tenants."""
    tables = {
        "entries": ReferenceEntryRow,
        "settings": ReturnSettingsRow,
        "locations": PickupLocationRow,
        "options": DeliveryOptionRow,
        "requests": ReturnRequestRow,
    }
    async with world.db.read_session() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(table)))
            for name, table in tables.items()
        }


async def using(world, kind: ReferenceKind | None, code: str, **kw: Any) -> int:
    tenant = kw.get("tenant", DEFAULT_TENANT)
    async with world.uow(tenant) as uow:
        return await uow.configuration.live_requests_using(kind, kw.get("merchant", MERCHANT), code)


def codes(caught: pytest.ExceptionInfo[DomainError]) -> list[tuple[ErrorCode, str | None]]:
    errors = caught.value.errors if isinstance(caught.value, DomainErrors) else [caught.value]
    return [(error.code, error.field) for error in errors]


def items(*specs: tuple[str, int], **fields: Any) -> list[ItemRequest]:
    return [ItemRequest(sku, qty, **fields) for sku, qty in specs]


# --------------------------------------------------------------------------- round trips

EVERY_KIND = [
    reason(
        "DAMAGED",
        name="Damaged in transit",
        translations={"ar": "تالف", "pt-BR": "Danificado", "zh-Hant": "損壞"},
        require_comments=True,
        require_images=True,
        require_item_condition=True,
        reverse_shipment_create_enabled=False,
        auto_approve=True,
    ),
    reason("WRONG_SIZE"),
    entry(R.REJECTION_REASON, "WORN", translations={"fr": "Porté"}),
    entry(R.RESOLUTION, "EXCHANGE"),
    entry(R.ITEM_CONDITION, "AS_NEW", translations={"de": "Wie neu"}),
    entry(R.REFUND_TYPE, "STORE_CREDIT", allowed_return_reasons=("DAMAGED", "WRONG_SIZE")),
    entry(R.REFUND_TYPE, "CASH"),
    entry(R.RETURN_COMMENT, "TOO_SMALL", allowed_return_reasons=("WRONG_SIZE",)),
]


async def test_every_kind_of_reference_code_round_trips(world):
    await add(world, *EVERY_KIND)

    back = await stored(world)
    async with world.uow() as uow:
        one_by_one = [await uow.configuration.entry(e.kind, MERCHANT, e.code) for e in EVERY_KIND]
        refund_types = await uow.configuration.entries(MERCHANT, R.REFUND_TYPE)
        by_key = await uow.configuration.entries_by_key(
            [(e.kind.value, MERCHANT, e.code) for e in EVERY_KIND] + [("RESOLUTION", MERCHANT, "X")]
        )

    assert sorted(back.entries, key=lambda e: (e.kind, e.code)) == back.entries
    assert sorted(back.entries, key=lambda e: (e.kind, e.code)) == sorted(
        EVERY_KIND, key=lambda e: (e.kind, e.code)
    )
    assert one_by_one == EVERY_KIND
    assert [e.code for e in refund_types] == ["CASH", "STORE_CREDIT"]
    assert sorted(by_key.values(), key=lambda e: e.code) == sorted(EVERY_KIND, key=lambda e: e.code)
    assert ("RESOLUTION", MERCHANT, "X") not in by_key
    damaged = one_by_one[0]
    assert damaged.display_name("pt-BR") == "Danificado"
    assert damaged.display_name("pt") == "Damaged in transit"
    assert damaged.display_name("zh-Hant-TW") == "Damaged in transit"
    assert damaged.display_name("ar-AE") == "تالف"


async def test_update_reference_replaces_every_field(world):
    await add(world, reason("DAMAGED"), reason("WRONG_SIZE"))
    await add(world, entry(R.REFUND_TYPE, "CASH", allowed_return_reasons=("DAMAGED",)))
    changed_reason = reason(
        "DAMAGED",
        name="Broken",
        translations={"pt": "Quebrado"},
        require_images=True,
        reverse_shipment_create_enabled=False,
        auto_approve=True,
    )
    changed_refund = entry(
        R.REFUND_TYPE, "CASH", name="Cash back", allowed_return_reasons=("WRONG_SIZE",)
    )

    await config.update_reference(changed_reason, uow=world.uow())
    await config.update_reference(changed_refund, uow=world.uow())
    cleared = entry(R.REFUND_TYPE, "CASH", name="Cash back")
    back_before_clear = await stored(world)
    await config.update_reference(cleared, uow=world.uow())

    assert back_before_clear.entries == [changed_refund, changed_reason, reason("WRONG_SIZE")]
    assert (await stored(world)).entries == [cleared, changed_reason, reason("WRONG_SIZE")]


async def test_return_settings_round_trip_and_an_upsert_replaces_them(world):
    await add_locations(world, WAREHOUSE, BRANCH)
    full = await upsert(
        world,
        allowed_days_for_return=30,
        default_dropoff_locations={"AE": "WH-DXB-1", "SA": "BR-RUH-1"},
        allow_undelivered_items=True,
        allow_pickup_location_selection=True,
        notification_users=(
            NotificationUser("ops@acme.example", "Ops team"),
            NotificationUser("lead@acme.example"),
        ),
        order_lookup_methods=("ORDER_NUMBER", "EMAIL", "PHONE"),
        auto_close_days=14,
        shopify_integration_enabled="ENABLED",
        shopify_connector_id="shpfy_conn_0042",
    )
    assert (await stored(world)).settings == full

    replaced = await upsert(world, allowed_days_for_return=0, default_dropoff_locations={})

    assert (await stored(world)).settings == replaced == ReturnSettings(MERCHANT, 0)
    assert (await row_counts(world))["settings"] == 1


async def test_pickup_locations_and_delivery_options_round_trip(world):
    aramex = DeliveryOption(MERCHANT, "aramex-express", "Aramex express", "aramex")
    manual = DeliveryOption(MERCHANT, "manual", "Customer drops off")
    await add_locations(world, WAREHOUSE, BRANCH)
    for option in (aramex, manual):
        await config.save_delivery_option(option, uow=world.uow(), new=True)
    assert (await stored(world)).locations == [BRANCH, WAREHOUSE]
    assert (await stored(world)).options == [aramex, manual]

    moved = PickupLocation(
        MERCHANT, "BR-RUH-1", "Riyadh north", Address(address1="Olaya", country="SA")
    )
    renamed = DeliveryOption(MERCHANT, "manual", "Drop at a branch", "self")
    await config.save_location(moved, uow=world.uow(), new=False)
    await config.save_delivery_option(renamed, uow=world.uow(), new=False)
    await config.delete_delivery_option(MERCHANT, "aramex-express", uow=world.uow())

    back = await stored(world)
    assert back.locations == [moved, WAREHOUSE]
    assert back.options == [renamed]


async def test_settings_can_be_deleted_once_and_then_are_not_found(world):
    await upsert(world, allowed_days_for_return=10)

    await config.delete_settings(MERCHANT, uow=world.uow())
    with pytest.raises(DomainError) as caught:
        await config.delete_settings(MERCHANT, uow=world.uow())

    assert codes(caught) == [(ErrorCode.NOT_FOUND, "code")]
    assert (await stored(world)).settings is None


async def test_settings_created_only_once_and_updated_only_when_they_exist(world):
    missing = ReturnSettings(MERCHANT, 7)
    with pytest.raises(DomainError) as caught:
        await config.upsert_settings(missing, uow=world.uow(), new=False)
    assert codes(caught) == [(ErrorCode.NOT_FOUND, "merchant")]
    assert (await stored(world)).settings is None

    created = await config.upsert_settings(missing, uow=world.uow(), new=True)
    with pytest.raises(DomainError) as caught:
        await config.upsert_settings(ReturnSettings(MERCHANT, 9), uow=world.uow(), new=True)
    assert codes(caught) == [(ErrorCode.ALREADY_EXISTS, "merchant")]
    assert (await stored(world)).settings == created

    updated = await config.upsert_settings(ReturnSettings(MERCHANT, 9), uow=world.uow(), new=False)
    assert (await stored(world)).settings == updated


# --------------------------------------------------------------------------- refusals


async def test_creating_a_duplicate_code_is_already_exists_and_changes_nothing(world):
    await add(world, reason("DAMAGED", name="Damaged"))
    before = await row_counts(world)

    with pytest.raises(DomainError) as caught:
        await add(world, reason("DAMAGED", name="Another name", auto_approve=True))

    assert codes(caught) == [(ErrorCode.ALREADY_EXISTS, "code")]
    assert "return reason DAMAGED already exists for merchant acme" in caught.value.message
    assert (await stored(world)).entries == [reason("DAMAGED", name="Damaged")]
    assert await row_counts(world) == before


async def test_the_same_code_in_another_kind_merchant_or_tenant_is_not_a_duplicate(world):
    await add(world, reason("DAMAGED"))

    await add(world, entry(R.ITEM_CONDITION, "DAMAGED"), entry(R.RETURN_REASON, "DAMAGED", "zeta"))
    await add(world, reason("DAMAGED"), tenant="t2")

    assert [e.kind for e in (await stored(world)).entries] == [R.ITEM_CONDITION, R.RETURN_REASON]
    assert [e.code for e in (await stored(world, merchant="zeta")).entries] == ["DAMAGED"]
    assert (await stored(world, "t2")).entries == [reason("DAMAGED")]


async def test_updating_or_deleting_a_missing_code_is_not_found_and_writes_nothing(world):
    await add(world, reason("DAMAGED"))

    with pytest.raises(DomainError) as update:
        await config.update_reference(reason("GHOST"), uow=world.uow())
    with pytest.raises(DomainError) as wrong_kind:
        await config.update_reference(entry(R.RESOLUTION, "DAMAGED"), uow=world.uow())
    with pytest.raises(DomainError) as delete:
        await config.delete_reference(R.REJECTION_REASON, MERCHANT, "DAMAGED", uow=world.uow())

    assert codes(update) == codes(wrong_kind) == codes(delete) == [(ErrorCode.NOT_FOUND, "code")]
    assert "return reason GHOST not found for merchant acme" in update.value.message
    assert (await stored(world)).entries == [reason("DAMAGED")]


@pytest.mark.parametrize("kind", [R.REFUND_TYPE, R.RETURN_COMMENT], ids=str)
async def test_a_scoped_code_naming_an_unknown_reason_is_unknown_code_and_not_written(world, kind):
    await add(world, reason("DAMAGED"), entry(kind, "SCOPED", allowed_return_reasons=("DAMAGED",)))

    with pytest.raises(DomainError) as on_create:
        await add(world, entry(kind, "NEW", allowed_return_reasons=("DAMAGED", "GHOST")))
    with pytest.raises(DomainError) as on_update:
        await config.update_reference(
            entry(kind, "SCOPED", allowed_return_reasons=("GHOST",)), uow=world.uow()
        )

    assert (
        codes(on_create) == codes(on_update) == [(ErrorCode.UNKNOWN_CODE, "allowed_return_reasons")]
    )
    assert "unknown return reason 'GHOST' for merchant acme" in on_create.value.message
    assert (await stored(world)).entries == [
        entry(kind, "SCOPED", allowed_return_reasons=("DAMAGED",)),
        reason("DAMAGED"),
    ]


async def test_a_reason_that_refund_types_or_comments_allow_cannot_be_deleted(world):
    await add(
        world,
        reason("DAMAGED"),
        reason("UNUSED"),
        entry(R.REFUND_TYPE, "CASH", allowed_return_reasons=("DAMAGED",)),
        entry(R.RETURN_COMMENT, "CRACK", allowed_return_reasons=("DAMAGED",)),
    )
    before = await stored(world)

    with pytest.raises(DomainError) as caught:
        await config.delete_reference(R.RETURN_REASON, MERCHANT, "DAMAGED", uow=world.uow())
    await config.delete_reference(R.RETURN_REASON, MERCHANT, "UNUSED", uow=world.uow())

    assert codes(caught) == [(ErrorCode.IN_USE, "code")]
    assert "refund type CASH" in caught.value.message
    assert "return comment CRACK" in caught.value.message
    assert [e.code for e in (await stored(world)).entries] == [
        e.code for e in before.entries if e.code != "UNUSED"
    ]

    await config.delete_reference(R.REFUND_TYPE, MERCHANT, "CASH", uow=world.uow())
    await config.delete_reference(R.RETURN_COMMENT, MERCHANT, "CRACK", uow=world.uow())
    await config.delete_reference(R.RETURN_REASON, MERCHANT, "DAMAGED", uow=world.uow())
    assert (await stored(world)).entries == []


@dataclass(frozen=True)
class Usage:
    """A request that uses `code` of `kind`, and how to make the request stop being live."""

    kind: ReferenceKind
    code: str
    create: dict[str, Any]
    approve: dict[str, Any] | None = None
    release: str = "reject"


USAGES = {
    "reason": Usage(
        R.RETURN_REASON, "DAMAGED", {"items": items(("SKU-A", 1), reason_code="DAMAGED")}
    ),
    "item condition": Usage(
        R.ITEM_CONDITION, "USED", {"items": items(("SKU-A", 1), item_condition="USED")}
    ),
    "item resolution": Usage(
        R.RESOLUTION, "EXCHANGE", {"items": items(("SKU-A", 1), resolution="EXCHANGE")}
    ),
    "request resolution": Usage(
        R.RESOLUTION, "EXCHANGE", {"items": items(("SKU-A", 1)), "resolution": "EXCHANGE"}
    ),
    "item refund type": Usage(
        R.REFUND_TYPE, "CASH", {"items": items(("SKU-A", 1), refund_type="CASH")}
    ),
    "comment code": Usage(
        R.RETURN_COMMENT, "CRACK", {"items": items(("SKU-A", 1), comment_codes=("CRACK",))}
    ),
    "rejection reason": Usage(
        R.REJECTION_REASON,
        "WORN",
        {"items": items(("SKU-A", 2))},
        approve={"quantities": {"SKU-A": 1}, "rejection_reason": "WORN"},
        release="cancel",
    ),
}


@pytest.mark.parametrize("usage", USAGES.values(), ids=USAGES.keys())
async def test_a_code_used_by_a_live_request_is_in_use_until_the_request_ends(world, usage):
    await world.order()
    await add(world, entry(usage.kind, usage.code))
    request = await world.create(**usage.create)
    if usage.approve:
        await world.run(
            services.approve_return, c.ApproveReturn(return_request_id=request.id, **usage.approve)
        )
    before = await row_counts(world)

    with pytest.raises(DomainError) as caught:
        await config.delete_reference(usage.kind, MERCHANT, usage.code, uow=world.uow())

    assert codes(caught) == [(ErrorCode.IN_USE, "code")]
    assert f"{usage.kind.label} {usage.code} is still used by 1 live" in caught.value.message
    assert await row_counts(world) == before
    assert (await stored(world)).entries == [entry(usage.kind, usage.code)]

    if usage.release == "reject":
        cmd: Any = c.RejectReturn(return_request_id=request.id, reason="outside policy")
        await world.run(services.reject_return, cmd)
    else:
        await world.run(services.cancel_return, c.CancelReturn(return_request_id=request.id))
    await config.delete_reference(usage.kind, MERCHANT, usage.code, uow=world.uow())
    assert (await stored(world)).entries == []


async def _use_everything(world, *, merchant: str = MERCHANT, tenant: str = DEFAULT_TENANT):
    """Two PENDING requests with every code, one REJECTED and one CANCELLED with the same
    codes, and one COMPLETED with reason LATE, rejection reason WORN and a VOUCHER refund;
    all drop off at WH-DXB-1, one is picked up at BR-RUH-1."""
    await world.order("ORD-1", merchant=merchant, tenant_id=tenant)
    await world.order("ORD-2", merchant=merchant, tenant_id=tenant)
    await world.order("ORD-3", merchant=merchant, tenant_id=tenant)
    everything = {
        "reason_code": "DAMAGED",
        "comment_codes": ("CRACK",),
        "item_condition": "USED",
        "resolution": "EXCHANGE",
        "refund_type": "CASH",
    }

    async def create(reference: str, *specs: tuple[str, int], **fields: Any):
        return await world.create(
            reference, items(*specs, **everything), merchant=merchant, tenant_id=tenant, **fields
        )

    await create("ORD-1", ("SKU-A", 1), ("SKU-B", 1))
    await create(
        "ORD-1", ("SKU-A", 1), pickup=Address(partner_location_id="BR-RUH-1"), resolution="ONLINE"
    )
    rejected = await create("ORD-2", ("SKU-A", 1))
    cancelled = await create("ORD-2", ("SKU-B", 1))
    completed = await world.create(
        "ORD-3", items(("SKU-A", 2), reason_code="LATE"), merchant=merchant, tenant_id=tenant
    )

    async def run(use_case, cmd):
        await world.run(use_case, cmd, tenant_id=tenant)

    await run(services.reject_return, c.RejectReturn(return_request_id=rejected.id, reason="WORN"))
    await run(services.cancel_return, c.CancelReturn(return_request_id=cancelled.id))
    rid = completed.id
    await run(
        services.approve_return,
        c.ApproveReturn(return_request_id=rid, quantities={"SKU-A": 1}, rejection_reason="WORN"),
    )
    await run(
        services.add_refund,
        c.AddRefund(
            return_request_id=rid, amount=Decimal("10"), currency="AED", refund_type="VOUCHER"
        ),
    )
    await run(
        services.receive_return, c.ReceiveReturn(return_request_id=rid, quantities={"SKU-A": 1})
    )
    await run(services.complete_return, c.CompleteReturn(return_request_id=rid))


EXPECTED_USE = [
    (R.RETURN_REASON, "DAMAGED", 2),
    (R.RETURN_REASON, "LATE", 1),
    (R.RETURN_COMMENT, "CRACK", 2),
    (R.ITEM_CONDITION, "USED", 2),
    (R.RESOLUTION, "EXCHANGE", 2),
    (R.RESOLUTION, "ONLINE", 1),
    (R.REFUND_TYPE, "CASH", 2),
    (R.REFUND_TYPE, "VOUCHER", 1),
    (R.REJECTION_REASON, "WORN", 1),
    (None, "BR-RUH-1", 1),
    (None, "WH-DXB-1", 3),
    (R.RETURN_REASON, "NEVER", 0),
    (R.RETURN_COMMENT, "NEVER", 0),
    (None, "NEVER", 0),
    (R.REFUND_TYPE, "DAMAGED", 0),
]


async def test_live_requests_using_counts_live_requests_per_kind(world):
    await _use_everything(world)
    await _use_everything(world, merchant="zeta")  # another merchant of the same tenant
    await _use_everything(world, tenant="t2")

    counted = [(kind, code, await using(world, kind, code)) for kind, code, _ in EXPECTED_USE]

    assert counted == EXPECTED_USE


async def test_live_requests_using_ignores_other_tenants_and_merchants(world):
    await _use_everything(world, tenant="t2")

    assert await using(world, R.RETURN_REASON, "DAMAGED") == 0
    assert await using(world, None, "WH-DXB-1") == 0
    assert await using(world, R.RETURN_COMMENT, "CRACK", merchant="zeta", tenant="t2") == 0
    assert await using(world, R.RETURN_COMMENT, "CRACK", tenant="t2") == 2


# --------------------------------------------------------------------------- locations, options


async def test_a_pickup_location_used_by_live_requests_or_default_dropoffs_cannot_go(world):
    await add_locations(world, WAREHOUSE, BRANCH)
    await upsert(
        world, allow_pickup_location_selection=True, default_dropoff_locations={"SA": "BR-RUH-1"}
    )
    await world.order()
    request = await world.create(dropoff=LOCATION_DROPOFF)
    before = await row_counts(world)

    with pytest.raises(DomainError) as by_request:
        await config.delete_location(MERCHANT, "WH-DXB-1", uow=world.uow())
    with pytest.raises(DomainError) as by_settings:
        await config.delete_location(MERCHANT, "BR-RUH-1", uow=world.uow())
    with pytest.raises(DomainError) as missing:
        await config.delete_location(MERCHANT, "GHOST", uow=world.uow())

    assert codes(by_request) == codes(by_settings) == [(ErrorCode.IN_USE, "code")]
    assert "1 live return request(s)" in by_request.value.message
    assert "default dropoff locations" in by_settings.value.message
    assert codes(missing) == [(ErrorCode.NOT_FOUND, "code")]
    assert await row_counts(world) == before

    await world.run(services.cancel_return, c.CancelReturn(return_request_id=request.id))
    await upsert(world, allow_pickup_location_selection=True)
    await config.delete_location(MERCHANT, "WH-DXB-1", uow=world.uow())
    await config.delete_location(MERCHANT, "BR-RUH-1", uow=world.uow())
    assert (await stored(world)).locations == []


async def test_a_pickup_location_chosen_as_pickup_is_in_use(world):
    await add_locations(world, WAREHOUSE, BRANCH)
    await upsert(world, allow_pickup_location_selection=True)
    await world.order()
    await world.create(pickup=Address(partner_location_id="BR-RUH-1"), dropoff=LOCATION_DROPOFF)
    await world.create(items={"SKU-B": 1}, pickup=None, dropoff=None)

    with pytest.raises(DomainError) as caught:
        await config.delete_location(MERCHANT, "BR-RUH-1", uow=world.uow())

    assert codes(caught) == [(ErrorCode.IN_USE, "code")]


async def test_locations_and_options_refuse_duplicates_and_missing_ones(world):
    option = DeliveryOption(MERCHANT, "aramex", "Aramex")
    await add_locations(world, WAREHOUSE)
    await config.save_delivery_option(option, uow=world.uow(), new=True)
    before = await stored(world)
    counts = await row_counts(world)
    attempts = [
        config.save_location(
            PickupLocation(MERCHANT, "WH-DXB-1", "Other", BRANCH.address), uow=world.uow(), new=True
        ),
        config.save_location(BRANCH, uow=world.uow(), new=False),
        config.save_delivery_option(
            DeliveryOption(MERCHANT, "aramex", "Other"), uow=world.uow(), new=True
        ),
        config.save_delivery_option(
            DeliveryOption(MERCHANT, "dhl", "DHL"), uow=world.uow(), new=False
        ),
        config.delete_delivery_option(MERCHANT, "dhl", uow=world.uow()),
    ]
    found = []
    for attempt in attempts:
        with pytest.raises(DomainError) as caught:
            await attempt
        found += codes(caught)

    assert found == [
        (ErrorCode.ALREADY_EXISTS, "code"),
        (ErrorCode.NOT_FOUND, "code"),
        (ErrorCode.ALREADY_EXISTS, "code"),
        (ErrorCode.NOT_FOUND, "code"),
        (ErrorCode.NOT_FOUND, "code"),
    ]
    assert await stored(world) == before
    assert await row_counts(world) == counts


async def test_settings_with_a_default_dropoff_that_is_not_a_location_are_not_written(world):
    await add_locations(world, WAREHOUSE)
    await add_locations(world, BRANCH, tenant="t2")

    with pytest.raises(DomainError) as first:
        await upsert(world, default_dropoff_locations={"SA": "BR-RUH-1"})
    assert codes(first) == [(ErrorCode.UNKNOWN_CODE, "default_dropoff_locations")]
    assert "unknown pickup location 'BR-RUH-1' for merchant acme" in first.value.message
    assert (await stored(world)).settings is None

    kept = await upsert(
        world, allowed_days_for_return=30, default_dropoff_locations={"AE": "WH-DXB-1"}
    )
    with pytest.raises(DomainError) as second:
        await upsert(world, allowed_days_for_return=5, default_dropoff_locations={"AE": "GHOST"})
    assert codes(second) == [(ErrorCode.UNKNOWN_CODE, "default_dropoff_locations")]
    assert (await stored(world)).settings == kept


async def test_invalid_configuration_is_refused_before_touching_the_database(world):
    attempts = [
        config.create_reference(reason("bad code"), uow=world.uow()),
        config.create_reference(reason("OK", translations={"PT": "x"}), uow=world.uow()),
        config.create_reference(
            entry(R.RESOLUTION, "OK", allowed_return_reasons=("X",)), uow=world.uow()
        ),
        config.upsert_settings(
            ReturnSettings(MERCHANT, allowed_days_for_return=-1), uow=world.uow()
        ),
        config.upsert_settings(
            ReturnSettings(MERCHANT, default_dropoff_locations={"uae": "WH"}), uow=world.uow()
        ),
        config.save_location(
            PickupLocation(MERCHANT, "WH", "x", Address(address1="no country")),
            uow=world.uow(),
            new=True,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as caught:
            await attempt
        assert caught.value.code == ErrorCode.INVALID_INPUT

    assert set((await row_counts(world)).values()) == {0}


LONG = "c" * 150
LONG_VALUES = {
    "shopify connector id": ReturnSettings(MERCHANT, shopify_connector_id=LONG),
    "shopify integration flag": ReturnSettings(MERCHANT, shopify_integration_enabled=LONG),
    "delivery option carrier": DeliveryOption(MERCHANT, "aramex", "Aramex", carrier=LONG),
}


@pytest.mark.parametrize("value", LONG_VALUES.values(), ids=LONG_VALUES.keys())
async def test_long_free_text_is_stored_faithfully_or_refused_as_input(world, value):
    try:
        if isinstance(value, ReturnSettings):
            await config.upsert_settings(value, uow=world.uow())
        else:
            await config.save_delivery_option(value, uow=world.uow(), new=True)
    except DomainError as error:
        assert error.code == ErrorCode.INVALID_INPUT
        assert await stored(world) == Stored([], None, [], [])
    else:
        back = await stored(world)
        assert value in (back.settings, *back.options)


# --------------------------------------------------------------------------- tenants


async def test_a_tenants_configuration_is_invisible_to_and_does_not_constrain_another(world):
    await add(world, *EVERY_KIND, tenant="t1")
    await add_locations(world, WAREHOUSE, tenant="t1")
    await upsert(
        world, "t1", allowed_days_for_return=1, default_dropoff_locations={"AE": "WH-DXB-1"}
    )
    await config.save_delivery_option(
        DeliveryOption(MERCHANT, "aramex", "Aramex"), uow=world.uow("t1"), new=True
    )
    world.clock.advance(days=30)  # long past t1's one-day window

    assert await stored(world, "t2") == Stored([], None, [], [])
    async with world.db.reading() as reads:
        t2_rules = await merchant_rules(reads, "t2", MERCHANT)
    assert isinstance(t2_rules, ConfiguredRules)
    assert (t2_rules.configured, t2_rules.settings) == (False, ReturnSettings(MERCHANT))

    # t2 returns with free-text codes, to a location t1 does not know, long after t1's window.
    await world.order(tenant_id="t2")
    t2_request = await world.create(
        items=items(
            ("SKU-A", 1), reason_code="anything", item_condition="meh", comment_codes=("x",)
        ),
        tenant_id="t2",
        pickup=Address(partner_location_id="ANYWHERE"),
        dropoff=Address(partner_location_id="ELSEWHERE"),
        resolution="whatever",
    )
    assert t2_request.status == ReturnStatus.PENDING
    # ...and may configure the very same codes.
    await add(world, reason("DAMAGED"), tenant="t2")

    for attempt in (
        config.delete_reference(R.RESOLUTION, MERCHANT, "EXCHANGE", uow=world.uow("t2")),
        config.delete_location(MERCHANT, "WH-DXB-1", uow=world.uow("t2")),
        config.delete_settings(MERCHANT, uow=world.uow("t2")),
    ):
        with pytest.raises(DomainError) as caught:
            await attempt
        assert caught.value.code == ErrorCode.NOT_FOUND
    assert len((await stored(world, "t1")).entries) == len(EVERY_KIND)


async def test_another_tenants_requests_do_not_keep_a_code_in_use(world):
    await add(world, reason("DAMAGED"), tenant="t1")
    await add_locations(world, WAREHOUSE, tenant="t1")
    await world.order(tenant_id="t2")
    await world.create(
        items=items(("SKU-A", 1), reason_code="DAMAGED"), tenant_id="t2", dropoff=LOCATION_DROPOFF
    )

    await config.delete_reference(R.RETURN_REASON, MERCHANT, "DAMAGED", uow=world.uow("t1"))
    await config.delete_location(MERCHANT, "WH-DXB-1", uow=world.uow("t1"))

    assert await stored(world, "t1") == Stored([], None, [], [])


# --------------------------------------------------------------------------- stored rules


async def test_merchant_rules_are_built_from_what_is_stored(world):
    await add(world, *EVERY_KIND)
    await add_locations(world, WAREHOUSE)
    settings = await upsert(
        world, allowed_days_for_return=7, default_dropoff_locations={"AE": "WH-DXB-1"}
    )

    async with world.db.reading() as reads:
        rules = await merchant_rules(reads, DEFAULT_TENANT, MERCHANT)
    async with world.uow() as uow:
        write_side = await uow.rules_for(MERCHANT)

    for built in (rules, write_side):
        assert isinstance(built, ConfiguredRules)
        assert built.settings == settings
        assert built.entry(R.RETURN_REASON, "DAMAGED") == EVERY_KIND[0]
        assert built.default_dropoff(Address(address1="x", country="AE")) == LOCATION_DROPOFF


async def test_create_obeys_the_stored_return_window_to_the_microsecond(world):
    await upsert(world, allowed_days_for_return=10)
    order = await world.order()
    closes = order.lines[0].delivered_at + timedelta(days=10)

    world.clock.set(closes + timedelta(microseconds=1))
    with pytest.raises(DomainErrors) as caught:
        await world.create(items={"SKU-A": 1})
    assert codes(caught) == [(ErrorCode.RETURN_WINDOW_EXPIRED, "items[0].sku")]
    assert (await row_counts(world))["requests"] == 0
    assert await world.outbox_count() == 0

    world.clock.set(closes)
    request = await world.create(items={"SKU-A": 1})
    assert (await world.load(request.id)).status == ReturnStatus.PENDING


async def test_create_obeys_stored_requirements_and_codes_and_writes_nothing_when_refused(world):
    await add(
        world,
        reason("DAMAGED", require_images=True, require_item_condition=True),
        entry(R.ITEM_CONDITION, "AS_NEW"),
        entry(R.REFUND_TYPE, "CASH", allowed_return_reasons=("DAMAGED",)),
        reason("LATE"),
    )
    await world.order()

    with pytest.raises(DomainErrors) as caught:
        await world.create(
            items=[
                ItemRequest("SKU-A", 1, reason_code="DAMAGED", item_condition="SHREDDED"),
                ItemRequest("SKU-B", 1, reason_code="LATE", refund_type="CASH"),
            ]
        )
    with pytest.raises(DomainErrors) as unknown_reason:
        await world.create(items=[ItemRequest("SKU-A", 1, reason_code="BORED")])

    assert codes(caught) == [
        (ErrorCode.REQUIREMENT_MISSING, "items[0].image_urls"),
        (ErrorCode.UNKNOWN_CODE, "items[0].item_condition"),
        (ErrorCode.INVALID_INPUT, "items[1].refund_type"),
    ]
    assert codes(unknown_reason) == [(ErrorCode.UNKNOWN_CODE, "items[0].reason_code")]
    assert "'BORED'" in unknown_reason.value.message
    assert (await row_counts(world))["requests"] == 0
    assert await world.outbox_count() == 0

    created = await world.create(
        items=[
            ItemRequest(
                "SKU-A",
                1,
                reason_code="DAMAGED",
                item_condition="AS_NEW",
                image_urls=("https://img.example/1.jpg",),
                refund_type="CASH",
            )
        ]
    )
    assert (await world.load(created.id)).items[0].refund_type == "CASH"


async def test_a_code_configured_later_is_enforced_from_the_next_command_on(world):
    await world.order()
    await world.create(items=items(("SKU-A", 1), reason_code="free text"))

    await add(world, reason("DAMAGED"))

    with pytest.raises(DomainErrors) as caught:
        await world.create(items=items(("SKU-A", 1), reason_code="free text"))
    assert codes(caught) == [(ErrorCode.UNKNOWN_CODE, "items[0].reason_code")]


@pytest.mark.parametrize("ships", [True, False], ids=["with shipment", "without shipment"])
async def test_a_request_with_auto_approving_reasons_is_stored_approved(world, ships):
    await add(world, reason("DAMAGED", auto_approve=True, reverse_shipment_create_enabled=ships))
    await add_locations(world, WAREHOUSE)
    await upsert(world, default_dropoff_locations={"AE": "WH-DXB-1"})
    await world.order()

    created = await world.create(items=items(("SKU-A", 2), reason_code="DAMAGED"), dropoff=None)

    loaded = await world.load(created.id)
    assert loaded.status == ReturnStatus.APPROVED
    assert loaded.details.dropoff == LOCATION_DROPOFF
    assert loaded.approved_at == world.clock.now()
    assert [(i.sku, i.approved_quantity) for i in loaded.items] == [("SKU-A", 2)]
    if ships:
        [shipment] = loaded.shipments
        assert (shipment.status, shipment.items) == (ShipmentStatus.CREATED, [("SKU-A", 2)])
    else:
        assert loaded.shipments == []
    events = await world.outbox(created.id)
    expected = ["ReturnRequested", "ReturnStatusChanged"] + (
        ["ReverseShipmentCreated"] if ships else []
    )
    assert [e.event_type for e in events] == expected
    approved = events[1]
    assert (approved.previous_status, approved.new_status) == ("PENDING", "APPROVED")
    assert (approved.actor_source, approved.actor_user) == ("SYSTEM", "auto-approve")
    assert events[0].actor_source == "API"


async def test_a_request_with_a_manual_reason_waits_for_approval(world):
    await add(world, reason("DAMAGED", auto_approve=True), reason("CHANGED_MIND"))
    await world.order()

    created = await world.create(
        items=[ItemRequest("SKU-A", 1, "DAMAGED"), ItemRequest("SKU-B", 1, "CHANGED_MIND")]
    )

    assert (await world.load(created.id)).status == ReturnStatus.PENDING
    assert [e.event_type for e in await world.outbox(created.id)] == ["ReturnRequested"]


@pytest.mark.parametrize(
    ("reasons", "ships"),
    [(("KEEP", "KEEP"), False), (("KEEP", "SHIP"), True), (("SHIP", "SHIP"), True)],
    ids=["no reason ships", "one reason ships", "every reason ships"],
)
async def test_approve_opens_a_shipment_only_when_a_stored_reason_asks_for_one(
    world, reasons, ships
):
    await add(world, reason("SHIP"), reason("KEEP", reverse_shipment_create_enabled=False))
    await world.order()
    specs = [ItemRequest("SKU-A", 1, reasons[0]), ItemRequest("SKU-B", 1, reasons[1])]
    created = await world.create(items=specs)

    await world.run(services.approve_return, c.ApproveReturn(return_request_id=created.id))

    loaded = await world.load(created.id)
    assert loaded.status == ReturnStatus.APPROVED
    assert len(loaded.shipments) == (1 if ships else 0)


async def test_approve_ships_free_text_reasons_when_no_reason_is_configured(world):
    await add(world, entry(R.RESOLUTION, "EXCHANGE"))
    await world.order()
    created = await world.create(items=items(("SKU-A", 1), reason_code="whatever"))

    await world.run(services.approve_return, c.ApproveReturn(return_request_id=created.id))

    assert len((await world.load(created.id)).shipments) == 1


async def test_the_stored_default_dropoff_applies_on_create_and_on_approve(world):
    await add_locations(world, WAREHOUSE, BRANCH)
    await upsert(world, default_dropoff_locations={"AE": "WH-DXB-1", "SA": "BR-RUH-1"})
    await world.order()

    on_create = await world.create(items={"SKU-A": 1}, dropoff=None)
    later = await world.create(items={"SKU-B": 1}, pickup=None, dropoff=None)
    assert (await world.load(on_create.id)).details.dropoff == LOCATION_DROPOFF
    assert (await world.load(later.id)).details.dropoff is None

    saudi = Address(contact_name="Omar", address1="Olaya Street", country="SA")
    await world.run(
        services.update_return,
        c.UpdateReturn(return_request_id=later.id, changes={"pickup": saudi}),
    )
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=later.id))

    approved = await world.load(later.id)
    assert approved.status == ReturnStatus.APPROVED
    assert approved.details.dropoff == Address(partner_location_id="BR-RUH-1")
    assert approved.shipments[0].dropoff == Address(partner_location_id="BR-RUH-1")


async def test_stored_settings_allow_undelivered_items_and_pickup_location_choice(world):
    lines = {"SKU-A": (3, 1, Decimal("10.00")), "SKU-U": (2, 0, Decimal("5.00"))}
    await add_locations(world, WAREHOUSE, BRANCH)
    await world.order(lines=lines)
    branch_pickup = Address(partner_location_id="BR-RUH-1")

    await upsert(world)
    with pytest.raises(DomainErrors) as strict:
        await world.create(items={"SKU-A": 3, "SKU-U": 2}, pickup=branch_pickup)
    assert codes(strict) == [
        (ErrorCode.INVALID_INPUT, "pickup.partner_location_id"),
        (ErrorCode.QUANTITY_EXCEEDED, "items[0].quantity"),
        (ErrorCode.NOT_RETURNABLE, "items[1].sku"),
    ]

    await upsert(world, allow_undelivered_items=True, allow_pickup_location_selection=True)
    created = await world.create(items={"SKU-A": 3, "SKU-U": 2}, pickup=branch_pickup)
    loaded = await world.load(created.id)
    assert loaded.item_quantities() == (("SKU-A", 3), ("SKU-U", 2))
    assert loaded.details.pickup == branch_pickup
    with pytest.raises(DomainErrors) as unknown:
        await world.create(items={"SKU-A": 1}, pickup=Address(partner_location_id="GHOST"))
    assert (ErrorCode.UNKNOWN_CODE, "pickup.partner_location_id") in codes(unknown)


async def test_the_rule_sources_read_at_once_are_the_ones_read_one_by_one(world):
    """Every write reads a merchant's settings, codes and locations in one statement on
    PostgreSQL; they must be what the three reads of the repository give."""
    await add_locations(world, WAREHOUSE, BRANCH)
    await add(world, *EVERY_KIND)
    await upsert(world, allowed_days_for_return=30, default_dropoff_locations={"AE": "WH-DXB-1"})

    async with world.uow() as uow:
        at_once = await uow.configuration.rule_sources(MERCHANT)
        nothing = await uow.configuration.rule_sources("no-such-merchant")
    one_by_one = await stored(world)

    assert at_once == (one_by_one.settings, one_by_one.entries, one_by_one.locations)
    assert len(at_once[1]) == len(EVERY_KIND) and len(at_once[2]) == 2
    assert nothing == (None, [], [])

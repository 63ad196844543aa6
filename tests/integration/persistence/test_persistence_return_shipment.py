"""createReturnShipment on the real stack: the request and its reverse shipment are written in
one transaction, judged by the same rules as createReturn and approveReturn, or not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import configuration_services as config
from domain import services
from domain.errors import DomainError, ErrorCode
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest
from domain.reference import DeliveryOption, PickupLocation, ReturnSettings
from domain.values import Address
from tests.integration.persistence.conftest import ACTOR, MERCHANT

HOME = Address(address1="12 Al Wasl Road", city="Dubai", country="AE")
WAREHOUSE = PickupLocation(
    MERCHANT, "wh1", "Dubai warehouse", Address(address1="Al Quoz 3", country="AE")
)
ARAMEX = DeliveryOption(MERCHANT, "156", "Aramex reverse", "aramex")


def shipment(reference: str = "ORD-1", **fields) -> c.CreateReturnShipment:
    values = {"order_reference": reference, "delivery_option_id": "156", "channel": "OTO"}
    return c.CreateReturnShipment(actor=ACTOR, **(values | fields))


async def configure(world, *, default_dropoff: bool = False) -> None:
    await config.save_location(WAREHOUSE, uow=world.uow(), new=True)
    await config.save_delivery_option(ARAMEX, uow=world.uow(), new=True)
    if default_dropoff:
        settings = ReturnSettings(MERCHANT, default_dropoff_locations={"AE": "wh1"})
        await config.upsert_settings(settings, uow=world.uow())


async def test_creates_an_approved_request_with_its_reverse_shipment_in_one_go(world):
    await configure(world)
    await world.order(delivery_address=HOME)
    items = [ItemRequest("SKU-A", 1)]
    request = await world.run(
        services.create_return_shipment,
        shipment(items=items, dropoff_location_code="wh1"),
    )
    stored = await world.load(request.id)
    assert stored.status == ReturnStatus.APPROVED
    assert stored.details.channel == "OTO"
    assert [(i.sku, i.quantity, i.approved_quantity) for i in stored.items] == [("SKU-A", 1, 1)]
    assert stored.details.pickup == Address(
        contact_name="Layla Haddad",
        contact_phone="+971500000000",
        contact_email="layla@example.com",
        address1="12 Al Wasl Road",
        city="Dubai",
        country="AE",
    )
    assert stored.details.dropoff == Address(partner_location_id="wh1")
    [reverse] = stored.shipments
    assert (reverse.carrier, reverse.delivery_option_id, reverse.items) == (
        "aramex",
        "156",
        [("SKU-A", 1)],
    )
    assert [e.event_type for e in await world.outbox(request.id)] == [
        "ReturnRequested",
        "ReturnStatusChanged",
        "ReverseShipmentCreated",
    ]


async def test_without_items_every_returnable_unit_goes_back(world):
    await configure(world, default_dropoff=True)
    await world.order(delivery_address=HOME)
    await world.create(items={"SKU-A": 1}, dropoff=Address(partner_location_id="wh1"))
    request = await world.run(services.create_return_shipment, shipment())
    assert {i.sku: i.quantity for i in request.items} == {"SKU-A": 2, "SKU-B": 2}
    assert request.details.dropoff == Address(partner_location_id="wh1")


async def test_the_merchant_is_found_from_the_order_reference_or_must_be_named(world):
    await world.order(delivery_address=HOME, merchant="acme")
    await world.order(delivery_address=HOME, merchant="globex")
    with pytest.raises(DomainError) as raised:
        await world.run(services.create_return_shipment, shipment(dropoff_location_code="wh1"))
    assert (raised.value.code, raised.value.field) == (ErrorCode.INVALID_INPUT, "merchant")
    request = await world.run(
        services.create_return_shipment, shipment(merchant="globex", dropoff_location_code="wh1")
    )
    assert request.merchant == "globex"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (shipment("ORD-404"), ErrorCode.NOT_FOUND),
        (shipment(delivery_option_id="999", dropoff_location_code="wh1"), ErrorCode.UNKNOWN_CODE),
        (shipment(dropoff_location_code="nowhere"), ErrorCode.UNKNOWN_CODE),
        (
            shipment(items=[ItemRequest("SKU-A", 4)], dropoff_location_code="wh1"),
            ErrorCode.QUANTITY_EXCEEDED,
        ),
        (
            shipment(items=[ItemRequest("SKU-Z", 1)], dropoff_location_code="wh1"),
            ErrorCode.UNKNOWN_SKU,
        ),
        (
            shipment(items=[ItemRequest("SKU-A", 0)], dropoff_location_code="wh1"),
            ErrorCode.INVALID_QUANTITY,
        ),
        (shipment(), ErrorCode.MISSING_DROPOFF),
    ],
)
async def test_a_refused_shipment_writes_nothing(world, command, code):
    await configure(world)
    await world.order(delivery_address=HOME)
    with pytest.raises(DomainError) as raised:
        await world.run(services.create_return_shipment, command)
    assert raised.value.code == code
    assert await world.outbox_count() == 0
    async with world.uow() as uow:
        assert await uow.returns.for_order(MERCHANT, "ORD-1") == []


async def test_an_order_without_delivery_address_has_no_pickup(world):
    await world.order()
    with pytest.raises(DomainError) as raised:
        await world.run(services.create_return_shipment, shipment(dropoff_location_code="wh1"))
    assert raised.value.code == ErrorCode.MISSING_PICKUP
    assert await world.outbox_count() == 0


async def test_only_delivered_orders_can_be_returned(world):
    await world.order(lines={"SKU-A": (1, 0, Decimal("10"))}, delivery_address=HOME)
    with pytest.raises(DomainError) as raised:
        await world.run(services.create_return_shipment, shipment(dropoff_location_code="wh1"))
    assert raised.value.code == ErrorCode.NOT_RETURNABLE


async def test_another_tenants_order_is_not_found(world):
    await world.order(delivery_address=HOME, tenant_id="other-co")
    with pytest.raises(DomainError) as raised:
        await world.run(services.create_return_shipment, shipment(dropoff_location_code="wh1"))
    assert raised.value.code == ErrorCode.NOT_FOUND

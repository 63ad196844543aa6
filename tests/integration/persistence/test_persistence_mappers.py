"""Row ⇄ domain mappers through the real database: what one unit of work saves is what the
next one loads, field by field and type by type, with money exact and times aware UTC."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import StatementError

from domain import commands as c
from domain import services
from domain.eligibility import ANY_CODE, BaseRules
from domain.lifecycle import ReturnStatus
from domain.orders import Customer, Order, OrderLine
from domain.parts import ItemRequest, ShipmentStatus
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Actor, Address, TimeWindow
from domain.webhooks import WebhookEndpoint
from persistence import mappers, queries
from persistence.tables import (
    ItemsUpdateRow,
    RefundRow,
    ReturnItemRow,
    ReturnNoteRow,
    ReverseShipmentRow,
)

GULF = timezone(timedelta(hours=4))
ACTOR_TEMPLATE = Actor(source="REST", user="pure@acme.example")
RICH_LINES = {
    "SKU-A": (3, 3, Decimal("10.125")),
    "SKU-B": (2, 2, Decimal("49.50")),
    "SKU-C": (5, 5, Decimal("0.1")),
}
RICH_ITEM = ItemRequest(
    sku="SKU-A",
    quantity=3,
    reason_code="DAMAGED",
    comment="arrived scratched",
    comment_codes=("SCRATCH", "DENT"),
    image_urls=("https://img.example/1.jpg", "https://img.example/2.jpg"),
    item_condition="USED",
    resolution="REFUND",
    refund_type="CARD",
)


# --------------------------------------------------------------------------- comparison


def leaves(value: Any, path: str = "request") -> Iterator[tuple[str, Any]]:
    """Every scalar inside a domain object by its path, plus the type of every container."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield f"{path}<type>", type(value).__name__
        for f in dataclasses.fields(value):
            if f.name != "events":
                yield from leaves(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, list | tuple):
        yield f"{path}<type>", f"{type(value).__name__}[{len(value)}]"
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def assert_same(loaded: Any, expected: Any) -> None:
    """Equal values of the same types; Decimals digit for digit; datetimes aware UTC."""
    got, want = dict(leaves(loaded)), dict(leaves(expected))
    assert got == want
    for path, value in want.items():
        assert type(got[path]) is type(value), path
        if isinstance(value, Decimal):
            assert got[path].as_tuple() == value.as_tuple(), path
        if isinstance(value, datetime):
            assert got[path].utcoffset() == timedelta(0), path


def datetimes(value: Any) -> list[datetime]:
    return [leaf for _, leaf in leaves(value) if isinstance(leaf, datetime)]


# --------------------------------------------------------------------------- scenarios


async def rich_request(world) -> ReturnRequest:
    """PARTIALLY_RECEIVED with every part filled in, each step a use case at its own time."""
    await world.order("ORD-RICH", RICH_LINES, currency="KWD")
    rid = (
        await world.create(
            "ORD-RICH",
            [ItemRequest(sku="SKU-A", quantity=1, reason_code="DAMAGED")],
            channel="web",
            customer_comment="please collect after 5pm",
            resolution="REFUND",
            refund_method="ORIGINAL_PAYMENT",
            collection=TimeWindow(
                datetime(2025, 3, 2, 9, 0, 0, 500, tzinfo=GULF),
                datetime(2025, 3, 2, 17, 0, tzinfo=GULF),
            ),
        )
    ).id
    actor = world.actor
    steps: list[tuple[Any, Any]] = [
        (
            services.update_return,
            c.UpdateReturn(
                return_request_id=rid,
                actor=actor,
                items=[
                    RICH_ITEM,
                    ItemRequest(sku="SKU-B", quantity=2, reason_code="WRONG_SIZE"),
                    ItemRequest(sku="SKU-C", quantity=1, reason_code="DAMAGED"),
                ],
            ),
        ),
        (services.hold_return, c.HoldReturn(return_request_id=rid, actor=actor, reason="photos")),
        (services.resume_return, c.ResumeReturn(return_request_id=rid, actor=actor)),
        (services.assign_return, c.AssignReturn(return_request_id=rid, actor=actor, user="ops@x")),
        (services.add_return_note, c.AddReturnNote(return_request_id=rid, actor=actor, text="1")),
        (services.add_return_note, c.AddReturnNote(return_request_id=rid, actor=actor, text="2")),
        (
            services.approve_return,
            c.ApproveReturn(
                return_request_id=rid,
                actor=actor,
                quantities={"SKU-A": 3, "SKU-B": 1, "SKU-C": 1},
                rejection_reason="worn",
            ),
        ),
        (
            services.update_reverse_shipment,
            c.UpdateReverseShipment(
                return_request_id=rid,
                actor=actor,
                tracking_number="TRK-1",
                label_url="https://labels.example/TRK-1.pdf",
                carrier="aramex",
                in_transit=True,
            ),
        ),
        (
            services.add_refund,
            c.AddRefund(
                return_request_id=rid,
                actor=actor,
                amount=Decimal("10.125"),
                currency="KWD",
                reference="PAY-77",
                refund_type="CARD",
                note="first part",
                refund_date=datetime(2025, 3, 5, 1, 2, 3, 4, tzinfo=GULF),
            ),
        ),
        (
            services.add_refund,
            c.AddRefund(return_request_id=rid, actor=actor, amount=Decimal("0.1"), currency="KWD"),
        ),
        (
            services.receive_return,
            c.ReceiveReturn(
                return_request_id=rid,
                actor=actor,
                quantities={"SKU-A": 2},
                conditions={"SKU-A": "GOOD"},
            ),
        ),
    ]
    request = None
    for use_case, cmd in steps:
        world.clock.advance(minutes=7, microseconds=1)
        request = await world.run(use_case, cmd)
    assert request is not None
    return request


# --------------------------------------------------------------------------- tests


async def test_rich_request_round_trips_every_field(world):
    saved = await rich_request(world)

    loaded = await world.load(saved.id)

    assert_same(loaded, saved)
    assert loaded.status == ReturnStatus.PARTIALLY_RECEIVED
    assert loaded.version == 12
    assert [len(loaded.items), len(loaded.notes), len(loaded.refunds)] == [3, 2, 2]
    assert [len(loaded.shipments), len(loaded.items_updates)] == [1, 1]


async def test_rich_request_keeps_what_each_part_was_given(world):
    loaded = await world.load((await rich_request(world)).id)

    first = loaded.items[0]
    assert (first.sku, first.unit_price, first.currency) == ("SKU-A", Decimal("10.125"), "KWD")
    assert str(first.unit_price) == "10.125" and str(loaded.items[1].unit_price) == "49.50"
    assert first.comment_codes == ("SCRATCH", "DENT")
    assert first.image_urls == RICH_ITEM.image_urls
    assert (first.approved_quantity, first.received_quantity, first.returned_quantity) == (3, 2, 2)
    assert first.item_condition == "GOOD"
    assert loaded.items[1].rejection_reason == "worn"
    assert [str(r.amount) for r in loaded.refunds] == ["10.125", "0.1"]
    assert loaded.refunds[0].refund_date == datetime(2025, 3, 4, 21, 2, 3, 4, tzinfo=UTC)
    shipment = loaded.shipments[0]
    assert (shipment.carrier, shipment.status) == ("aramex", ShipmentStatus.IN_TRANSIT)
    assert shipment.items == [("SKU-A", 3), ("SKU-B", 1), ("SKU-C", 1)]
    assert (shipment.pickup, shipment.dropoff) == (world.pickup, world.dropoff)
    assert loaded.items_updates[0].previous == (("SKU-A", 1),)
    assert loaded.items_updates[0].current == (("SKU-A", 3), ("SKU-B", 2), ("SKU-C", 1))
    assert loaded.details.collection == TimeWindow(
        datetime(2025, 3, 2, 5, 0, 0, 500, tzinfo=UTC), datetime(2025, 3, 2, 13, 0, tzinfo=UTC)
    )
    assert (loaded.details.pickup, loaded.details.dropoff) == (world.pickup, world.dropoff)
    assert loaded.creation_source == loaded.update_source == world.actor
    assert all(moment.tzinfo is UTC for moment in datetimes(loaded))


async def test_completed_auto_closed_request_round_trips(world):
    await world.order()
    rid = (await world.create()).id
    world.clock.advance(days=1)
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    world.clock.advance(days=1)
    await world.run(
        services.receive_return,
        c.ReceiveReturn(return_request_id=rid, quantities={"SKU-A": 2, "SKU-B": 1}),
    )
    world.clock.advance(days=30)
    async with world.uow() as uow:
        request = await uow.returns.get(rid)
        request.auto_close(at=world.clock.now(), actor=world.actor, idle_days=30)
        await uow.returns.save(request)
        await uow.commit()

    loaded = await world.load(rid)

    assert_same(loaded, request)
    assert loaded.auto_closed is True
    assert loaded.auto_closed_at == loaded.completed_at == world.clock.now()
    assert loaded.received_at is not None and loaded.shipments[0].status == "DELIVERED"


async def test_rejected_and_cancelled_requests_round_trip(world):
    await world.order(lines={"SKU-A": (3, 3, Decimal("1.5")), "SKU-B": (2, 2, Decimal("2"))})
    rejected = (await world.create(items={"SKU-A": 1})).id
    cancelled = (await world.create(items={"SKU-B": 1})).id
    world.clock.advance(hours=2)
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=cancelled))
    rej = await world.run(
        services.reject_return, c.RejectReturn(return_request_id=rejected, reason="too late")
    )
    can = await world.run(services.cancel_return, c.CancelReturn(return_request_id=cancelled))

    assert_same(await world.load(rejected), rej)
    assert_same(await world.load(cancelled), can)
    assert (rej.rejection_reason, rej.rejected_at) == ("too late", world.clock.now())
    assert can.shipments[0].status == ShipmentStatus.CANCELLED


async def test_split_parts_round_trip(world):
    await world.order()
    rid = (await world.create(items={"SKU-A": 3, "SKU-B": 2})).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    world.clock.advance(minutes=1)

    original, new = await world.run(
        services.split_return,
        c.SplitReturn(return_request_id=rid, quantities={"SKU-A": 1}, pickup_location_id="BR-9"),
    )

    assert_same(await world.load(original.id), original)
    assert_same(await world.load(new.id), new)
    assert new.split_from == rid and new.details.pickup == Address(partner_location_id="BR-9")
    assert (await world.load(new.id)).version == 1


async def test_order_round_trips_through_repository_and_loader(world):
    saved = await world.order(
        "ORD-7",
        {"SKU-A": (3, 3, Decimal("10.125")), "SKU-Z": (2, 0, Decimal("0.10"))},
        currency="KWD",
        customer=Customer("Omar", "omar@example.com", None),
        delivery_address=Address(address1="1 Gulf Rd", city="Kuwait City", country="KW"),
    )

    async with world.uow() as uow:
        by_repository = await uow.orders.get("acme", "ORD-7")
    async with world.db.reading() as reads:
        by_loader = await queries.load_orders(reads, "default", [("acme", "ORD-7")])

    assert by_repository == saved
    assert by_loader == {("acme", "ORD-7"): saved}
    assert_same(by_repository, saved)
    assert saved.created_at == saved.updated_at == world.clock.now()
    assert [str(line.unit_price) for line in by_repository.lines] == ["10.125", "0.10"]
    assert by_repository.lines[1].delivered_at is None


def in_memory_request(at: datetime) -> tuple[ReturnRequest, ReturnRequest]:
    """A rich APPROVED request and the part split off it, built by domain methods alone."""
    order = Order(
        "acme",
        "ORD-1",
        "KWD",
        lines=[OrderLine(s, s, q, p, d, at) for s, (q, d, p) in RICH_LINES.items()],
    )
    actor = ACTOR_TEMPLATE
    request = ReturnRequest.create(
        order=order,
        items=[RICH_ITEM, ItemRequest(sku="SKU-B", quantity=2)],
        already_requested={},
        rules=BaseRules(),
        at=at,
        actor=actor,
        details=RequestDetails(
            pickup=Address(address1="1 Road", country="AE"),
            dropoff=Address(partner_location_id="WH-1"),
            collection=TimeWindow(at, at + timedelta(hours=4)),
        ),
    )
    request.add_note(text="hello", at=at, actor=actor)
    request.approve(
        at=at,
        actor=actor,
        rules=BaseRules(),
        quantities={"SKU-A": 3, "SKU-B": 1},
        rejection_reason="worn",
    )
    request.add_refund(rules=ANY_CODE, amount=Decimal("10.125"), currency="KWD", at=at, actor=actor)
    new = request.split(rules=ANY_CODE, at=at, actor=actor, quantities={"SKU-A": 1})
    return request, new


def test_mappers_round_trip_without_a_database():
    """The pure pair alone: to rows and straight back gives the same aggregate."""
    request, _ = in_memory_request(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))

    rows = mappers.children_values(request, "t1")
    back = mappers.request_from_rows(
        mappers.request_values(request, "t1"),
        items=[mappers.item_from_row(r) for r in rows[ReturnItemRow]],
        notes=[mappers.note_from_row(r) for r in rows[ReturnNoteRow]],
        refunds=[mappers.refund_from_row(r) for r in rows[RefundRow]],
        shipments=[mappers.shipment_from_row(r) for r in rows[ReverseShipmentRow]],
        items_updates=[mappers.items_update_from_row(r) for r in rows[ItemsUpdateRow]],
    )

    assert_same(back, request)
    assert len(back.items_updates) == 1 and len(back.shipments) == 1


async def test_added_then_saved_aggregates_round_trip_through_the_batch_loader(world):
    """Written by `add` and then `save` (children deleted and rewritten), read back by the
    loader the GraphQL side uses."""
    request, new = in_memory_request(world.clock.now())
    async with world.uow() as uow:
        await uow.returns.add(request)
        await uow.returns.add(new)
        await uow.commit()
    at = world.clock.advance(hours=3, microseconds=7)
    request.receive(
        rules=ANY_CODE,
        at=at,
        actor=ACTOR_TEMPLATE,
        quantities={"SKU-A": 1},
        conditions={"SKU-A": "OK"},
    )
    request.add_note(text="received one", at=at, actor=ACTOR_TEMPLATE)
    async with world.uow() as uow:
        await uow.returns.save(request)
        await uow.commit()

    loaded = await world.read([request.id, new.id])

    assert (request.version, new.version) == (2, 1)
    assert_same(loaded[request.id], request)
    assert_same(loaded[new.id], new)
    assert loaded[request.id].status == ReturnStatus.PARTIALLY_RECEIVED
    assert [n.text for n in loaded[request.id].notes] == ["hello", "received one"]


async def test_times_in_other_offsets_come_back_as_the_same_instant_in_utc(world):
    world.clock.set(datetime(2025, 6, 1, 23, 30, 0, 42, tzinfo=GULF))
    await world.order()
    request = await world.create()

    loaded = (await world.read([request.id]))[request.id]

    assert loaded.created_at == datetime(2025, 6, 1, 19, 30, 0, 42, tzinfo=UTC)
    assert loaded.created_at.tzinfo is UTC


async def test_naive_datetimes_are_refused_not_stored(world):
    await world.order()
    world.clock.set(datetime(2025, 3, 1, 12, 0))  # no tzinfo

    with pytest.raises(StatementError, match="naive datetimes"):
        await world.create()

    assert await world.outbox_count() == 0


def test_webhook_endpoints_round_trip_without_a_database():
    endpoint = WebhookEndpoint.register(
        url="https://hooks.example.com/r",
        event_types=("ReturnStatusChanged", "RefundAdded"),
        merchant="acme",
        now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )

    row = mappers.webhook_endpoint_values(endpoint, "t")

    assert row["tenant_id"] == "t"
    assert mappers.webhook_endpoint_from_row(row) == endpoint

"""Repositories and the unit of work: missing and foreign ids, tenant scoping, optimistic
concurrency, failed commands that write nothing, units held by live requests, order upserts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import services
from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest
from domain.values import Address

LINES = {"SKU-A": (5, 5, Decimal("10.00")), "SKU-B": (3, 3, Decimal("4.25"))}


async def snapshot(world, request_id: str) -> tuple[int, str, int]:
    """What a failed command must leave untouched: version, status and the outbox size."""
    row = await world.header(request_id)
    assert row is not None
    return row.version, row.status, await world.outbox_count()


# --------------------------------------------------------------------------- lookups, tenants


async def test_repository_get_loads_a_saved_request(world):
    await world.order(lines=LINES)
    created = await world.create()

    async with world.uow() as uow:
        loaded = await uow.returns.get(created.id)

    assert (loaded.id, loaded.version, loaded.status) == (created.id, 1, ReturnStatus.PENDING)


async def test_get_of_a_missing_id_is_not_found(world):
    async with world.uow() as uow:
        with pytest.raises(NotFound) as caught:
            await uow.returns.get("RR-MISSING1")

    assert caught.value.code == ErrorCode.NOT_FOUND
    assert caught.value.field == "return_request_id"


async def test_a_request_of_another_tenant_is_not_found(world):
    await world.order(lines=LINES, tenant_id="t1")
    request = await world.create(tenant_id="t1")

    with pytest.raises(NotFound):
        await world.load(request.id, tenant_id="t2")
    with pytest.raises(NotFound):
        await world.run(
            services.hold_return, c.HoldReturn(return_request_id=request.id), tenant_id="t2"
        )

    assert (await world.load(request.id, tenant_id="t1")).status == ReturnStatus.PENDING
    assert await world.version(request.id) == 1


async def test_orders_and_live_quantities_are_tenant_scoped(world):
    await world.order(lines=LINES, tenant_id="t1")
    await world.create(items={"SKU-A": 4}, tenant_id="t1")

    async with world.uow("t2") as uow:
        assert await uow.orders.get("acme", "ORD-1") is None
        assert await uow.returns.live_quantities("acme", "ORD-1") == {}
    with pytest.raises(NotFound, match="order ORD-1"):
        await world.create(items={"SKU-A": 1}, tenant_id="t2")

    # t2 may ingest the same order reference and return all of it: t1's request holds nothing.
    await world.order(lines=LINES, tenant_id="t2")
    await world.create(items={"SKU-A": 5}, tenant_id="t2")
    async with world.uow("t1") as uow:
        assert await uow.returns.live_quantities("acme", "ORD-1") == {"SKU-A": 4}
    async with world.uow("t2") as uow:
        assert await uow.returns.live_quantities("acme", "ORD-1") == {"SKU-A": 5}


# --------------------------------------------------------------------------- versions


async def test_version_starts_at_one_and_grows_by_one_per_save(world):
    await world.order(lines=LINES)
    request = await world.create()
    assert (request.version, await world.version(request.id)) == (1, 1)

    for expected in (2, 3, 4):
        saved = await world.run(
            services.add_return_note, c.AddReturnNote(return_request_id=request.id, text="x")
        )
        assert saved.version == expected
        assert await world.version(request.id) == expected
        assert (await world.load(request.id)).version == expected


async def test_second_of_two_saves_from_the_same_version_conflicts_and_first_is_kept(world):
    """Both read version 1 before either writes; only the first save may land."""
    await world.order(lines=LINES)
    rid = (await world.create()).id
    async with world.uow() as one:
        mine = await one.returns.get(rid)
    async with world.uow() as other:
        theirs = await other.returns.get(rid)

    async with world.uow() as one:
        mine.add_note(text="mine", at=world.clock.now(), actor=world.actor)
        await one.returns.save(mine)
        await one.commit()
    async with world.uow() as other:
        theirs.add_note(text="theirs", at=world.clock.now(), actor=world.actor)
        with pytest.raises(VersionConflict):
            await other.returns.save(theirs)
        await other.commit()  # nothing of theirs may land even if the caller commits anyway

    stored = await world.load(rid)
    assert [n.text for n in stored.notes] == ["mine"]
    assert stored.version == 2
    assert [e.event_type for e in await world.outbox(rid)] == ["ReturnRequested", "NoteAdded"]


async def test_stale_expected_version_is_a_conflict_and_writes_nothing(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    await world.run(services.add_return_note, c.AddReturnNote(return_request_id=rid, text="a"))
    before = await snapshot(world, rid)

    with pytest.raises(VersionConflict, match="version 2, not 1"):
        await world.run(
            services.hold_return, c.HoldReturn(return_request_id=rid, expected_version=1)
        )

    assert await snapshot(world, rid) == before
    assert (await world.load(rid)).status == ReturnStatus.PENDING


async def test_current_expected_version_is_accepted(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id

    held = await world.run(
        services.hold_return, c.HoldReturn(return_request_id=rid, expected_version=1)
    )

    assert (held.status, held.version, await world.version(rid)) == (ReturnStatus.ON_HOLD, 2, 2)


# --------------------------------------------------------------------------- failed commands


FAILING = {
    "approve-without-dropoff": (
        None,
        lambda rid: (services.approve_return, c.ApproveReturn(return_request_id=rid)),
        ErrorCode.MISSING_DROPOFF,
    ),
    "approve-over-quantity": (
        "WH-1",
        lambda rid: (
            services.approve_return,
            c.ApproveReturn(return_request_id=rid, quantities={"SKU-A": 3}),
        ),
        ErrorCode.QUANTITY_EXCEEDED,
    ),
    "update-over-quantity": (
        "WH-1",
        lambda rid: (
            services.update_return,
            c.UpdateReturn(
                return_request_id=rid, items=[ItemRequest("SKU-A", 6)], changes={"resolution": "X"}
            ),
        ),
        ErrorCode.QUANTITY_EXCEEDED,
    ),
    "refund-before-approval": (
        "WH-1",
        lambda rid: (
            services.add_refund,
            c.AddRefund(return_request_id=rid, amount=Decimal(1), currency="AED"),
        ),
        ErrorCode.INVALID_TRANSITION,
    ),
}


@pytest.mark.parametrize(("dropoff", "command", "code"), FAILING.values(), ids=FAILING.keys())
async def test_a_failed_command_writes_nothing(world, dropoff, command, code):
    await world.order(lines=LINES)
    location = Address(partner_location_id=dropoff) if dropoff else None
    rid = (await world.create(dropoff=location)).id
    before = await snapshot(world, rid)
    use_case, cmd = command(rid)

    with pytest.raises(DomainError) as caught:
        await world.run(use_case, cmd)

    assert caught.value.code == code
    assert await snapshot(world, rid) == before
    stored = await world.load(rid)
    assert stored.status == ReturnStatus.PENDING
    assert stored.item_quantities() == (("SKU-A", 2), ("SKU-B", 1))
    assert stored.details.resolution is None and stored.items_updates == []


async def test_an_over_long_rejection_reason_is_invalid_input_when_rejecting(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    before = await snapshot(world, rid)

    with pytest.raises(DomainError) as caught:
        await world.run(
            services.reject_return, c.RejectReturn(return_request_id=rid, reason="x" * 201)
        )

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert await snapshot(world, rid) == before


async def test_an_over_long_rejection_reason_is_invalid_input_when_approving_part(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    before = await snapshot(world, rid)

    with pytest.raises(DomainError) as caught:
        await world.run(
            services.approve_return,
            c.ApproveReturn(
                return_request_id=rid, quantities={"SKU-A": 1}, rejection_reason="x" * 201
            ),
        )

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert await snapshot(world, rid) == before


async def test_a_refused_create_writes_no_request_and_no_event(world):
    await world.order(lines=LINES)

    with pytest.raises(DomainError) as caught:
        await world.create(items={"SKU-A": 6})

    assert caught.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert await world.outbox_count() == 0
    async with world.uow() as uow:
        assert await uow.returns.live_quantities("acme", "ORD-1") == {}


async def test_leaving_the_unit_of_work_without_commit_rolls_back(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    before = await snapshot(world, rid)

    async with world.uow() as uow:
        request = await uow.returns.get(rid)
        request.hold(at=world.clock.now(), actor=world.actor)
        await uow.returns.save(request)

    assert await snapshot(world, rid) == before


# --------------------------------------------------------------------------- live quantities


async def test_live_quantities_count_requested_minus_rejected_of_live_requests(world):
    await world.order(lines={"SKU-A": (9, 9, Decimal("1")), "SKU-B": (9, 9, Decimal("1"))})
    partly = (await world.create(items={"SKU-A": 3, "SKU-B": 2})).id
    await world.run(
        services.approve_return,
        c.ApproveReturn(
            return_request_id=partly, quantities={"SKU-A": 1, "SKU-B": 2}, rejection_reason="r"
        ),
    )
    pending = (await world.create(items={"SKU-A": 1, "SKU-B": 1})).id
    cancelled = (await world.create(items={"SKU-A": 2})).id
    rejected = (await world.create(items={"SKU-B": 4})).id
    await world.run(services.cancel_return, c.CancelReturn(return_request_id=cancelled))
    await world.run(services.reject_return, c.RejectReturn(return_request_id=rejected, reason="x"))

    async with world.uow() as uow:
        held = await uow.returns.live_quantities("acme", "ORD-1")
        without_pending = await uow.returns.live_quantities("acme", "ORD-1", exclude=pending)
        without_partly = await uow.returns.live_quantities("acme", "ORD-1", exclude=partly)
        other_order = await uow.returns.live_quantities("acme", "ORD-2")
        other_merchant = await uow.returns.live_quantities("globex", "ORD-1")

    assert held == {"SKU-A": 1 + 1, "SKU-B": 2 + 1}
    assert without_pending == {"SKU-A": 1, "SKU-B": 2}
    assert without_partly == {"SKU-A": 1, "SKU-B": 1}
    assert other_order == other_merchant == {}


async def test_released_units_can_be_requested_again(world):
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 5})).id
    with pytest.raises(DomainError, match="only 0 can still be returned"):
        await world.create(items={"SKU-A": 1})

    await world.run(services.cancel_return, c.CancelReturn(return_request_id=rid))

    assert (await world.create(items={"SKU-A": 5})).status == ReturnStatus.PENDING


async def test_updating_items_does_not_count_the_request_against_itself(world):
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 4})).id

    updated = await world.run(
        services.update_return,
        c.UpdateReturn(return_request_id=rid, items=world.items({"SKU-A": 5, "SKU-B": 3})),
    )

    assert updated.item_quantities() == (("SKU-A", 5), ("SKU-B", 3))
    assert (await world.load(rid)).item_quantities() == (("SKU-A", 5), ("SKU-B", 3))


# --------------------------------------------------------------------------- orders


async def test_order_upsert_replaces_lines_and_keeps_created_at(world):
    first = await world.order(lines=LINES)
    created = first.created_at
    world.clock.advance(days=2)

    second = await world.order(
        lines={"SKU-B": (4, 4, Decimal("4.30")), "SKU-N": (1, 0, Decimal("7"))}
    )

    async with world.uow() as uow:
        stored = await uow.orders.get("acme", "ORD-1")
    assert stored == second
    assert [line.sku for line in stored.lines] == ["SKU-B", "SKU-N"]
    assert stored.line("SKU-B").unit_price == Decimal("4.30")
    assert stored.created_at == created
    assert stored.updated_at == world.clock.now() != created


async def test_order_upsert_refuses_to_deliver_fewer_than_live_requests_hold(world):
    await world.order(lines=LINES)
    await world.create(items={"SKU-A": 3, "SKU-B": 1})

    with pytest.raises(DomainError) as shrunk:
        await world.order(lines={"SKU-A": (5, 2, Decimal("10.00")), "SKU-B": LINES["SKU-B"]})
    with pytest.raises(DomainError) as dropped:
        await world.order(lines={"SKU-A": LINES["SKU-A"]})

    assert shrunk.value.code == dropped.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert "SKU-A" in shrunk.value.message and "SKU-B" in dropped.value.message
    async with world.uow() as uow:
        stored = await uow.orders.get("acme", "ORD-1")
    assert [(line.sku, line.delivered_quantity) for line in stored.lines] == [
        ("SKU-A", 5),
        ("SKU-B", 3),
    ]
    # Shrinking down to exactly what is held is fine.
    await world.order(lines={"SKU-A": (5, 3, Decimal("10.00")), "SKU-B": (3, 1, Decimal("4.25"))})

"""The use cases on an in-memory unit of work: what they store, what they refuse, which
rules they judge by, and how they retry a lost race, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import services
from domain.commands import OrderLineSpec
from domain.errors import DomainError, ErrorCode, InvalidTransition, VersionConflict
from domain.events import (
    NoteAdded,
    ReturnRequested,
    ReturnSplit,
    ReturnStatusChanged,
    ReverseShipmentCreated,
)
from domain.lifecycle import ReturnStatus
from domain.reference import Address, PickupLocation, ReferenceEntry, ReferenceKind
from tests.unit.domain.conftest import ACTOR, DELIVERED_AT, MERCHANT, ORDER_REFERENCE
from tests.unit.services.memory import MemoryStore, MemoryUnitOfWork


async def test_create_stores_the_request_and_its_event_in_one_commit(create, store) -> None:
    request = await create()

    assert store.returns[request.id].status == ReturnStatus.PENDING
    assert store.returns[request.id].version == 1
    assert [type(event) for _, event in store.events] == [ReturnRequested]
    assert store.commits == 1


async def test_create_over_what_live_requests_hold_is_refused_and_stores_nothing(
    create, store
) -> None:
    await create({"SKU-A": 2})

    with pytest.raises(DomainError) as refused:
        await create({"SKU-A": 2})  # 3 delivered, 2 already held

    assert refused.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert len(store.returns) == 1
    assert store.commits == 1


async def test_a_refused_change_commits_nothing_and_publishes_no_event(create, run, store) -> None:
    request = await create()
    events_before = list(store.events)

    with pytest.raises(InvalidTransition):
        await run(
            services.receive_return,
            c.ReceiveReturn(actor=ACTOR, return_request_id=request.id, quantities={"SKU-A": 1}),
        )  # not approved yet

    assert store.returns[request.id].status == ReturnStatus.PENDING
    assert store.returns[request.id].version == 1
    assert store.events == events_before


async def test_approve_stores_the_new_status_its_events_and_the_next_version(
    create, run, store
) -> None:
    request = await create()

    approved = await run(
        services.approve_return, c.ApproveReturn(actor=ACTOR, return_request_id=request.id)
    )

    assert approved.version == 2
    assert store.returns[request.id].status == ReturnStatus.APPROVED
    assert [type(event) for _, event in store.events[1:]] == [
        ReturnStatusChanged,
        ReverseShipmentCreated,
    ]


# --------------------------------------------------------------------------- merchant rules


def _configure_codes(store: MemoryStore) -> None:
    """A merchant that has adopted codes of every kind the use cases judge, and one dropoff."""
    for kind, code in [
        (ReferenceKind.REJECTION_REASON, "OUTSIDE_POLICY"),
        (ReferenceKind.ITEM_CONDITION, "AS_NEW"),
        (ReferenceKind.REFUND_TYPE, "STORE_CREDIT"),
        (ReferenceKind.RESOLUTION, "REFUND"),
    ]:
        store.entries[(kind, MERCHANT, code)] = ReferenceEntry(kind, MERCHANT, code, code.title())
    store.locations[(MERCHANT, "WH-DXB-1")] = PickupLocation(
        MERCHANT, "WH-DXB-1", "Dubai", Address(address1="Warehouse 1", country="AE")
    )


async def _approved(create, run) -> str:
    request = await create()
    await run(services.approve_return, c.ApproveReturn(actor=ACTOR, return_request_id=request.id))
    return request.id


async def _reject(create, run, code: str) -> None:
    request = await create()
    cmd = c.RejectReturn(actor=ACTOR, return_request_id=request.id, reason=code)
    await run(services.reject_return, cmd)


async def _receive(create, run, code: str) -> None:
    rid = await _approved(create, run)
    cmd = c.ReceiveReturn(
        actor=ACTOR, return_request_id=rid, quantities={"SKU-A": 1}, conditions={"SKU-A": code}
    )
    await run(services.receive_return, cmd)


async def _refund(create, run, code: str) -> None:
    rid = await _approved(create, run)
    cmd = c.AddRefund(
        actor=ACTOR,
        return_request_id=rid,
        amount=Decimal("10.00"),
        currency="AED",
        refund_type=code,
    )
    await run(services.add_refund, cmd)


async def _split(create, run, code: str) -> None:
    request = await create()
    cmd = c.SplitReturn(
        actor=ACTOR,
        return_request_id=request.id,
        quantities={"SKU-A": 1},
        pickup_location_id=code,
    )
    await run(services.split_return, cmd)


async def _update(create, run, code: str) -> None:
    request = await create()
    cmd = c.UpdateReturn(actor=ACTOR, return_request_id=request.id, changes={"resolution": code})
    await run(services.update_return, cmd)


USE_CASES_THAT_JUDGE_CODES = [
    pytest.param(_reject, "OUTSIDE_POLICY", id="reject_return"),
    pytest.param(_receive, "AS_NEW", id="receive_return"),
    pytest.param(_refund, "STORE_CREDIT", id="add_refund"),
    pytest.param(_split, "WH-DXB-1", id="split_return"),
    pytest.param(_update, "REFUND", id="update_return"),
]


@pytest.mark.parametrize(("change", "known"), USE_CASES_THAT_JUDGE_CODES)
async def test_a_code_the_merchant_has_not_configured_is_refused(
    change, known, create, run, store
) -> None:
    _configure_codes(store)

    with pytest.raises(DomainError) as refused:
        await change(create, run, "NOT_CONFIGURED")

    assert refused.value.code == ErrorCode.UNKNOWN_CODE


@pytest.mark.parametrize(("change", "known"), USE_CASES_THAT_JUDGE_CODES)
async def test_a_code_the_merchant_configured_is_accepted(
    change, known, create, run, store
) -> None:
    _configure_codes(store)

    await change(create, run, known)


# --------------------------------------------------------------------------- lost races


def _competitor(store: MemoryStore, clock, cmd_for, *, times: int):
    """An `on_load` hook that commits a note on the loaded request `times` times, each
    between the use case's load and its save: the use case loses that many races."""
    remaining = [times]

    async def compete() -> None:
        if remaining[0] == 0:
            return
        remaining[0] -= 1
        rid = next(iter(store.returns))
        await services.add_return_note(
            cmd_for(rid), uow=MemoryUnitOfWork(store, clock=clock), clock=clock
        )

    return compete


def _note(rid: str) -> c.AddReturnNote:
    return c.AddReturnNote(actor=ACTOR, return_request_id=rid, text="called the customer")


async def test_a_change_that_lost_a_race_runs_again_on_the_fresh_request(
    create, store, clock
) -> None:
    request = await create()
    hook = _competitor(store, clock, _note, times=1)
    uow = MemoryUnitOfWork(store, clock=clock, on_load=hook)

    approved = await services.approve_return(
        c.ApproveReturn(actor=ACTOR, return_request_id=request.id), uow=uow, clock=clock
    )

    stored = store.returns[request.id]
    assert stored.status == ReturnStatus.APPROVED
    assert len(stored.notes) == 1  # the competitor's note survived the retry
    assert approved.version == stored.version == 3


async def test_a_retry_judges_the_rules_against_the_fresh_state(create, store, clock) -> None:
    request = await create()

    def cancel(rid: str) -> c.CancelReturn:
        return c.CancelReturn(actor=ACTOR, return_request_id=rid)

    calls = [0]

    async def competitor() -> None:
        calls[0] += 1
        if calls[0] == 1:
            await services.cancel_return(
                cancel(request.id), uow=MemoryUnitOfWork(store, clock=clock), clock=clock
            )

    uow = MemoryUnitOfWork(store, clock=clock, on_load=competitor)

    with pytest.raises(InvalidTransition):
        await services.approve_return(
            c.ApproveReturn(actor=ACTOR, return_request_id=request.id), uow=uow, clock=clock
        )

    assert store.returns[request.id].status == ReturnStatus.CANCELLED


async def test_a_command_that_pinned_its_version_gets_the_conflict_instead_of_a_retry(
    create, store, clock
) -> None:
    request = await create()
    hook = _competitor(store, clock, _note, times=1)
    uow = MemoryUnitOfWork(store, clock=clock, on_load=hook)

    with pytest.raises(VersionConflict):
        await services.approve_return(
            c.ApproveReturn(actor=ACTOR, return_request_id=request.id, expected_version=1),
            uow=uow,
            clock=clock,
        )

    assert store.returns[request.id].status == ReturnStatus.PENDING


async def test_a_command_for_a_version_that_is_not_stored_is_refused_before_any_change(
    create, run, store
) -> None:
    request = await create()

    with pytest.raises(VersionConflict) as refused:
        await run(
            services.hold_return,
            c.HoldReturn(actor=ACTOR, return_request_id=request.id, expected_version=7),
        )

    assert refused.value.field == "expected_version"
    assert store.returns[request.id].status == ReturnStatus.PENDING


async def test_a_change_that_keeps_losing_gives_up_after_max_attempts(create, store, clock) -> None:
    request = await create()
    hook = _competitor(store, clock, _note, times=services.MAX_ATTEMPTS)
    uow = MemoryUnitOfWork(store, clock=clock, on_load=hook)

    with pytest.raises(VersionConflict):
        await services.approve_return(
            c.ApproveReturn(actor=ACTOR, return_request_id=request.id), uow=uow, clock=clock
        )

    stored = store.returns[request.id]
    assert stored.status == ReturnStatus.PENDING
    assert len(stored.notes) == services.MAX_ATTEMPTS


# --------------------------------------------------------------------------- split, orders


async def test_split_stores_both_parts_in_one_commit_and_keeps_every_unit(
    create, run, store
) -> None:
    request = await create({"SKU-A": 3})
    commits = store.commits

    original, split_off = await run(
        services.split_return,
        c.SplitReturn(actor=ACTOR, return_request_id=request.id, quantities={"SKU-A": 1}),
    )

    assert store.commits == commits + 1
    assert store.returns[original.id].items[0].quantity == 2
    assert store.returns[split_off.id].items[0].quantity == 1
    assert any(isinstance(event, ReturnSplit) for _, event in store.events)


async def test_add_note_records_one_event_per_note(create, run, store) -> None:
    request = await create()

    await run(services.add_return_note, _note(request.id))

    assert [type(event) for _, event in store.events][-1] is NoteAdded


async def test_an_order_resent_with_fewer_delivered_units_than_live_returns_hold_is_refused(
    create, run, store
) -> None:
    await create({"SKU-A": 2})
    lines = [OrderLineSpec("SKU-A", "Item SKU-A", 3, Decimal("100.00"), 1, DELIVERED_AT)]
    cmd = c.UpsertOrder(merchant=MERCHANT, reference=ORDER_REFERENCE, currency="AED", lines=lines)

    with pytest.raises(DomainError) as refused:
        await run(services.upsert_order, cmd)

    assert refused.value.code == ErrorCode.QUANTITY_EXCEEDED
    assert store.orders[(MERCHANT, ORDER_REFERENCE)].line("SKU-A").delivered_quantity == 3

"""The outbox: each committed command stores its events in the same transaction as the change,
in order, and then tells the commit listeners (`Database.on_events_committed`) the position
they reached; nothing is stored or told for a change that did not commit, and a failing
listener cannot undo a success."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, replace
from decimal import Decimal
from typing import Any

import pytest

from domain import commands as c
from domain import services
from domain.errors import DomainError, ErrorCode
from domain.events import NoteDeleted
from domain.request_details import RequestDetails
from domain.values import Actor
from persistence.event_log import read_events, stored_event
from persistence.outbox import (
    StoredEvent,
    append_events,
    sequence_events,
    sequence_stranded_events,
)
from persistence.statements import SqlAlchemyStatements

LINES = {"SKU-A": (3, 3, Decimal("10.125")), "SKU-B": (2, 2, Decimal("5"))}


def listen(world) -> list[tuple[str, int]]:
    """What `Database.on_events_committed` tells a listener from now on: (tenant, position)."""
    heard: list[tuple[str, int]] = []
    world.db.on_events_committed(lambda tenant_id, position: heard.append((tenant_id, position)))
    return heard


def as_stored(row) -> StoredEvent:
    return stored_event(row)


def lifecycle(rid: str) -> list[tuple[Any, Any, list[tuple[str, str | None, str | None]]]]:
    """Commands in lifecycle order with the (type, previous, new status) each must store."""
    changed = "ReturnStatusChanged"
    return [
        (services.hold_return, c.HoldReturn(return_request_id=rid, reason="photos"),
         [(changed, "PENDING", "ON_HOLD")]),
        (services.resume_return, c.ResumeReturn(return_request_id=rid),
         [(changed, "ON_HOLD", "PENDING")]),
        (services.update_return,
         c.UpdateReturn(return_request_id=rid, changes={"resolution": "REFUND"}),
         [("ReturnUpdated", None, None)]),
        (services.assign_return, c.AssignReturn(return_request_id=rid, user="ops@acme.example"),
         [("ReturnAssigned", None, None)]),
        (services.add_return_note, c.AddReturnNote(return_request_id=rid, text="called"),
         [("NoteAdded", None, None)]),
        (services.approve_return, c.ApproveReturn(return_request_id=rid),
         [(changed, "PENDING", "APPROVED"), ("ReverseShipmentCreated", None, None)]),
        (services.update_reverse_shipment,
         c.UpdateReverseShipment(return_request_id=rid, tracking_number="TRK-9"),
         [("ReverseShipmentUpdated", None, None)]),
        (services.add_refund,
         c.AddRefund(return_request_id=rid, amount=Decimal("10.125"), currency="AED"),
         [("RefundAdded", None, None)]),
        (services.receive_return,
         c.ReceiveReturn(return_request_id=rid, quantities={"SKU-A": 2, "SKU-B": 1}),
         [("ReturnItemsReceived", None, None), (changed, "APPROVED", "RECEIVED"),
          ("ReverseShipmentUpdated", None, None)]),
        (services.complete_return, c.CompleteReturn(return_request_id=rid),
         [(changed, "RECEIVED", "COMPLETED")]),
    ]  # fmt: skip


async def test_every_committed_command_stores_its_events_in_order(world):
    await world.order(lines=LINES)
    cmd = c.CreateReturn(
        actor=world.actor,
        merchant="acme",
        order_reference="ORD-1",
        items=world.items({"SKU-A": 2, "SKU-B": 1}),
        details=RequestDetails(pickup=world.pickup, dropoff=world.dropoff),
    )
    rid = (await world.run(services.create_return, cmd)).id
    created = [as_stored(row) for row in await world.outbox()]
    assert [(e.event_type, e.previous_status, e.new_status) for e in created] == [
        ("ReturnRequested", None, "PENDING")
    ]
    last_position = created[-1].position

    for number, (use_case, cmd, expected) in enumerate(lifecycle(rid), start=1):
        actor = Actor(source="REST", user=f"user-{number}")
        at = world.clock.advance(minutes=5)
        await world.run(use_case, replace(cmd, actor=actor))

        rows = [row for row in await world.outbox() if row.sequence > last_position]
        stored = [as_stored(row) for row in rows]
        assert [(e.event_type, e.previous_status, e.new_status) for e in stored] == expected
        assert all(e.position > last_position for e in stored)
        assert [e.position for e in stored] == sorted({e.position for e in stored})
        assert {(e.actor_source, e.actor_user, e.occurred_at) for e in stored} == {
            ("REST", f"user-{number}", at)
        }
        assert {(e.tenant_id, e.return_request_id) for e in stored} == {("default", rid)}
        assert all(e.payload["return_request_id"] == rid for e in stored)
        last_position = stored[-1].position

    assert len({row.event_id for row in await world.outbox()}) == 14


async def test_payloads_are_json_with_exact_money_and_iso_times(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    await world.run(
        services.add_refund,
        c.AddRefund(
            return_request_id=rid, actor=world.actor, amount=Decimal("10.125"), currency="AED"
        ),
    )

    refund = (await world.outbox(rid))[-1]

    assert refund.event_type == "RefundAdded"
    assert refund.payload["amount"] == "10.125"
    assert refund.payload["occurred_at"] == world.clock.now().isoformat()
    assert refund.payload["actor"] == asdict(world.actor)
    assert refund.occurred_at == world.clock.now()


async def test_split_stores_the_events_of_both_requests_in_one_commit(world):
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 3})).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    _, new = await world.run(
        services.split_return,
        c.SplitReturn(return_request_id=rid, quantities={"SKU-A": 1}),
    )

    stored = [as_stored(row) for row in (await world.outbox())[-4:]]
    assert [(e.event_type, e.return_request_id) for e in stored] == [
        ("ReverseShipmentUpdated", rid),
        ("ReturnSplit", rid),
        ("ReturnRequested", new.id),
        ("ReverseShipmentCreated", new.id),
    ]
    assert stored[2].new_status == "APPROVED"
    assert stored[2].payload["split_from"] == rid
    assert [e.position for e in stored] == list(range(stored[0].position, stored[0].position + 4))


async def test_events_become_visible_only_with_the_change_they_describe(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    events_before = await world.outbox_count()

    async with world.uow() as uow:
        request = await uow.returns.get(rid)
        request.hold(at=world.clock.now(), actor=world.actor)
        await uow.returns.save(request)
        # Written but not committed: another connection sees neither the change nor the event.
        assert (await world.version(rid), await world.outbox_count()) == (1, events_before)
        await uow.commit()

    assert (await world.version(rid), await world.outbox_count()) == (2, events_before + 1)


async def test_a_rolled_back_change_stores_no_event(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    events_before = await world.outbox_count()

    async with world.uow() as uow:
        request = await uow.returns.get(rid)
        request.hold(at=world.clock.now(), actor=world.actor)
        await uow.returns.save(request)
    with pytest.raises(DomainError):
        await world.run(services.complete_return, c.CompleteReturn(return_request_id=rid))
    with pytest.raises(DomainError):
        await world.create(items={"SKU-A": 9})

    assert await world.outbox_count() == events_before
    assert await world.version(rid) == 1


# --------------------------------------------------------------------------- commit listeners


async def test_commit_listeners_hear_the_tenant_and_the_last_stored_position_once(world):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    heard = listen(world)

    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))

    stored = (await world.outbox())[-2:]
    assert [row.event_type for row in stored] == ["ReturnStatusChanged", "ReverseShipmentCreated"]
    assert heard == [("default", stored[-1].position)]


async def test_commit_listeners_hear_nothing_when_the_command_fails(world):
    await world.order(lines=LINES)
    rid = (await world.create(dropoff=None)).id
    heard = listen(world)

    with pytest.raises(DomainError) as caught:
        await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    with pytest.raises(DomainError):
        await world.run(
            services.create_return,
            c.CreateReturn(merchant="acme", order_reference="ORD-1", items=world.items({"X": 1})),
        )

    assert caught.value.code == ErrorCode.MISSING_DROPOFF
    assert heard == []


async def test_a_failing_commit_listener_fails_neither_the_command_nor_the_others(world, caplog):
    await world.order(lines=LINES)
    rid = (await world.create()).id
    heard: list[tuple[str, int]] = []

    def broken(_tenant_id: str, _position: int) -> None:
        raise RuntimeError("listener bug")

    world.db.on_events_committed(broken)
    world.db.on_events_committed(lambda tenant_id, position: heard.append((tenant_id, position)))
    with caplog.at_level(logging.ERROR, logger="persistence.database"):
        held = await world.run(services.hold_return, c.HoldReturn(return_request_id=rid))

    assert held.version == 2
    assert heard == [("default", (await world.outbox(rid))[-1].sequence)]
    assert "a listener of committed events failed" in caplog.text


async def test_a_commit_without_events_tells_the_listeners_nothing(world):
    heard = listen(world)

    await world.run(
        services.upsert_order,
        c.UpsertOrder(
            merchant="acme",
            reference="ORD-9",
            currency="AED",
            lines=[c.OrderLineSpec("SKU-A", "A", 1, Decimal(1))],
        ),
    )

    assert heard == []
    assert await world.outbox_count() == 0


async def test_a_writer_never_waits_for_another_and_places_follow_visibility(world):
    """No tenant lock from append to commit: a second writer commits while the first is
    still open. An event has no place in the log (and readers do not see it) until it is
    numbered after its commit, so a reader that has read up to P never later finds a
    committed event below P."""
    if world.db.is_sqlite:
        pytest.skip("SQLite's single writer cannot interleave two write transactions")
    await world.order(lines=LINES)
    first_id = (await world.create(items={"SKU-A": 1})).id
    second_id = (await world.create(items={"SKU-B": 1})).id
    at, actor = world.clock.now(), world.actor
    first_event = NoteDeleted(return_request_id=first_id, note_id="N1", occurred_at=at, actor=actor)
    second_event = NoteDeleted(
        return_request_id=second_id, note_id="N2", occurred_at=at, actor=actor
    )

    async def read_all() -> list[StoredEvent]:
        async with world.db.read_session() as session:
            return await read_events(session, "default", limit=1000)

    seen = await read_all()
    async with world.db.write_session() as slow:
        await slow.begin()
        [early] = (
            await append_events(SqlAlchemyStatements.of(slow), "default", [("acme", first_event)])
        ).events
        async with world.db.write_session() as fast:  # not blocked by the open `slow`
            await fast.begin()
            [late] = (
                await append_events(
                    SqlAlchemyStatements.of(fast), "default", [("acme", second_event)]
                )
            ).events
            await asyncio.wait_for(fast.commit(), 5)
        assert early.position < late.position  # inserted first, committed last
        async with world.db.reading() as sql:
            await sequence_events(sql, "default")
        after_fast = await read_all()
        await slow.commit()
    async with world.db.reading() as sql:
        newest = await sequence_events(sql, "default")
    after_slow = await read_all()

    ids = [e.event_id for e in after_slow]
    assert [e.event_id for e in after_fast] == ids[: len(after_fast)], "no place was taken back"
    assert ids[len(seen) :] == [late.event_id, early.event_id], "numbered as they became visible"
    assert [e.position for e in after_slow] == sorted({e.position for e in after_slow})
    assert newest == after_slow[-1].position


async def test_events_a_writer_died_before_numbering_are_numbered_by_the_sweep(world):
    """A writer that commits and dies before its `sequence_events` call leaves its events
    unnumbered, unseen by readers; the periodic sweep numbers them and tells the listeners."""
    if world.db.is_sqlite:
        assert await sequence_stranded_events(world.db) == {}  # the INSERT numbers them
        return
    await world.order(lines=LINES)
    rid = (await world.create(items={"SKU-A": 1})).id
    event = NoteDeleted(
        return_request_id=rid, note_id="N1", occurred_at=world.clock.now(), actor=world.actor
    )

    async def read_all() -> list[StoredEvent]:
        async with world.db.read_session() as session:
            return await read_events(session, "default", limit=1000)

    seen = await read_all()
    async with world.db.write_session() as died:
        await died.begin()
        [stranded] = (
            await append_events(SqlAlchemyStatements.of(died), "default", [("acme", event)])
        ).events
        await died.commit()  # ... and the process is gone before numbering
    assert [e.event_id for e in await read_all()] == [e.event_id for e in seen]
    heard = listen(world)

    numbered = await sequence_stranded_events(world.db)

    after = await read_all()
    assert after[-1].event_id == stranded.event_id and len(after) == len(seen) + 1
    assert numbered == {"default": after[-1].position} and heard == [
        ("default", numbered["default"])
    ]
    assert await sequence_stranded_events(world.db) == {}  # nothing left: the next sweep is idle


async def test_a_commit_wakes_other_processes_once_with_its_newest_position(world):
    """On PostgreSQL the event INSERT also asks for a NOTIFY: delivered once per commit,
    with the tenant and the newest position, and never for a rolled-back change."""
    if world.db.is_sqlite:
        pytest.skip("SQLite is one process: no notifications")
    import asyncpg

    from persistence.outbox import EVENTS_CHANNEL, parse_wakeup

    heard: list[str] = []
    url = world.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    listener = await asyncpg.connect(url)
    await listener.add_listener(EVENTS_CHANNEL, lambda *args: heard.append(args[3]))
    try:
        await world.order(lines=LINES)
        request = await world.create(items={"SKU-A": 1})
        with pytest.raises(DomainError):
            await services.cancel_return(
                c.CancelReturn(return_request_id="RR-NOTHERE", actor=world.actor),
                uow=world.uow(),
                clock=world.clock,
            )
        await services.approve_return(  # two events in one commit
            c.ApproveReturn(return_request_id=request.id, actor=world.actor),
            uow=world.uow(),
            clock=world.clock,
        )
        for _ in range(50):
            if len(heard) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
    finally:
        await listener.close()
    positions = [event.sequence for event in await world.outbox()]
    assert [parse_wakeup(payload) for payload in heard] == [
        ("default", positions[0]),
        ("default", positions[-1]),
    ]


async def test_only_a_commit_that_creates_deliveries_wakes_the_webhook_sender(world):
    """Most commits route no webhook: they must not cost the sender a look for due
    deliveries. A commit that creates some wakes it at once."""
    from sqlalchemy import insert

    from persistence.tables import WebhookEndpointRow

    woken: list[tuple[str, int]] = []
    world.db.on_deliveries_routed(lambda tenant, position: woken.append((tenant, position)))
    await world.order(lines=LINES)
    await world.create(items={"SKU-A": 1})
    assert woken == []

    now = world.clock.now()
    endpoint = {"tenant_id": "default", "endpoint_id": "WH-1", "merchant": None,
                "url": "https://hooks.example.com/r", "event_types": [], "secret": "s" * 32,
                "active": True, "created_at": now, "updated_at": now}  # fmt: skip
    async with world.db.write_session() as session, session.begin():
        await session.execute(insert(WebhookEndpointRow.__table__), [endpoint])  # type: ignore[attr-defined]
    await world.create(items={"SKU-B": 1})
    positions = [event.sequence for event in await world.outbox()]
    assert woken == [("default", positions[-1])]

"""Racing use cases on one Database, each in its own unit of work: the rules are judged against
what is really stored, so concurrent writers can neither overspend nor overbook, and nobody
sees "database is locked" or a version conflict they did not ask for."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from domain import commands as c
from domain import services
from domain import webhook_services as hooks
from domain.errors import (
    DomainError,
    ErrorCode,
    InvalidTransition,
    RefundExceedsValue,
    VersionConflict,
)
from domain.lifecycle import ReturnStatus
from domain.webhooks import MAX_ENDPOINTS

RACERS = 10


def outcomes(results: list[object]) -> tuple[list[Any], list[DomainError]]:
    """Successes and refusals; anything else (a lock error, a crash) fails the test as itself."""
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, DomainError):
            raise result
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, DomainError)]
    return wins, losses


async def test_concurrent_refunds_never_exceed_the_approved_value(world):
    # 4 units at 25.125 approved: 100.500 AED, so only 4 refunds of 25.125 fit.
    await world.order(lines={"SKU-A": (4, 4, Decimal("25.125"))})
    rid = (await world.create(items={"SKU-A": 4})).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    events_before = await world.outbox_count()

    async def refund(number: int):
        cmd = c.AddRefund(
            return_request_id=rid,
            amount=Decimal("25.125"),
            currency="AED",
            reference=f"PAY-{number}",
        )
        return await services.add_refund(cmd, uow=world.uow(), clock=world.clock)

    results = await asyncio.gather(*(refund(n) for n in range(RACERS)), return_exceptions=True)

    wins, losses = outcomes(results)
    assert len(wins) == 4, losses
    assert all(isinstance(error, RefundExceedsValue) for error in losses), losses
    stored = await world.load(rid)
    assert sum(r.amount for r in stored.refunds) == Decimal("100.500")
    assert sorted(r.reference for r in stored.refunds) == sorted(
        r.refunds[-1].reference for r in wins
    )
    assert stored.remaining_refundable("AED") == 0
    assert stored.version == 2 + 4
    added = [e for e in await world.outbox(rid) if e.event_type == "RefundAdded"]
    assert len(added) == 4 and await world.outbox_count() == events_before + 4


SERIAL_OUTCOMES = {
    # approve first, then cancel (allowed on APPROVED): both succeed
    "approve-then-cancel": (
        ReturnStatus.CANCELLED,
        3,
        [
            *("ReturnRequested", "ReturnStatusChanged", "ReverseShipmentCreated"),
            *("ReturnStatusChanged", "ReverseShipmentUpdated"),
        ],
    ),
    # cancel first: approve is refused on a CANCELLED request
    "cancel-then-approve": (ReturnStatus.CANCELLED, 2, ["ReturnRequested", "ReturnStatusChanged"]),
}


async def test_concurrent_approve_and_cancel_end_in_one_serial_outcome(world):
    await world.order()
    rid = (await world.create()).id

    results = await asyncio.gather(
        world.run(services.approve_return, c.ApproveReturn(return_request_id=rid)),
        world.run(services.cancel_return, c.CancelReturn(return_request_id=rid)),
        return_exceptions=True,
    )

    outcomes(results)
    approved, cancelled = results
    assert not isinstance(cancelled, BaseException), cancelled
    if isinstance(approved, BaseException):
        assert isinstance(approved, InvalidTransition), approved
        expected = SERIAL_OUTCOMES["cancel-then-approve"]
    else:
        expected = SERIAL_OUTCOMES["approve-then-cancel"]
    stored = await world.load(rid)
    events = [e.event_type for e in await world.outbox(rid)]
    assert (stored.status, stored.version, events) == expected
    assert all(s.status == "CANCELLED" for s in stored.shipments)


async def test_approve_and_cancel_pinned_to_one_version_let_exactly_one_win(world):
    await world.order()
    rid = (await world.create()).id

    results = await asyncio.gather(
        world.run(
            services.approve_return, c.ApproveReturn(return_request_id=rid, expected_version=1)
        ),
        world.run(
            services.cancel_return, c.CancelReturn(return_request_id=rid, expected_version=1)
        ),
        return_exceptions=True,
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], VersionConflict)
    winner = wins[0]
    stored = await world.load(rid)
    assert stored.status == winner.status
    assert stored.status in (ReturnStatus.APPROVED, ReturnStatus.CANCELLED)
    assert stored.version == 2
    changes = [(e.previous_status, e.new_status) for e in await world.outbox(rid)]
    assert changes[1:2] == [("PENDING", stored.status.value)]
    assert len([e for e in changes if e[1] is not None]) == 2


async def test_concurrent_creates_cannot_overbook_an_order(world):
    """Each round: 3 delivered units, two requests of 2 racing; exactly one may hold them."""
    for round_ in range(3):
        reference = f"ORD-RACE-{round_}"
        await world.order(reference, {"SKU-A": (3, 3, Decimal("9.99"))})

        results = await asyncio.gather(
            world.create(reference, {"SKU-A": 2}),
            world.create(reference, {"SKU-A": 2}),
            return_exceptions=True,
        )

        wins, losses = outcomes(results)
        assert len(wins) == 1 and len(losses) == 1, results
        assert isinstance(losses[0], DomainError)
        assert losses[0].code == ErrorCode.QUANTITY_EXCEEDED
        async with world.uow() as uow:
            assert await uow.returns.live_quantities("acme", reference) == {"SKU-A": 2}
        created = [e for e in await world.outbox() if e.event_type == "ReturnRequested"]
        assert len(created) == round_ + 1


async def test_many_concurrent_creates_fill_an_order_exactly(world):
    await world.order("ORD-BIG", {"SKU-A": (4, 4, Decimal("1"))})

    results = await asyncio.gather(
        *(world.create("ORD-BIG", {"SKU-A": 1}) for _ in range(RACERS)), return_exceptions=True
    )

    wins, losses = outcomes(results)
    assert len(wins) == 4
    assert {getattr(e, "code", None) for e in losses} == {ErrorCode.QUANTITY_EXCEEDED}
    async with world.uow() as uow:
        assert await uow.returns.live_quantities("acme", "ORD-BIG") == {"SKU-A": 4}


async def test_a_writer_that_loads_a_request_waits_for_the_open_write_on_it(world):
    """The first write holds the request from the moment it loads it (row lock on PostgreSQL,
    the write lock on SQLite), so the second one judges the committed result, not a copy."""
    await world.order()
    rid = (await world.create()).id

    async def second_writer():
        return await world.run(
            services.add_return_note, c.AddReturnNote(return_request_id=rid, text="second")
        )

    async with world.uow() as first:
        request = await first.returns.get(rid)
        waiting = asyncio.create_task(second_writer())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        request.add_note(text="first", at=world.clock.now(), actor=world.actor)
        await first.returns.save(request)
        await first.commit()

    second = await asyncio.wait_for(waiting, timeout=10)
    assert [n.text for n in second.notes] == ["first", "second"]
    assert second.version == 3


# --------------------------------------------------------------------------- webhook endpoints


def register_hook(n: int) -> hooks.RegisterWebhookEndpoint:
    return hooks.RegisterWebhookEndpoint(url=f"https://hooks.example.com/{n}")


async def test_concurrent_webhook_registrations_never_pass_the_endpoint_limit(world):
    """The count and the insert are one transaction, serialised per tenant, so racing
    registrations cannot all see room for one more."""
    for n in range(MAX_ENDPOINTS - 5):
        await world.run(hooks.register_webhook_endpoint, register_hook(n))

    results = await asyncio.gather(
        *(world.run(hooks.register_webhook_endpoint, register_hook(100 + n)) for n in range(10)),
        return_exceptions=True,
    )

    wins, losses = outcomes(results)
    assert len(wins) == 5, losses
    assert {error.code for error in losses} == {ErrorCode.LIMIT_EXCEEDED}
    async with world.uow() as uow:
        assert await uow.webhooks.count() == MAX_ENDPOINTS


async def test_webhook_updates_pinned_to_one_version_let_exactly_one_win(world):
    created = await world.run(hooks.register_webhook_endpoint, register_hook(1))

    results = await asyncio.gather(
        *(
            world.run(
                hooks.change_webhook_endpoint,
                hooks.ChangeWebhookEndpoint(
                    endpoint_id=created.endpoint_id,
                    url=f"https://hooks.example.com/edit-{n}",
                    expected_version=created.version,
                ),
            )
            for n in range(RACERS)
        ),
        return_exceptions=True,
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1 and all(isinstance(e, VersionConflict) for e in losses), results
    async with world.uow() as uow:
        stored = await uow.webhooks.get(created.endpoint_id)
    assert (stored.url, stored.version) == (wins[0].url, created.version + 1)


async def test_concurrent_webhook_updates_of_different_fields_both_apply(world):
    """Without a pinned version each update reads the endpoint as committed (row lock or the
    write lock), so neither silently writes back the other's old values."""
    created = await world.run(hooks.register_webhook_endpoint, register_hook(1))
    changes = [
        hooks.ChangeWebhookEndpoint(endpoint_id=created.endpoint_id, active=False),
        hooks.ChangeWebhookEndpoint(endpoint_id=created.endpoint_id, event_types=("NoteAdded",)),
        hooks.ChangeWebhookEndpoint(endpoint_id=created.endpoint_id, url="https://b.example/h"),
    ]

    results = await asyncio.gather(
        *(world.run(hooks.change_webhook_endpoint, change) for change in changes),
        return_exceptions=True,
    )

    wins, _ = outcomes(results)
    assert len(wins) == 3
    async with world.uow() as uow:
        stored = await uow.webhooks.get(created.endpoint_id)
    assert (stored.active, stored.event_types, stored.url) == (
        False,
        ("NoteAdded",),
        "https://b.example/h",
    )
    assert stored.version == created.version + 3

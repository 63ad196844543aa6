"""Use cases: one async function per command, written against the ports.

Each runs in one unit of work: load, call one domain method, save, commit. A write that loses
an optimistic-concurrency race is retried on fresh state when the caller did not pin a version,
so the rules are always judged against what is really stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from domain import commands as c
from domain.eligibility import MerchantRules, explain_lines
from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.lifecycle import ReturnStatus
from domain.merchant_rules import choose_delivery_option
from domain.orders import Order, choose_merchant, make_order_line, validate_order
from domain.parts import ItemRequest
from domain.ports import Clock, UnitOfWork
from domain.returns import ReturnRequest
from domain.values import Address

T = TypeVar("T")
MAX_ATTEMPTS = 5


async def upsert_order(cmd: c.UpsertOrder, *, uow: UnitOfWork, clock: Clock) -> Order:
    lines = [
        make_order_line(
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            delivered_quantity=line.delivered_quantity,
            delivered_at=line.delivered_at,
            index=index,
        )
        for index, line in enumerate(cmd.lines)
    ]
    order = validate_order(
        Order(
            merchant=cmd.merchant,
            reference=cmd.reference,
            currency=cmd.currency,
            customer=cmd.customer,
            lines=lines,
            delivery_address=cmd.delivery_address,
        )
    )
    async with uow:
        saved = await uow.orders.upsert(order)
        await uow.commit()
    return saved


async def create_return(cmd: c.CreateReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        order = await _order(uow, cmd.merchant, cmd.order_reference)
        request = ReturnRequest.create(
            order=order,
            items=cmd.items,
            rules=await uow.rules_for(cmd.merchant),
            already_requested=await uow.returns.live_quantities(order.merchant, order.reference),
            at=clock.now(),
            actor=cmd.actor,
            pickup=cmd.pickup,
            dropoff=cmd.dropoff,
            channel=cmd.channel,
            customer_comment=cmd.customer_comment,
            resolution=cmd.resolution,
            refund_method=cmd.refund_method,
            collection=cmd.collection,
        )
        await uow.returns.add(request)
        await uow.commit()
    return request


async def create_return_shipment(
    cmd: c.CreateReturnShipment, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    """Create, approve and ship in one transaction: the request and its reverse shipment
    exist together or not at all. The same creation and approval rules as createReturn and
    approveReturn apply; the goods travel from the order's delivery address to the chosen
    location (or the merchant's default dropoff for that country)."""
    async with uow:
        order = (await order_by_reference(uow, cmd.merchant, cmd.order_reference)).delivered()
        rules = await uow.rules_for(order.merchant)
        option = choose_delivery_option(
            await uow.configuration.delivery_options(order.merchant),
            order.merchant,
            cmd.delivery_option_id,
            field="deliveryOptionId",
        )
        held = await uow.returns.live_quantities(order.merchant, order.reference)
        now = clock.now()
        code = cmd.dropoff_location_code
        request = ReturnRequest.create(
            order=order,
            items=cmd.items
            if cmd.items is not None
            else _everything_returnable(order, held, rules, now),
            rules=rules,
            already_requested=held,
            at=now,
            actor=cmd.actor,
            pickup=order.customer_address(),
            dropoff=Address(partner_location_id=code) if code else None,
            channel=cmd.channel,
            delivery_option=option,
        )
        if request.status == ReturnStatus.PENDING:
            request.approve(at=now, actor=cmd.actor, rules=rules, delivery_option=option)
        await uow.returns.add(request)
        await uow.commit()
    return request


def _everything_returnable(
    order: Order, held: dict[str, int], rules: MerchantRules, now: datetime
) -> list[ItemRequest]:
    lines = explain_lines(order, held, rules=rules, now=now)
    items = [ItemRequest(e.line.sku, e.returnable_quantity) for e in lines if e.returnable]
    if not items:
        reasons = "; ".join(b.message for e in lines for b in e.blockers) or "no lines"
        raise DomainError(
            f"nothing on order {order.reference} can be returned: {reasons}",
            field="items",
            code=ErrorCode.NOT_RETURNABLE,
        )
    return items


async def update_return(cmd: c.UpdateReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async def apply(request: ReturnRequest, step: Step) -> None:
        extra: dict[str, Any] = {}
        if cmd.items is not None:
            extra = {
                "items": cmd.items,
                "order": await _order(uow, request.merchant, request.order_reference),
                "already_requested": await uow.returns.live_quantities(
                    request.merchant, request.order_reference, exclude=request.id
                ),
            }
        request.update(
            at=step.now,
            actor=cmd.actor,
            rules=step.rules,
            pickup=cmd.pickup,
            dropoff=cmd.dropoff,
            resolution=cmd.resolution,
            refund_method=cmd.refund_method,
            customer_comment=cmd.customer_comment,
            collection=cmd.collection,
            **extra,
        )

    return await _change(cmd, uow, clock, apply, with_rules=True)


async def approve_return(cmd: c.ApproveReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.approve(
                at=step.now,
                actor=cmd.actor,
                rules=step.rules,
                quantities=cmd.quantities,
                rejection_reason=cmd.rejection_reason,
            )
        ),
        with_rules=True,
    )


async def reject_return(cmd: c.RejectReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.reject(
                at=step.now, actor=cmd.actor, reason=cmd.reason, rules=step.rules
            )
        ),
        with_rules=True,
    )


async def hold_return(cmd: c.HoldReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.hold(at=step.now, actor=cmd.actor, reason=cmd.reason)),
    )


async def resume_return(cmd: c.ResumeReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd, uow, clock, _sync(lambda r, step: r.resume(at=step.now, actor=cmd.actor))
    )


async def cancel_return(cmd: c.CancelReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.cancel(at=step.now, actor=cmd.actor, reason=cmd.reason)),
    )


async def receive_return(cmd: c.ReceiveReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.receive(
                at=step.now,
                actor=cmd.actor,
                quantities=cmd.quantities,
                conditions=cmd.conditions,
                rules=step.rules,
            )
        ),
        with_rules=True,
    )


async def complete_return(cmd: c.CompleteReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd, uow, clock, _sync(lambda r, step: r.complete(at=step.now, actor=cmd.actor))
    )


async def set_return_status(
    cmd: c.SetReturnStatus, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.set_status(
                cmd.status, at=step.now, actor=cmd.actor, reason=cmd.reason
            )
        ),
    )


async def assign_return(cmd: c.AssignReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd, uow, clock, _sync(lambda r, step: r.assign(cmd.user, at=step.now, actor=cmd.actor))
    )


async def add_return_note(cmd: c.AddReturnNote, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.add_note(text=cmd.text, at=step.now, actor=cmd.actor)),
    )


async def delete_return_note(
    cmd: c.DeleteReturnNote, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.delete_note(cmd.note_id, at=step.now, actor=cmd.actor)),
    )


async def add_refund(cmd: c.AddRefund, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.add_refund(
                amount=cmd.amount,
                currency=cmd.currency,
                at=step.now,
                actor=cmd.actor,
                reference=cmd.reference,
                refund_type=cmd.refund_type,
                note=cmd.note,
                refund_date=cmd.refund_date,
                rules=step.rules,
            )
        ),
        with_rules=True,
    )


async def delete_refund(cmd: c.DeleteRefund, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.delete_refund(cmd.refund_id, at=step.now, actor=cmd.actor)),
    )


async def update_reverse_shipment(
    cmd: c.UpdateReverseShipment, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    return await _change(
        cmd,
        uow,
        clock,
        _sync(
            lambda r, step: r.update_shipment(
                at=step.now,
                actor=cmd.actor,
                tracking_number=cmd.tracking_number,
                label_url=cmd.label_url,
                carrier=cmd.carrier,
                in_transit=cmd.in_transit,
            )
        ),
    )


async def auto_close_return(
    cmd: c.AutoCloseReturn, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    """Re-checks idleness on the locked, fresh request: one that moved meanwhile stays open."""
    return await _change(
        cmd,
        uow,
        clock,
        _sync(lambda r, step: r.auto_close(at=step.now, actor=cmd.actor, idle_days=cmd.idle_days)),
    )


async def split_return(
    cmd: c.SplitReturn, *, uow: UnitOfWork, clock: Clock
) -> tuple[ReturnRequest, ReturnRequest]:
    """Both parts are written in one transaction: the original shrinks, the new one appears."""
    split_off: list[ReturnRequest] = []

    async def apply(request: ReturnRequest, step: Step) -> None:
        new = request.split(
            at=step.now,
            actor=cmd.actor,
            quantities=cmd.quantities,
            pickup_location_id=cmd.pickup_location_id,
            rules=step.rules,
        )
        step.added.append(new)
        split_off[:] = [new]

    original = await _change(cmd, uow, clock, apply, with_rules=True)
    return original, split_off[0]


# --------------------------------------------------------------------------- helpers


@dataclass
class Step:
    """What one attempt of a command works with: its time, the merchant's rules, and any
    new aggregates to store beside the one it changes."""

    now: datetime
    loaded_rules: MerchantRules | None = None
    added: list[ReturnRequest] = field(default_factory=list)

    @property
    def rules(self) -> MerchantRules:
        if self.loaded_rules is None:
            raise RuntimeError("this use case did not ask _change for the merchant's rules")
        return self.loaded_rules


Apply = Callable[[ReturnRequest, Step], Awaitable[None]]


def _sync(fn: Callable[[ReturnRequest, Step], object]) -> Apply:
    async def run(request: ReturnRequest, step: Step) -> None:
        fn(request, step)

    return run


async def _change(
    cmd: c.ReturnCommand, uow: UnitOfWork, clock: Clock, apply: Apply, *, with_rules: bool = False
) -> ReturnRequest:
    """Load, apply one domain method, save, commit; retry a lost race on fresh state.

    The merchant's rules cost three statements, so only commands that judge codes,
    eligibility or shipments (`with_rules`) load them."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with uow:
                request = await _load(uow, cmd)
                rules = await uow.rules_for(request.merchant) if with_rules else None
                step = Step(now=clock.now(), loaded_rules=rules)
                await apply(request, step)
                await uow.returns.save(request)
                for new in step.added:
                    await uow.returns.add(new)
                await uow.commit()
            return request
        except VersionConflict:
            if cmd.expected_version is not None or attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _load(uow: UnitOfWork, cmd: c.ReturnCommand) -> ReturnRequest:
    request = await uow.returns.get(cmd.return_request_id)
    if cmd.expected_version is not None and request.version != cmd.expected_version:
        raise VersionConflict(
            f"return request {request.id} is at version {request.version}, "
            f"not {cmd.expected_version}; reload it and try again",
            field="expectedVersion",
        )
    return request


async def order_by_reference(uow: UnitOfWork, merchant: str | None, reference: str) -> Order:
    """The order a legacy client names by reference alone (with the merchant when given)."""
    merchant = choose_merchant(await uow.orders.merchants_with(reference), reference, merchant)
    order = await uow.orders.get(merchant, reference)
    if order is None:
        raise NotFound(f"order {reference} not found", field="orderId")
    return order


async def _order(uow: UnitOfWork, merchant: str, reference: str) -> Order:
    order = await uow.orders.get(merchant, reference)
    if order is None:
        raise NotFound(
            f"order {reference} not found for merchant {merchant}", field="orderReference"
        )
    return order

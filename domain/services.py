"""Use cases: one async function per command, written against the ports.

Each reads top to bottom as one unit of work: load, call one domain method, save, commit. A
use case that judges codes, eligibility or shipments asks the unit of work for the merchant's
rules itself (they cost a read, so the others do not). A change to an existing request is
`@retried`: one that loses an optimistic-concurrency race runs again on fresh state.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from domain import commands as c
from domain import exchange_triggers as triggers
from domain import store_credit_services as store_credit
from domain.configured_rules import choose_delivery_option
from domain.eligibility import MerchantRules, explain_lines
from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.lifecycle import ReturnStatus
from domain.orders import Order, choose_merchant, make_order_line, validate_order
from domain.parts import ItemRequest, RefundOutcome
from domain.ports import Clock, UnitOfWork
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from domain.values import Address
from domain.variants import ExchangeRelease

MAX_ATTEMPTS = 5
UseCase = TypeVar("UseCase", bound=Callable[..., Awaitable[Any]])


def retried(use_case: UseCase) -> UseCase:
    """Run a change again on fresh state when it lost an optimistic-concurrency race
    (VERSION_CONFLICT), up to MAX_ATTEMPTS times, so its rules are judged against what is
    really stored. A command that pinned `expected_version` gets the conflict instead: it
    asked to change that version and no other."""

    @functools.wraps(use_case)
    async def run(cmd: c.ReturnCommand, **dependencies: Any) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await use_case(cmd, **dependencies)
            except VersionConflict:
                if cmd.expected_version is not None or attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return cast(UseCase, run)


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
        if await uow.orders.get(order.merchant, order.reference) is not None:  # now locked
            order.ensure_covers(await uow.returns.live_quantities(order.merchant, order.reference))
        saved = await uow.orders.upsert(order)
        await uow.commit()
    return saved


async def create_return(cmd: c.CreateReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    """With exchange items, the merchant's catalogue judges them; an auto-approved request
    is released at once when the merchant releases on approval."""
    async with uow:
        order = await _order(uow, cmd.merchant, cmd.order_reference)
        catalogue = None
        if cmd.exchange_items:
            skus = [x.sku for x in cmd.exchange_items] + [i.sku for i in cmd.items]
            catalogue = await triggers.asking_catalogue(uow, cmd.merchant, skus)
        request = ReturnRequest.create(
            order=order,
            items=cmd.items,
            rules=await uow.rules_for(cmd.merchant),
            already_requested=await uow.returns.live_quantities(order.merchant, order.reference),
            at=clock.now(),
            actor=cmd.actor,
            details=cmd.details,
            exchange_items=cmd.exchange_items,
            catalogue=catalogue,
        )
        await triggers.release_on(
            uow, request, ExchangeRelease.APPROVAL, clock=clock, actor=cmd.actor
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
            field="delivery_option_id",
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
            details=RequestDetails(
                pickup=order.customer_address(),
                dropoff=Address(partner_location_id=code) if code else None,
                channel=cmd.channel,
            ),
            delivery_option=option,
        )
        if request.status == ReturnStatus.PENDING:
            request.approve(at=now, actor=cmd.actor, rules=rules, delivery_option=option)
        await triggers.release_on(
            uow, request, ExchangeRelease.APPROVAL, clock=clock, actor=cmd.actor
        )
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


@retried
async def update_return(cmd: c.UpdateReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        extra: dict[str, Any] = {}
        if cmd.items is not None:
            extra = {
                "items": cmd.items,
                "order": await _order(uow, request.merchant, request.order_reference),
                "already_requested": await uow.returns.live_quantities(
                    request.merchant, request.order_reference, exclude=request.id
                ),
            }
        if cmd.exchange_items is not None:
            items = cmd.items if cmd.items is not None else request.items
            skus = [x.sku for x in cmd.exchange_items] + [i.sku for i in items]
            extra["exchange_items"] = cmd.exchange_items
            extra["catalogue"] = await triggers.asking_catalogue(uow, request.merchant, skus)
        request.update(
            at=clock.now(),
            actor=cmd.actor,
            rules=await uow.rules_for(request.merchant),
            changes=cmd.changes,
            **extra,
        )
        return await _stored(uow, request)


@retried
async def approve_return(cmd: c.ApproveReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.approve(
            at=clock.now(),
            actor=cmd.actor,
            rules=await uow.rules_for(request.merchant),
            quantities=cmd.quantities,
            rejection_reason=cmd.rejection_reason,
        )
        await triggers.release_on(
            uow, request, ExchangeRelease.APPROVAL, clock=clock, actor=cmd.actor
        )
        return await _stored(uow, request)


@retried
async def reject_return(cmd: c.RejectReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.reject(
            at=clock.now(),
            actor=cmd.actor,
            reason=cmd.reason,
            rules=await uow.rules_for(request.merchant),
        )
        return await _stored(uow, request)


@retried
async def transition_return(
    cmd: c.TransitionReturn, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    """Hold, resume, cancel, complete, and every transition that takes nothing but an
    optional reason: the aggregate finds the transition by its action."""
    async with uow:
        request = await _load(uow, cmd)
        request.transition(cmd.action, at=clock.now(), actor=cmd.actor, reason=cmd.reason)
        return await _stored(uow, request)


# The simple transitions by their own names (each of their commands fixes its action).
hold_return = resume_return = cancel_return = complete_return = transition_return


@retried
async def receive_return(cmd: c.ReceiveReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.receive(
            at=clock.now(),
            actor=cmd.actor,
            quantities=cmd.quantities,
            conditions=cmd.conditions,
            rules=await uow.rules_for(request.merchant),
        )
        await triggers.release_on(
            uow, request, ExchangeRelease.RECEIPT, clock=clock, actor=cmd.actor
        )
        return await _stored(uow, request)


@retried
async def set_return_status(
    cmd: c.SetReturnStatus, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.set_status(cmd.status, at=clock.now(), actor=cmd.actor, reason=cmd.reason)
        return await _stored(uow, request)


@retried
async def assign_return(cmd: c.AssignReturn, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.assign(cmd.user, at=clock.now(), actor=cmd.actor)
        return await _stored(uow, request)


@retried
async def add_return_note(cmd: c.AddReturnNote, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.add_note(text=cmd.text, at=clock.now(), actor=cmd.actor)
        return await _stored(uow, request)


@retried
async def delete_return_note(
    cmd: c.DeleteReturnNote, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.delete_note(cmd.note_id, at=clock.now(), actor=cmd.actor)
        return await _stored(uow, request)


@retried
async def add_refund(cmd: c.AddRefund, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    """A refund by store credit (asked for, or by its refund type) issues the credit and the
    merchant's bonus in the same transaction."""
    async with uow:
        request = await _load(uow, cmd)
        outcome = await store_credit.refund_outcome(
            uow, request.merchant, cmd.refund_type, cmd.outcome
        )
        refund = request.add_refund(
            amount=cmd.amount,
            currency=cmd.currency,
            at=clock.now(),
            actor=cmd.actor,
            reference=cmd.reference,
            refund_type=cmd.refund_type,
            note=cmd.note,
            refund_date=cmd.refund_date,
            rules=await uow.rules_for(request.merchant),
            outcome=outcome,
        )
        if refund.outcome == RefundOutcome.STORE_CREDIT:
            await store_credit.credit_refund(uow, request, refund, clock=clock, actor=cmd.actor)
        return await _stored(uow, request)


@retried
async def delete_refund(cmd: c.DeleteRefund, *, uow: UnitOfWork, clock: Clock) -> ReturnRequest:
    """Deleting a refund by store credit takes its credit and bonus back, or is refused
    (STORE_CREDIT_SPENT) when the customer has spent some of it."""
    async with uow:
        request = await _load(uow, cmd)
        refund = request.delete_refund(cmd.refund_id, at=clock.now(), actor=cmd.actor)
        if refund.outcome == RefundOutcome.STORE_CREDIT:
            await store_credit.take_back_refund(
                uow, request.merchant, refund, clock=clock, actor=cmd.actor
            )
        return await _stored(uow, request)


@retried
async def set_refund_outcome(
    cmd: c.SetRefundOutcome, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    """Switch a refund to store credit (credit and bonus issued) or to money (taken back,
    refused when spent)."""
    async with uow:
        request = await _load(uow, cmd)
        before, after = request.set_refund_outcome(
            cmd.refund_id, cmd.outcome, at=clock.now(), actor=cmd.actor
        )
        if before.outcome != after.outcome:
            if after.outcome == RefundOutcome.STORE_CREDIT:
                await store_credit.credit_refund(uow, request, after, clock=clock, actor=cmd.actor)
            else:
                await store_credit.take_back_refund(
                    uow, request.merchant, before, clock=clock, actor=cmd.actor
                )
        return await _stored(uow, request)


@retried
async def update_reverse_shipment(
    cmd: c.UpdateReverseShipment, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.update_shipment(
            at=clock.now(),
            actor=cmd.actor,
            tracking_number=cmd.tracking_number,
            label_url=cmd.label_url,
            carrier=cmd.carrier,
            in_transit=cmd.in_transit,
        )
        return await _stored(uow, request)


@retried
async def record_first_scan(
    cmd: c.RecordFirstScan, *, uow: UnitOfWork, clock: Clock
) -> tuple[ReturnRequest, bool]:
    """The request and whether this scan was its first; a repeated scan writes nothing."""
    async with uow:
        request = await _load(uow, cmd)
        first = request.record_first_scan(at=clock.now(), actor=cmd.actor, location=cmd.location)
        if first:
            await triggers.release_on(
                uow, request, ExchangeRelease.FIRST_SCAN, clock=clock, actor=cmd.actor
            )
            await _stored(uow, request)
    return request, first


@retried
async def auto_close_return(
    cmd: c.AutoCloseReturn, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    """Re-checks idleness on the locked, fresh request: one that moved meanwhile stays open."""
    async with uow:
        request = await _load(uow, cmd)
        request.auto_close(at=clock.now(), actor=cmd.actor, idle_days=cmd.idle_days)
        return await _stored(uow, request)


@retried
async def split_return(
    cmd: c.SplitReturn, *, uow: UnitOfWork, clock: Clock
) -> tuple[ReturnRequest, ReturnRequest]:
    """Both parts are written in one transaction: the original shrinks, the new one appears."""
    async with uow:
        original = await _load(uow, cmd)
        split_off = original.split(
            at=clock.now(),
            actor=cmd.actor,
            quantities=cmd.quantities,
            pickup_location_id=cmd.pickup_location_id,
            rules=await uow.rules_for(original.merchant),
        )
        await uow.returns.save(original)
        await uow.returns.add(split_off)
        await uow.commit()
    return original, split_off


# --------------------------------------------------------------------------- helpers


async def _load(uow: UnitOfWork, cmd: c.ReturnCommand) -> ReturnRequest:
    """The request the command names, refused when the caller pinned another version."""
    request = await uow.returns.get(cmd.return_request_id)
    if cmd.expected_version is not None and request.version != cmd.expected_version:
        raise VersionConflict(
            f"return request {request.id} is at version {request.version}, "
            f"not {cmd.expected_version}; reload it and try again",
            field="expected_version",
        )
    return request


async def _stored(uow: UnitOfWork, request: ReturnRequest) -> ReturnRequest:
    """Save the changed request and commit: the last two steps of every change."""
    await uow.returns.save(request)
    await uow.commit()
    return request


async def order_by_reference(uow: UnitOfWork, merchant: str | None, reference: str) -> Order:
    """The order a legacy client names by reference alone (with the merchant when given)."""
    merchant = choose_merchant(await uow.orders.merchants_with(reference), reference, merchant)
    order = await uow.orders.get(merchant, reference)
    if order is None:
        raise NotFound(f"order {reference} not found", field="order_reference")
    return order


async def _order(uow: UnitOfWork, merchant: str, reference: str) -> Order:
    order = await uow.orders.get(merchant, reference)
    if order is None:
        raise NotFound(
            f"order {reference} not found for merchant {merchant}", field="order_reference"
        )
    return order

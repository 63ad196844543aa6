"""Exchange use cases: the merchant's catalogue (variants in bulk, settings) and what an
operator does to a request's exchange lines (release by hand, record the customer's payment,
mark fulfilled, convert into money or store credit). Each runs in one unit of work; a change
to a request is `@retried` and takes the request's row lock, so two operators releasing the
same request release it once."""

from __future__ import annotations

from dataclasses import replace

from domain import commands as c
from domain import exchange_triggers as triggers
from domain.errors import NotFound
from domain.ports import Clock, UnitOfWork
from domain.returns import ReturnRequest
from domain.services import _load, _stored, retried
from domain.variants import ExchangeSettings, Variant, checked_batch


async def upsert_variants(
    cmd: c.UpsertVariants, *, uow: UnitOfWork, clock: Clock
) -> tuple[int, int, list[Variant]]:
    """(created, updated, variants as stored); every variant is checked before any is
    written."""
    batch = checked_batch(replace(v, merchant=cmd.merchant) for v in cmd.variants)
    async with uow:
        created, stored = await uow.exchanges.upsert_variants(batch)
        await uow.commit()
    return created, len(stored) - created, stored


async def delete_variant(cmd: c.DeleteVariant, *, uow: UnitOfWork, clock: Clock) -> None:
    """Lines already asked for keep their sku, title and price; new ones cannot use it."""
    async with uow:
        if not await uow.exchanges.delete_variant(cmd.merchant, cmd.sku):
            raise NotFound(f"variant {cmd.sku} not found for merchant {cmd.merchant}", field="sku")
        await uow.commit()


async def update_exchange_settings(
    cmd: c.UpdateExchangeSettings, *, uow: UnitOfWork, clock: Clock
) -> ExchangeSettings:
    async with uow:
        settings = await uow.exchanges.settings(cmd.merchant)
        changes = {
            name: value
            for name in ("release_on", "allow_any_product", "out_of_stock_fallback")
            if (value := getattr(cmd, name)) is not None
        }
        settings = replace(settings, **changes)  # type: ignore[arg-type]
        await uow.exchanges.save_settings(settings)
        await uow.commit()
    return settings


@retried
async def release_exchange(
    cmd: c.ReleaseExchange, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.release_exchange(
            await triggers.request_catalogue(uow, request),
            at=clock.now(),
            actor=cmd.actor,
            ship_to=await triggers.ship_to(uow, request),
        )
        return await _stored(uow, request)


@retried
async def record_exchange_payment(
    cmd: c.RecordExchangePayment, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.record_exchange_payment(
            amount=cmd.amount,
            currency=cmd.currency,
            reference=cmd.reference,
            catalogue=await triggers.request_catalogue(uow, request),
            at=clock.now(),
            actor=cmd.actor,
            ship_to=await triggers.ship_to(uow, request),
        )
        return await _stored(uow, request)


@retried
async def mark_exchange_fulfilled(
    cmd: c.MarkExchangeFulfilled, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.mark_exchange_fulfilled(
            tracking_number=cmd.tracking_number,
            line_ids=cmd.line_ids,
            carrier=cmd.carrier,
            tracking_url=cmd.tracking_url,
            at=clock.now(),
            actor=cmd.actor,
        )
        return await _stored(uow, request)


@retried
async def convert_exchange(
    cmd: c.ConvertExchange, *, uow: UnitOfWork, clock: Clock
) -> ReturnRequest:
    async with uow:
        request = await _load(uow, cmd)
        request.convert_exchange(cmd.line_id, cmd.outcome, at=clock.now(), actor=cmd.actor)
        return await _stored(uow, request)

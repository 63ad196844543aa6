"""What every use case that may release an exchange shares: the request's catalogue (the
merchant's settings and the variants of its lines), where the exchange ships to, and the
release by the merchant's trigger after an approval, a first scan or a receipt. A request
without exchange lines costs no read here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from domain.ports import Clock, UnitOfWork
from domain.reference import ReferenceKind
from domain.returns import ReturnRequest
from domain.values import Actor, Address
from domain.variants import Catalogue, ExchangeRelease


async def catalogue_for(uow: UnitOfWork, merchant: str, skus: Iterable[str] = ()) -> Catalogue:
    return await uow.exchanges.catalogue(merchant, skus)


async def asking_catalogue(uow: UnitOfWork, merchant: str, skus: Iterable[str]) -> Catalogue:
    """The catalogue a request asking for an exchange is judged on, with the merchant's
    exchange resolution (the resolution marked is_exchange, if any)."""
    catalogue = await catalogue_for(uow, merchant, skus)
    resolutions = await uow.configuration.entries(merchant, ReferenceKind.RESOLUTION)
    marked = next((entry.code for entry in resolutions if entry.is_exchange), None)
    return replace(catalogue, exchange_resolution=marked)


async def request_catalogue(uow: UnitOfWork, request: ReturnRequest) -> Catalogue:
    """The variants of the request's lines and of its returned items (their groups)."""
    skus = {line.sku for line in request.exchange_lines} | {item.sku for item in request.items}
    return await catalogue_for(uow, request.merchant, skus)


async def ship_to(uow: UnitOfWork, request: ReturnRequest) -> Address | None:
    """The request's pickup address, else the order's delivery address."""
    if request.details.pickup is not None:
        return request.details.pickup
    order = await uow.orders.get(request.merchant, request.order_reference)
    return order.delivery_address if order else None


async def release_on(
    uow: UnitOfWork, request: ReturnRequest, trigger: ExchangeRelease, *, clock: Clock, actor: Actor
) -> bool:
    """Release the request's waiting lines if `trigger` is the merchant's."""
    if not request.has_exchange:
        return False
    catalogue = await request_catalogue(uow, request)
    if catalogue.settings.release_on != trigger:
        return False
    return request.release_exchange(
        catalogue,
        at=clock.now(),
        actor=actor,
        ship_to=await ship_to(uow, request),
        trigger=trigger,
    )

"""Use cases of webhook endpoints: register, change, remove one, re-send a delivery.

Each runs in one unit of work like every other write, so the endpoint limit is checked in
the transaction that inserts (serialised per tenant), a change is judged against the stored
endpoint and refused when made on an older version (VERSION_CONFLICT), and a retry of a
request that crashed after committing never runs it twice (its idempotency key is marked
in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands import Command
from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.ports import Clock, UnitOfWork
from domain.webhooks import MAX_ENDPOINTS, WebhookEndpoint


@dataclass(frozen=True, kw_only=True)
class RegisterWebhookEndpoint(Command):
    url: str
    event_types: tuple[str, ...] = ()
    merchant: str | None = None
    secret: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChangeWebhookEndpoint(Command):
    endpoint_id: str
    url: str | None = None
    event_types: tuple[str, ...] | None = None
    secret: str | None = None
    active: bool | None = None
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class RemoveWebhookEndpoint(Command):
    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class ResendWebhookDelivery(Command):
    delivery_id: str


async def register_webhook_endpoint(
    cmd: RegisterWebhookEndpoint, *, uow: UnitOfWork, clock: Clock
) -> WebhookEndpoint:
    """Refused past MAX_ENDPOINTS: each endpoint multiplies what every commit writes."""
    endpoint = WebhookEndpoint.register(
        url=cmd.url,
        event_types=cmd.event_types,
        merchant=cmd.merchant,
        secret=cmd.secret,
        now=clock.now(),
    )
    async with uow:
        if await uow.webhooks.count() >= MAX_ENDPOINTS:
            raise DomainError(
                f"a tenant may register at most {MAX_ENDPOINTS} webhook endpoints",
                code=ErrorCode.LIMIT_EXCEEDED,
            )
        await uow.webhooks.add(endpoint)
        await uow.commit()
    return endpoint


async def change_webhook_endpoint(
    cmd: ChangeWebhookEndpoint, *, uow: UnitOfWork, clock: Clock
) -> WebhookEndpoint:
    """Only the fields given change; the others keep their stored (not their read) values."""
    async with uow:
        current = await uow.webhooks.get(cmd.endpoint_id)
        if cmd.expected_version is not None and current.version != cmd.expected_version:
            raise VersionConflict(
                f"webhook endpoint {current.endpoint_id} is at version {current.version}, "
                f"not {cmd.expected_version}; reload it and try again",
                field="expected_version",
            )
        changed = current.changed(
            url=cmd.url,
            event_types=cmd.event_types,
            secret=cmd.secret,
            active=cmd.active,
            now=clock.now(),
        )
        saved = await uow.webhooks.save(changed)
        await uow.commit()
    return saved


async def remove_webhook_endpoint(
    cmd: RemoveWebhookEndpoint, *, uow: UnitOfWork, clock: Clock
) -> None:
    """The endpoint goes with its delivery history."""
    async with uow:
        if not await uow.webhooks.remove(cmd.endpoint_id):
            raise NotFound(f"no webhook endpoint {cmd.endpoint_id!r}", field="id")
        await uow.commit()


async def resend_webhook_delivery(
    cmd: ResendWebhookDelivery, *, uow: UnitOfWork, clock: Clock
) -> str:
    """A new delivery of the same event to the same active endpoint; returns its id."""
    async with uow:
        delivery_id = await uow.webhooks.resend(cmd.delivery_id, clock.now())
        if delivery_id is None:
            raise NotFound(
                f"no webhook delivery {cmd.delivery_id!r} with an active endpoint",
                field="delivery_id",
            )
        await uow.commit()
    return delivery_id

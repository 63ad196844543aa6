"""Webhook endpoints through the unit of work: stored and read back whole, versioned, scoped
to their tenant (a foreign id is a missing one)."""

from __future__ import annotations

import dataclasses

import pytest

from domain import webhook_services as hooks
from domain.errors import NotFound, VersionConflict

REGISTER = hooks.RegisterWebhookEndpoint(
    url="https://hooks.example.com/h",
    event_types=("ReturnStatusChanged", "NoteAdded"),
    merchant="acme",
    secret="a-shared-secret-of-32-characters",
)


async def test_an_endpoint_reads_back_as_it_was_registered(world):
    created = await world.run(hooks.register_webhook_endpoint, REGISTER)

    async with world.uow() as uow:
        assert await uow.webhooks.get(created.endpoint_id) == created
    assert created.version == 1


async def test_each_change_moves_the_version_and_a_stale_write_is_refused(world):
    created = await world.run(hooks.register_webhook_endpoint, REGISTER)
    change = hooks.ChangeWebhookEndpoint(endpoint_id=created.endpoint_id, active=False)

    changed = await world.run(hooks.change_webhook_endpoint, change)

    assert (changed.active, changed.version) == (False, 2)
    async with world.uow() as uow:
        with pytest.raises(VersionConflict):
            await uow.webhooks.save(dataclasses.replace(created, url="https://old.example/h"))


async def test_another_tenant_neither_sees_nor_changes_nor_removes_an_endpoint(world):
    created = await world.run(hooks.register_webhook_endpoint, REGISTER)
    foreign = world.uow("other-tenant")

    with pytest.raises(NotFound):
        await hooks.change_webhook_endpoint(
            hooks.ChangeWebhookEndpoint(endpoint_id=created.endpoint_id, active=False),
            uow=foreign,
            clock=world.clock,
        )
    with pytest.raises(NotFound):
        await hooks.remove_webhook_endpoint(
            hooks.RemoveWebhookEndpoint(endpoint_id=created.endpoint_id),
            uow=world.uow("other-tenant"),
            clock=world.clock,
        )
    async with world.uow() as uow:
        assert await uow.webhooks.get(created.endpoint_id) == created

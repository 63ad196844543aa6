"""Carriyo's Return Settings: create, get, update and delete a merchant's settings through
the same configuration use cases as GraphQL's upsertReturnSettings / deleteReturnSettings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp import web

from core.wire import read, schema_ref
from domain import configuration_services as use
from domain.errors import NotFound
from domain.reference import ReturnSettings
from edge.json_answers import json_response
from persistence.configuration import SqlConfigurationRepository
from rest.carriyo import models
from rest.carriyo import serializers as out
from rest.carriyo.schemas import operation
from rest.http import Call, Route

PATH = "/returns/settings"
SETTINGS = schema_ref(models.ReturnRequestSettings)


def _save(new: bool) -> Callable[[Call], Awaitable[web.Response]]:
    """POST creates (409 when they exist), PUT replaces (404 when they do not)."""

    async def handle(call: Call) -> web.Response:
        settings = read(models.ReturnRequestSettings, await call.body()).settings()
        saved = await use.upsert_settings(settings, uow=call.context.unit_of_work(), new=new)
        return json_response(out.settings(saved))

    return handle


async def get_settings(call: Call) -> web.Response:
    """The seed's filters narrow the answer: `notification_user_id` to that user (by email),
    `shopify_connector_id` to settings of that connector (else 404)."""
    merchant = call.query("merchant")
    async with call.context.db.reading() as reads:
        found = await SqlConfigurationRepository(reads, call.context.tenant_id).settings(merchant)
    connector = call.query("shopify_connector_id", required=False)
    if found is None or (connector is not None and found.shopify_connector_id != connector):
        raise NotFound(f"no return settings for merchant {merchant}", field="merchant")
    user_id = call.query("notification_user_id", required=False)
    return json_response(out.settings(_narrowed(found, user_id)))


def _narrowed(settings: ReturnSettings, user_id: str | None) -> ReturnSettings:
    if user_id is None:
        return settings
    users = tuple(u for u in settings.notification_users if u.email.lower() == user_id.lower())
    return replace(settings, notification_users=users)


async def delete_settings(call: Call) -> web.Response:
    merchant = call.query("merchant")
    await use.delete_settings(merchant, uow=call.context.unit_of_work())
    return json_response({"merchant": merchant, "deleted": True})


ROUTES = (
    Route(
        "POST",
        PATH,
        _save(new=True),
        operation("Create return settings", body=SETTINGS, answer=SETTINGS),
    ),
    Route(
        "GET",
        PATH,
        get_settings,
        operation(
            "Get return settings",
            query=("merchant",),
            optional_query=(
                "notification_user_scope",
                "shopify_connector_id",
                "notification_user_id",
            ),
            answer=SETTINGS,
        ),
    ),
    Route(
        "PUT",
        PATH,
        _save(new=False),
        operation("Update return settings", body=SETTINGS, answer=SETTINGS),
    ),
    Route(
        "DELETE", PATH, delete_settings, operation("Delete return settings", query=("merchant",))
    ),
)

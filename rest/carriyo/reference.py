"""Carriyo's reference data (return reasons, rejection reasons, resolutions, refund types,
item conditions, return comments): create, list, update and delete, through the same
configuration use cases and reads as the GraphQL fields. The routes of every kind are made
from its row in `core.reference_kinds`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from core.reference_kinds import REFERENCE_KINDS
from core.wire import read, schema_ref
from domain import configuration_services as use
from domain.reference import ReferenceKind
from edge.json_answers import json_response
from persistence.configuration import SqlConfigurationRepository
from rest.carriyo import models
from rest.carriyo import serializers as out
from rest.carriyo.schemas import operation
from rest.http import Call, Route

Handler = Callable[[Call], Awaitable[web.Response]]


def _create(kind: ReferenceKind) -> Handler:
    async def handle(call: Call) -> web.Response:
        entry = read(models.reference_body(kind), await call.body()).entry(kind, None)
        saved = await use.create_reference(entry, uow=call.context.unit_of_work())
        return json_response(out.reference_entry(saved))

    return handle


def _update(kind: ReferenceKind, code_param: str) -> Handler:
    async def handle(call: Call) -> web.Response:
        body = read(models.reference_body(kind), await call.body())
        entry = body.entry(kind, call.path(code_param))
        saved = await use.update_reference(entry, uow=call.context.unit_of_work())
        return json_response(out.reference_entry(saved))

    return handle


def _delete(kind: ReferenceKind, code_param: str) -> Handler:
    async def handle(call: Call) -> web.Response:
        merchant, code = call.query("merchant"), call.path(code_param)
        await use.delete_reference(kind, merchant, code, uow=call.context.unit_of_work())
        return json_response({"merchant": merchant, "code": code, "deleted": True})

    return handle


def _list(kind: ReferenceKind, merchant_required: bool) -> Handler:
    """Where the seed makes `merchant` optional, leaving it out lists every merchant's."""

    async def handle(call: Call) -> web.Response:
        merchant = call.query("merchant", required=merchant_required)
        language = call.query("language", required=False)
        async with call.context.db.reading() as reads:
            config = SqlConfigurationRepository(reads, call.context.tenant_id)
            entries = await config.entries(merchant, kind)
        return json_response([out.reference_entry(entry, language) for entry in entries])

    return handle


def _routes() -> tuple[Route, ...]:
    routes: list[Route] = []
    for faces in REFERENCE_KINDS:
        kind, param, label, merchant_required = (
            faces.kind,
            faces.code_param,
            faces.label,
            faces.merchant_required,
        )
        base, one = f"/returns/{faces.path}", f"/returns/{faces.path}/{{{param}}}"
        body = schema_ref(models.reference_body(kind))
        listing = {"type": "array", "items": body}
        required = ("merchant",) if merchant_required else ()
        optional = ("language",) if merchant_required else ("merchant", "language")
        routes += [
            Route(
                "POST", base, _create(kind), operation(f"Create {label}", body=body, answer=body)
            ),
            Route(
                "GET",
                base,
                _list(kind, merchant_required),
                operation(
                    f"List {label}s", query=required, optional_query=optional, answer=listing
                ),
            ),
            Route(
                "PUT",
                one,
                _update(kind, param),
                operation(f"Update {label}", path=(param,), body=body, answer=body),
            ),
            Route(
                "DELETE",
                one,
                _delete(kind, param),
                operation(f"Delete {label}", path=(param,), query=("merchant",)),
            ),
        ]
    return tuple(routes)


ROUTES = _routes()

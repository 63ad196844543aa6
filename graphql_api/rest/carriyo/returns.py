"""Carriyo's Return Requests operations (the order lookups are in lookups.py): each turns
the call into the same use case (`domain.services`) or loader a GraphQL field uses, and
answers in Carriyo's shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from domain import commands as c
from domain import services
from domain.errors import InvalidInput, NotFound
from domain.returns import ReturnRequest
from graphql_api.common import return_request_key
from graphql_api.rest import fields as f
from graphql_api.rest.carriyo import inputs
from graphql_api.rest.carriyo import serializers as out
from graphql_api.rest.carriyo.schemas import (
    APPROVE_BODY,
    ASSIGN_BODY,
    CANCEL_BODY,
    ITEMS_BODY,
    NOTE_BODY,
    REFUND_ANSWER,
    REFUND_BODY,
    REJECT_BODY,
    REQUEST_ANSWER,
    SPLIT_BODY,
    operation,
    ref,
)
from graphql_api.rest.http import Call, Route, json_response

REQUESTS = "/returns/requests"
ONE = f"{REQUESTS}/{{return_request_id}}"
ID = ("return_request_id",)
USER_HEADER = "x-user"


def _rid(call: Call) -> str:
    return return_request_key(call.path("return_request_id"))


def _answer(request: ReturnRequest) -> web.Response:
    return json_response(out.return_request(request))


# --------------------------------------------------------------------------- reads


async def get_request(call: Call) -> web.Response:
    rid = _rid(call)
    request = await call.context.loaders.return_request_by_id.load(rid)
    if request is None:
        raise NotFound(f"return request {rid} not found", field="return_request_id")
    return _answer(request)


# --------------------------------------------------------------------------- writes


async def create_request(call: Call) -> web.Response:
    command = inputs.create_return(await call.body(), call.context.actor)
    return _answer(await call.run(services.create_return, command))


def _change(
    use_case: Callable[..., Awaitable[ReturnRequest]],
    build: Callable[[dict[str, Any], str, Any], Any],
    *,
    body_required: bool = True,
) -> Callable[[Call], Awaitable[web.Response]]:
    """A handler that turns the body into a command on the path's request and answers with
    the request as it now is."""

    async def handle(call: Call) -> web.Response:
        body = await call.body(required=body_required)
        command = build(body, _rid(call), call.context.actor)
        return _answer(await call.run(use_case, command))

    return handle


def _without_body(command_type: Any) -> Callable[[dict[str, Any], str, Any], Any]:
    def build(body: dict[str, Any], rid: str, actor: Any) -> Any:
        return command_type(actor=actor, return_request_id=rid)

    return build


async def cancel_request(call: Call) -> web.Response:
    body = await call.body(required=False)
    reason = f.text(body, "reason")
    command = c.CancelReturn(actor=call.context.actor, return_request_id=_rid(call), reason=reason)
    return _answer(await call.run(services.cancel_return, command))


async def add_note(call: Call) -> web.Response:
    if call.header(USER_HEADER) is None:
        raise InvalidInput("the x-user header names who writes the note", field=USER_HEADER)
    body = await call.body()
    command = c.AddReturnNote(
        actor=call.context.actor,
        return_request_id=_rid(call),
        text=f.text(body, "text", required=True),
    )
    return _answer(await call.run(services.add_return_note, command))


async def delete_note(call: Call) -> web.Response:
    command = c.DeleteReturnNote(
        actor=call.context.actor, return_request_id=_rid(call), note_id=call.path("note_id")
    )
    return _answer(await call.run(services.delete_return_note, command))


async def assign(call: Call) -> web.Response:
    body = await call.body()
    command = c.AssignReturn(
        actor=call.context.actor,
        return_request_id=_rid(call),
        user=f.text(body, "assigned_to_user", required=True),
    )
    return _answer(await call.run(services.assign_return, command))


async def split(call: Call) -> web.Response:
    """Answers with the new request (its id is what the caller does not know yet); the
    original's id is its `split_from`."""
    command = inputs.split_return(await call.body(), _rid(call), call.context.actor)
    _original, new = await call.run(services.split_return, command)
    return _answer(new)


async def set_status(call: Call) -> web.Response:
    status = call.query("status")
    command = inputs.set_status(status, _rid(call), call.context.actor)
    return _answer(await call.run(services.set_return_status, command))


async def add_refund(call: Call) -> web.Response:
    command = inputs.add_refund(await call.body(), _rid(call), call.context.actor)
    return json_response(out.refund_info(await call.run(services.add_refund, command)))


async def delete_refund(call: Call) -> web.Response:
    command = c.DeleteRefund(
        actor=call.context.actor, return_request_id=_rid(call), refund_id=call.path("refund_id")
    )
    return json_response(out.refund_info(await call.run(services.delete_refund, command)))


# --------------------------------------------------------------------------- routes


def _op(summary: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("answer", REQUEST_ANSWER)
    return operation(summary, **kwargs)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        REQUESTS,
        create_request,
        _op("Create return request", body=ref("CreateReturnRequest")),
    ),
    Route("GET", ONE, get_request, _op("Get return request", path=ID)),
    Route(
        "PATCH",
        ONE,
        _change(services.update_return, inputs.update_return),
        _op("Update return request", path=ID, body=ref("EditReturnRequest")),
    ),
    Route(
        "PATCH",
        f"{ONE}/approve",
        _change(services.approve_return, inputs.approve_return, body_required=False),
        _op("Approve return request", path=ID, body=APPROVE_BODY, body_required=False),
    ),
    Route(
        "PATCH",
        f"{ONE}/cancel",
        cancel_request,
        _op(
            "Cancel return request",
            path=ID,
            body=CANCEL_BODY,
            body_required=False,
        ),
    ),
    Route(
        "PATCH",
        f"{ONE}/reject",
        _change(services.reject_return, inputs.reject_return),
        _op("Reject return request", path=ID, body=REJECT_BODY),
    ),
    Route(
        "PATCH",
        f"{ONE}/receive",
        _change(services.receive_return, inputs.receive_return),
        _op("Receive return request", path=ID, body=ITEMS_BODY),
    ),
    Route(
        "PATCH",
        f"{ONE}/complete",
        _change(
            services.complete_return,
            _without_body(c.CompleteReturn),
            body_required=False,
        ),
        _op("Complete return request", path=ID),
    ),
    Route(
        "POST",
        f"{ONE}/notes",
        add_note,
        _op(
            "Add note",
            path=ID,
            headers=(USER_HEADER,),
            body=NOTE_BODY,
        ),
    ),
    Route(
        "DELETE",
        f"{ONE}/notes/{{note_id}}",
        delete_note,
        _op("Delete note", path=(*ID, "note_id")),
    ),
    Route(
        "PATCH",
        f"{ONE}/assign-to-user",
        assign,
        _op(
            "Assign return request to a user",
            path=ID,
            body=ASSIGN_BODY,
        ),
    ),
    Route(
        "PATCH",
        f"{ONE}/split",
        split,
        _op(
            "Split return request items",
            path=ID,
            body=SPLIT_BODY,
        ),
    ),
    Route(
        "PATCH",
        f"{ONE}/status",
        set_status,
        _op("Set return request status", path=ID, query=("status",)),
    ),
    Route(
        "POST",
        f"{ONE}/refunds",
        add_refund,
        operation("Add return refund", path=ID, body=REFUND_BODY, answer=REFUND_ANSWER),
    ),
    Route(
        "DELETE",
        f"{ONE}/refunds/{{refund_id}}",
        delete_refund,
        operation("Delete return refund", path=(*ID, "refund_id"), answer=REFUND_ANSWER),
    ),
)

"""Carriyo's Return Requests operations (the order lookups are in lookups.py): each turns
the call into the same use case (`domain.services`) or loader a GraphQL field uses, and
answers in Carriyo's shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.global_ids import return_request_key
from core.wire import read, schema_ref
from domain import commands as c
from domain import services
from domain.errors import InvalidInput, NotFound
from domain.lifecycle import Action
from domain.returns import SIMPLE_TRANSITIONS, ReturnRequest
from edge.json_answers import json_response
from rest.carriyo import models
from rest.carriyo import serializers as out
from rest.carriyo.schemas import REFUND_ANSWER, REQUEST_ANSWER, operation
from rest.http import Call, Route

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
    request = await call.context.loaders.return_request_now(rid)
    if request is None:
        raise NotFound(f"return request {rid} not found", field="return_request_id")
    return _answer(request)


# --------------------------------------------------------------------------- writes


async def create_request(call: Call) -> web.Response:
    body = read(models.CreateReturnRequest, await call.body())
    return _answer(await call.run(services.create_return, body.command(call.context.actor)))


def _change(
    use_case: Callable[..., Awaitable[ReturnRequest]],
    model: type[models.ReturnChange],
    *,
    body_required: bool = True,
) -> Callable[[Call], Awaitable[web.Response]]:
    """A handler that turns the body (read as `model`) into a command on the path's request
    and answers with the request as it now is."""

    async def handle(call: Call) -> web.Response:
        body = read(model, await call.body(required=body_required))
        return _answer(await call.run(use_case, body.command(_rid(call), call.context.actor)))

    return handle


async def add_note(call: Call) -> web.Response:
    if call.header(USER_HEADER) is None:
        raise InvalidInput("the x-user header names who writes the note", field=USER_HEADER)
    body = read(models.NewNote, await call.body())
    command = body.command(_rid(call), call.context.actor)
    return _answer(await call.run(services.add_return_note, command))


async def delete_note(call: Call) -> web.Response:
    command = c.DeleteReturnNote(
        actor=call.context.actor, return_request_id=_rid(call), note_id=call.path("note_id")
    )
    return _answer(await call.run(services.delete_return_note, command))


async def split(call: Call) -> web.Response:
    """Answers with the new request (its id is what the caller does not know yet); the
    original's id is its `split_from`."""
    body = read(models.SplitReturnRequest, await call.body())
    command = body.command(_rid(call), call.context.actor)
    _original, new = await call.run(services.split_return, command)
    return _answer(new)


async def set_status(call: Call) -> web.Response:
    status = call.query("status")
    command = models.set_status(status, _rid(call), call.context.actor)
    return _answer(await call.run(services.set_return_status, command))


async def add_refund(call: Call) -> web.Response:
    body = read(models.NewRefund, await call.body())
    request = await call.run(services.add_refund, body.command(_rid(call), call.context.actor))
    return json_response(out.refund_info(request))


async def delete_refund(call: Call) -> web.Response:
    command = c.DeleteRefund(
        actor=call.context.actor, return_request_id=_rid(call), refund_id=call.path("refund_id")
    )
    return json_response(out.refund_info(await call.run(services.delete_refund, command)))


# --------------------------------------------------------------------------- routes


def _op(summary: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("answer", REQUEST_ANSWER)
    return operation(summary, **kwargs)


def _changing(
    path: str,
    use_case: Callable[..., Awaitable[ReturnRequest]],
    model: type[models.ReturnChange],
    summary: str,
    *,
    body_required: bool = True,
) -> Route:
    """A PATCH on one request whose body is `model`, answered with the request."""
    return Route(
        "PATCH",
        path,
        _change(use_case, model, body_required=body_required),
        _op(summary, path=ID, body=schema_ref(model), body_required=body_required),
    )


def _transition(
    segment: str, action: Action, summary: str, body: type[models.Reason] | None = None
) -> Route:
    """A PATCH that makes a simple transition (domain.returns.SIMPLE_TRANSITIONS): its
    optional body gives the reason; without a `body` model the body is still optional and
    its shape checked, but it gives nothing."""
    if action not in SIMPLE_TRANSITIONS:
        raise ValueError(f"{action} is not in domain.returns.SIMPLE_TRANSITIONS")

    async def handle(call: Call) -> web.Response:
        given = await call.body(required=False)
        reason = read(body, given).reason if body is not None else None
        command = c.TransitionReturn(
            actor=call.context.actor, return_request_id=_rid(call), action=action, reason=reason
        )
        return _answer(await call.run(services.transition_return, command))

    described = {} if body is None else {"body": schema_ref(body), "body_required": False}
    return Route("PATCH", f"{ONE}/{segment}", handle, _op(summary, path=ID, **described))


# Every operation on return requests, in the order OpenAPI lists them. A simple transition
# is one `_transition` line (with `models.reason_body("…")` when it takes a reason, which
# OpenAPI then documents by itself).
ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        REQUESTS,
        create_request,
        _op("Create return request", body=schema_ref(models.CreateReturnRequest)),
    ),
    Route("GET", ONE, get_request, _op("Get return request", path=ID)),
    _changing(ONE, services.update_return, models.EditReturnRequest, "Update return request"),
    _changing(
        f"{ONE}/approve",
        services.approve_return,
        models.ApproveReturnRequest,
        "Approve return request",
        body_required=False,
    ),
    _transition("cancel", Action.CANCEL, "Cancel return request", models.CancelReturnRequest),
    _changing(
        f"{ONE}/reject", services.reject_return, models.RejectReturnRequest, "Reject return request"
    ),
    _changing(
        f"{ONE}/receive",
        services.receive_return,
        models.ReceiveReturnRequest,
        "Receive return request",
    ),
    _transition("complete", Action.COMPLETE, "Complete return request"),
    Route(
        "POST",
        f"{ONE}/notes",
        add_note,
        _op(
            "Add note",
            path=ID,
            headers=(USER_HEADER,),
            body=schema_ref(models.NewNote),
        ),
    ),
    Route(
        "DELETE",
        f"{ONE}/notes/{{note_id}}",
        delete_note,
        _op("Delete note", path=(*ID, "note_id")),
    ),
    _changing(
        f"{ONE}/assign-to-user",
        services.assign_return,
        models.Assignment,
        "Assign return request to a user",
    ),
    Route(
        "PATCH",
        f"{ONE}/split",
        split,
        _op("Split return request items", path=ID, body=schema_ref(models.SplitReturnRequest)),
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
        operation(
            "Add return refund",
            path=ID,
            body=schema_ref(models.NewRefund),
            answer=REFUND_ANSWER,
        ),
    ),
    Route(
        "DELETE",
        f"{ONE}/refunds/{{refund_id}}",
        delete_refund,
        operation("Delete return refund", path=(*ID, "refund_id"), answer=REFUND_ANSWER),
    ),
)

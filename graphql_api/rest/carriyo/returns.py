"""Carriyo's Return Requests operations: each translates the call into the same use case
(`domain.services`) or read (loaders, `returnable_lines`) a GraphQL field uses, and answers
in Carriyo's shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from domain import commands as c
from domain import services
from domain.errors import InvalidInput, NotFound
from domain.orders import Order
from domain.returns import ReturnRequest
from graphql_api.common import return_request_key
from graphql_api.orders.queries import returnable_lines
from graphql_api.rest import fields as f
from graphql_api.rest.carriyo import inputs
from graphql_api.rest.carriyo import serializers as out
from graphql_api.rest.carriyo.schemas import QUANTITIES, operation, ref
from graphql_api.rest.http import Call, Route, json_response

REQUESTS = "/returns/requests"
ONE = f"{REQUESTS}/{{return_request_id}}"
ID = ("return_request_id",)
LOOKUP = ("merchant", "email_or_phone", "partner_order_ref")
USER_HEADER = "x-user"
REQUEST_ANSWER = ref("ReturnRequest")


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


async def _customer_order(call: Call) -> Order:
    """The order, only for someone who names its customer's email or phone; anyone else gets
    the same 404 as for a missing order, so the lookup reveals nothing."""
    merchant, who, reference = (call.query(name) for name in LOOKUP)
    order = await call.context.loaders.order_by_reference.load((merchant, reference))
    if order is None or not order.customer.matches(who):  # type: ignore[arg-type]
        raise NotFound(
            f"no order {reference} of merchant {merchant} for that email or phone",
            field="partner_order_ref",
        )
    return order


async def available_items(call: Call) -> web.Response:
    lines = await returnable_lines(call.context, await _customer_order(call))
    return json_response([out.available_item(line) for line in lines if line.returnable])


async def available_locations(call: Call) -> web.Response:
    order = await _customer_order(call)
    return json_response([out.address(a) for a in order.collection_addresses()])


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
        text=f.text(body, "text", required=True),  # type: ignore[arg-type]
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
    command = inputs.set_status(status, _rid(call), call.context.actor)  # type: ignore[arg-type]
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

ITEMS_BODY = {"type": "object", "properties": {"items": QUANTITIES}}
APPROVE_BODY = {
    "type": "object",
    "properties": {"items": QUANTITIES, "rejection_reason": {"type": "string"}},
}
REJECT_BODY = {
    "type": "object",
    "properties": {
        "rejection_reason": {"type": "string"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"rejection_reason": {"type": "string"}}},
        },
    },
}
REFUND_BODY = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "reference": {"type": "string"},
        "type": {"type": "string"},
        "amount": {"type": "number"},
        "currency": {"type": "string"},
        "note": {"type": "string"},
        "refund_date": {"type": "string", "format": "date-time"},
    },
}
REFUND_ANSWER = ref("ReturnRefundInfo")


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
    Route(
        "GET",
        "/returns/available-items",
        available_items,
        operation("Get remaining items", query=LOOKUP, answer={"type": "array"}),
    ),
    Route(
        "GET",
        "/returns/available-locations",
        available_locations,
        operation("Get available locations", query=LOOKUP, answer={"type": "array"}),
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
            body={"type": "object", "properties": {"reason": {"type": "string"}}},
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
            body={
                "type": "object",
                "required": ["text"],
                "properties": {"text": {"type": "string"}},
            },
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
            body={
                "type": "object",
                "required": ["assigned_to_user"],
                "properties": {"assigned_to_user": {"type": "string"}},
            },
        ),
    ),
    Route(
        "PATCH",
        f"{ONE}/split",
        split,
        _op(
            "Split return request items",
            path=ID,
            body={
                "type": "object",
                "properties": {"items": QUANTITIES, "partner_location_id": {"type": "string"}},
            },
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

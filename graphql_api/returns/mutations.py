"""Return request mutations: input → command → use case → payload.

Expected failures come back as `userErrors` with stable codes; nothing is written then.
"""

from __future__ import annotations

from typing import Any

import strawberry

from domain import services
from domain.errors import DomainError
from domain.returns import ReturnRequest
from graphql_api.context import Info
from graphql_api.errors import UserError, user_errors
from graphql_api.execution import UseCase, execute
from graphql_api.returns import inputs as i
from graphql_api.returns.parts import NoteType, RefundType
from graphql_api.returns.types import ReturnRequestType
from persistence import mappers


@strawberry.type
class ReturnRequestPayload:
    return_request: ReturnRequestType | None
    user_errors: list[UserError]


@strawberry.type
class SplitReturnPayload:
    return_request: ReturnRequestType | None = strawberry.field(
        description="The original request, with the moved units taken out."
    )
    new_return_request: ReturnRequestType | None = strawberry.field(
        description="The new request holding the moved units."
    )
    user_errors: list[UserError]


@strawberry.type
class AddReturnNotePayload:
    return_request: ReturnRequestType | None
    note: NoteType | None
    user_errors: list[UserError]


@strawberry.type
class AddRefundPayload:
    return_request: ReturnRequestType | None
    refund: RefundType | None
    user_errors: list[UserError]


async def _run(info: Info, use_case: UseCase, data: Any) -> ReturnRequest | list[UserError]:
    """The request the use case wrote, or the errors it refused with."""
    try:
        return await execute(info, use_case, lambda: data.to_command(info.context.actor))
    except DomainError as error:
        return user_errors(error)


async def _request_payload(info: Info, use_case: UseCase, data: Any) -> ReturnRequestPayload:
    request = await _run(info, use_case, data)
    if isinstance(request, list):
        return ReturnRequestPayload(return_request=None, user_errors=request)
    return ReturnRequestPayload(return_request=_view(info, request), user_errors=[])


def _view(info: Info, request: ReturnRequest) -> ReturnRequestType:
    info.context.loaders.remember(request)
    return ReturnRequestType.from_domain(request)


@strawberry.type
class ReturnMutations:
    @strawberry.mutation(description="Ask to return items of a delivered order.")
    async def create_return(self, info: Info, input: i.CreateReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.create_return, input)

    @strawberry.mutation(
        description="Edit items, pickup, dropoff or resolution while PENDING or ON_HOLD."
    )
    async def update_return(self, info: Info, input: i.UpdateReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.update_return, input)

    @strawberry.mutation(
        description="Approve (possibly fewer units); opens the reverse "
        "shipment when an item's reason asks for one."
    )
    async def approve_return(self, info: Info, input: i.ApproveReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.approve_return, input)

    @strawberry.mutation
    async def reject_return(self, info: Info, input: i.RejectReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.reject_return, input)

    @strawberry.mutation
    async def hold_return(self, info: Info, input: i.HoldReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.hold_return, input)

    @strawberry.mutation
    async def resume_return(self, info: Info, input: i.ResumeReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.resume_return, input)

    @strawberry.mutation(description="Cancel the request and its open reverse shipment.")
    async def cancel_return(self, info: Info, input: i.CancelReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.cancel_return, input)

    @strawberry.mutation(description="Record units that arrived and their condition.")
    async def receive_return(self, info: Info, input: i.ReceiveReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.receive_return, input)

    @strawberry.mutation
    async def complete_return(
        self, info: Info, input: i.CompleteReturnInput
    ) -> ReturnRequestPayload:
        return await _request_payload(info, services.complete_return, input)

    @strawberry.mutation(description="Audited administrative status override.")
    async def set_return_status(
        self, info: Info, input: i.SetReturnStatusInput
    ) -> ReturnRequestPayload:
        return await _request_payload(info, services.set_return_status, input)

    @strawberry.mutation
    async def assign_return(self, info: Info, input: i.AssignReturnInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.assign_return, input)

    @strawberry.mutation
    async def delete_return_note(
        self, info: Info, input: i.DeleteReturnNoteInput
    ) -> ReturnRequestPayload:
        return await _request_payload(info, services.delete_return_note, input)

    @strawberry.mutation
    async def delete_refund(self, info: Info, input: i.DeleteRefundInput) -> ReturnRequestPayload:
        return await _request_payload(info, services.delete_refund, input)

    @strawberry.mutation(
        description="Enter tracking number, label or carrier of the open reverse shipment."
    )
    async def update_reverse_shipment(
        self, info: Info, input: i.UpdateReverseShipmentInput
    ) -> ReturnRequestPayload:
        return await _request_payload(info, services.update_reverse_shipment, input)

    @strawberry.mutation(description="Move units into a new request; both are returned.")
    async def split_return(self, info: Info, input: i.SplitReturnInput) -> SplitReturnPayload:
        try:
            original, new = await execute(
                info, services.split_return, lambda: input.to_command(info.context.actor)
            )
        except DomainError as error:
            return SplitReturnPayload(
                return_request=None, new_return_request=None, user_errors=user_errors(error)
            )
        return SplitReturnPayload(
            return_request=_view(info, original),
            new_return_request=_view(info, new),
            user_errors=[],
        )

    @strawberry.mutation
    async def add_return_note(
        self, info: Info, input: i.AddReturnNoteInput
    ) -> AddReturnNotePayload:
        request = await _run(info, services.add_return_note, input)
        if isinstance(request, list):
            return AddReturnNotePayload(return_request=None, note=None, user_errors=request)
        return AddReturnNotePayload(
            return_request=_view(info, request),
            note=NoteType.from_row(mappers.note_values(request.notes[-1])),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Record a refund; the total per currency never exceeds "
        "the value of approved units."
    )
    async def add_refund(self, info: Info, input: i.AddRefundInput) -> AddRefundPayload:
        request = await _run(info, services.add_refund, input)
        if isinstance(request, list):
            return AddRefundPayload(return_request=None, refund=None, user_errors=request)
        return AddRefundPayload(
            return_request=_view(info, request),
            refund=RefundType.from_row(mappers.refund_values(request.refunds[-1])),
            user_errors=[],
        )

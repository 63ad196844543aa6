"""Return request mutations: input → command → use case → payload.

Expected failures come back as `userErrors` with stable codes; nothing is written then. The
mutations that answer with the request are declared in one table (`CHANGES`); a simple
transition there is one line that makes its mutation and its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

from domain import fee_services, services
from domain.errors import DomainError
from domain.lifecycle import Action
from domain.returns import SIMPLE_TRANSITIONS, ReturnRequest
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


@dataclass(frozen=True, slots=True)
class Change:
    """A mutation that runs one use case on its input and answers with the request."""

    name: str
    use_case: UseCase
    input: type
    description: str | None = None

    def field(self) -> StrawberryField:
        use_case = self.use_case

        async def change(info: Info, input: Any) -> ReturnRequestPayload:
            return await _request_payload(info, use_case, input)

        change.__annotations__ = {"info": Info, "input": self.input, "return": ReturnRequestPayload}
        return strawberry.mutation(resolver=change, name=self.name, description=self.description)


def transition(
    name: str, action: Action, *, reason: bool = False, description: str | None = None
) -> Change:
    """A simple transition's mutation (domain.returns.SIMPLE_TRANSITIONS): its input is
    made here, and it runs `services.transition_return`."""
    if action not in SIMPLE_TRANSITIONS:
        raise ValueError(f"{action} is not in domain.returns.SIMPLE_TRANSITIONS")
    made = i.transition_input(name, action, reason=reason)
    return Change(name, services.transition_return, made, description)


# Every mutation that answers with the request, in the schema's order. A simple transition
# is one `transition` line; the others name their use case and their input (inputs.py).
CHANGES = (
    Change(
        "createReturn",
        services.create_return,
        i.CreateReturnInput,
        "Ask to return items of a delivered order.",
    ),
    Change(
        "updateReturn",
        services.update_return,
        i.UpdateReturnInput,
        "Edit items, pickup, dropoff or resolution while PENDING or ON_HOLD.",
    ),
    Change(
        "approveReturn",
        services.approve_return,
        i.ApproveReturnInput,
        "Approve (possibly fewer units); opens the reverse shipment when an item's reason "
        "asks for one.",
    ),
    Change("rejectReturn", services.reject_return, i.RejectReturnInput),
    transition("holdReturn", Action.HOLD, reason=True),
    transition("resumeReturn", Action.RESUME),
    transition(
        "cancelReturn",
        Action.CANCEL,
        reason=True,
        description="Cancel the request and its open reverse shipment.",
    ),
    Change(
        "receiveReturn",
        services.receive_return,
        i.ReceiveReturnInput,
        "Record units that arrived and their condition.",
    ),
    transition("completeReturn", Action.COMPLETE),
    Change(
        "setReturnStatus",
        services.set_return_status,
        i.SetReturnStatusInput,
        "Audited administrative status override.",
    ),
    Change("assignReturn", services.assign_return, i.AssignReturnInput),
    Change("deleteReturnNote", services.delete_return_note, i.DeleteReturnNoteInput),
    Change(
        "deleteRefund",
        services.delete_refund,
        i.DeleteRefundInput,
        "Delete a refund; one by store credit takes its credit and bonus back, and is "
        "refused (STORE_CREDIT_SPENT) once the customer spent some of it.",
    ),
    Change(
        "setRefundOutcome",
        services.set_refund_outcome,
        i.SetRefundOutcomeInput,
        "Switch a refund to store credit (credit and bonus issued) or to money (taken back).",
    ),
    Change(
        "waiveReturnFee",
        fee_services.waive_return_fee,
        i.WaiveReturnFeeInput,
        "Waive a fee, with why; receipt's re-evaluation keeps it waived.",
    ),
    Change(
        "setReturnFee",
        fee_services.set_return_fee,
        i.SetReturnFeeInput,
        "Set a fee's amount by hand (or add one); refused with FEE_EXCEEDS_VALUE when fees "
        "would take more than is left to give back.",
    ),
    Change(
        "updateReverseShipment",
        services.update_reverse_shipment,
        i.UpdateReverseShipmentInput,
        "Enter tracking number, label or carrier of the open reverse shipment.",
    ),
)


@strawberry.mutation(description="Move units into a new request; both are returned.")
async def split_return(info: Info, input: i.SplitReturnInput) -> SplitReturnPayload:
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
async def add_return_note(info: Info, input: i.AddReturnNoteInput) -> AddReturnNotePayload:
    request = await _run(info, services.add_return_note, input)
    if isinstance(request, list):
        return AddReturnNotePayload(return_request=None, note=None, user_errors=request)
    return AddReturnNotePayload(
        return_request=_view(info, request),
        note=NoteType.from_row(mappers.note_values(request.notes[-1])),
        user_errors=[],
    )


@strawberry.mutation(
    description="Record a refund; the total per currency never exceeds the value of approved "
    "units less fees (REFUND_EXCEEDS_VALUE)."
)
async def add_refund(info: Info, input: i.AddRefundInput) -> AddRefundPayload:
    request = await _run(info, services.add_refund, input)
    if isinstance(request, list):
        return AddRefundPayload(return_request=None, refund=None, user_errors=request)
    return AddRefundPayload(
        return_request=_view(info, request),
        refund=RefundType.from_row(mappers.refund_values(request.refunds[-1])),
        user_errors=[],
    )


ReturnMutations = strawberry.type(
    type(
        "ReturnMutations",
        (),
        {
            **{change.name: change.field() for change in CHANGES},
            "split_return": split_return,
            "add_return_note": add_return_note,
            "add_refund": add_refund,
        },
    )
)

"""Mutation inputs for return requests; each turns itself into a domain command."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from core.global_ids import return_request_key
from core.request_details import detail_changes, quantities_by_sku, request_details
from domain import commands as c
from domain.errors import InvalidInput
from domain.exchange_lines import ExchangeItem
from domain.fees import FeeKind
from domain.lifecycle import Action, ReturnStatus
from domain.parts import ItemRequest, RefundOutcome
from domain.values import UNSET as KEEP
from domain.values import Actor
from graphql_api.common import AddressInput, MutationInput, TimeWindowInput


@strawberry.input(description="One sku to return, with why and what the customer wants.")
class ReturnItemInput:
    sku: str
    quantity: int
    reason_code: str | None = None
    comment: str | None = None
    comment_codes: list[str] = strawberry.field(default_factory=list)
    image_urls: list[str] = strawberry.field(default_factory=list)
    item_condition: str | None = None
    resolution: str | None = None
    refund_type: str | None = None

    def to_domain(self) -> ItemRequest:
        return ItemRequest(
            self.sku,
            self.quantity,
            self.reason_code,
            self.comment,
            tuple(self.comment_codes),
            tuple(self.image_urls),
            self.item_condition,
            self.resolution,
            self.refund_type,
        )


@strawberry.input(description="Units of variant `sku` in place of returned units of `replacesSku`.")
class ExchangeItemInput:
    sku: str
    quantity: int
    replaces_sku: str

    def to_domain(self) -> ExchangeItem:
        return ExchangeItem(self.sku, self.quantity, self.replaces_sku)


@strawberry.input
class ItemQuantityInput:
    sku: str
    quantity: int


@strawberry.input
class ReceivedItemInput:
    sku: str
    quantity: int
    item_condition: str | None = None


@strawberry.input
class CreateReturnInput(MutationInput):
    merchant: str
    order_reference: str
    items: list[ReturnItemInput]
    pickup: AddressInput | None = None
    dropoff: AddressInput | None = None
    channel: str | None = None
    customer_comment: str | None = None
    resolution: str | None = None
    refund_method: str | None = None
    collection: TimeWindowInput | None = None
    exchange_items: list[ExchangeItemInput] = strawberry.field(
        default_factory=list,
        description="Variants the customer receives instead of returned units (an exchange).",
    )

    def to_command(self, actor: Actor) -> c.CreateReturn:
        return c.CreateReturn(
            actor=actor,
            merchant=self.merchant,
            order_reference=self.order_reference,
            items=[item.to_domain() for item in self.items],
            details=request_details(self),
            exchange_items=[item.to_domain() for item in self.exchange_items],
        )


@strawberry.input
class ReturnCommandInput(MutationInput):
    return_request_id: strawberry.ID = strawberry.field(
        description="The readable id (RR-…) or the global node id."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Refuse with VERSION_CONFLICT unless the request is at "
        "this version; leave out to apply the change to the latest state.",
    )

    def _common(self, actor: Actor) -> dict[str, Any]:
        return {
            "actor": actor,
            "return_request_id": return_request_key(self.return_request_id),
            "expected_version": self.expected_version,
        }


def _kept(value: Any) -> Any:
    """GraphQL distinguishes a missing field (keep) from an explicit null (clear)."""
    return KEEP if value is strawberry.UNSET else value


@strawberry.input(description="Fields left out keep their value; null clears them.")
class UpdateReturnInput(ReturnCommandInput):
    items: list[ReturnItemInput] | None = strawberry.UNSET
    pickup: AddressInput | None = strawberry.UNSET
    dropoff: AddressInput | None = strawberry.UNSET
    resolution: str | None = strawberry.UNSET
    refund_method: str | None = strawberry.UNSET
    customer_comment: str | None = strawberry.UNSET
    collection: TimeWindowInput | None = strawberry.UNSET
    exchange_items: list[ExchangeItemInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Given: replaces the live exchange lines."
    )

    def to_command(self, actor: Actor) -> c.UpdateReturn:
        items = (
            None
            if self.items in (strawberry.UNSET, None)
            else [item.to_domain() for item in self.items]
        )  # type: ignore[union-attr]
        exchange = (
            None
            if self.exchange_items in (strawberry.UNSET, None)
            else [item.to_domain() for item in self.exchange_items]
        )  # type: ignore[union-attr]
        return c.UpdateReturn(
            **self._common(actor),
            items=items,
            exchange_items=exchange,
            changes=detail_changes(self, lambda name: getattr(self, name) is not strawberry.UNSET),
        )


@strawberry.input(
    description="Without items, approve every unit; with items, approve exactly the listed "
    "quantities: a sku left out is approved 0. Units not approved are rejected, which needs a "
    "rejectionReason."
)
class ApproveReturnInput(ReturnCommandInput):
    items: list[ItemQuantityInput] | None = None
    rejection_reason: str | None = None

    def to_command(self, actor: Actor) -> c.ApproveReturn:
        quantities = quantities_by_sku(self.items) if self.items is not None else None
        return c.ApproveReturn(
            **self._common(actor), quantities=quantities, rejection_reason=self.rejection_reason
        )


@strawberry.input
class RejectReturnInput(ReturnCommandInput):
    reason: str

    def to_command(self, actor: Actor) -> c.RejectReturn:
        return c.RejectReturn(**self._common(actor), reason=self.reason)


def transition_input(mutation: str, action: Action, *, reason: bool) -> type[ReturnCommandInput]:
    """The input of a simple transition's mutation (`holdReturn` takes `HoldReturnInput`):
    the request, its expected version and, when the mutation offers one, a reason."""
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    if reason:
        namespace["__annotations__"]["reason"] = str | None
        namespace["reason"] = None

    def to_command(self: ReturnCommandInput, actor: Actor) -> c.TransitionReturn:
        given = getattr(self, "reason", None)
        return c.TransitionReturn(**self._common(actor), action=action, reason=given)

    namespace["to_command"] = to_command
    name = f"{mutation[0].upper()}{mutation[1:]}Input"
    return strawberry.input(type(name, (ReturnCommandInput,), namespace))


@strawberry.input
class ReceiveReturnInput(ReturnCommandInput):
    items: list[ReceivedItemInput]

    def to_command(self, actor: Actor) -> c.ReceiveReturn:
        return c.ReceiveReturn(
            **self._common(actor),
            quantities=quantities_by_sku(self.items),
            conditions={i.sku: i.item_condition for i in self.items if i.item_condition},
        )


@strawberry.input(description="Move units into a new request for the same order.")
class SplitReturnInput(ReturnCommandInput):
    items: list[ItemQuantityInput]
    partner_location_id: str | None = strawberry.field(
        default=None, description="Pickup location of the new request."
    )

    def to_command(self, actor: Actor) -> c.SplitReturn:
        return c.SplitReturn(
            **self._common(actor),
            quantities=quantities_by_sku(self.items),
            pickup_location_id=self.partner_location_id,
        )


@strawberry.input(description="Administrative override, recorded with its reason.")
class SetReturnStatusInput(ReturnCommandInput):
    status: ReturnStatus
    reason: str | None = None

    def to_command(self, actor: Actor) -> c.SetReturnStatus:
        return c.SetReturnStatus(**self._common(actor), status=self.status, reason=self.reason)


@strawberry.input
class AssignReturnInput(ReturnCommandInput):
    user: str | None = strawberry.field(description="Null unassigns the request.")

    def to_command(self, actor: Actor) -> c.AssignReturn:
        return c.AssignReturn(**self._common(actor), user=self.user)


@strawberry.input
class AddReturnNoteInput(ReturnCommandInput):
    text: str

    def to_command(self, actor: Actor) -> c.AddReturnNote:
        return c.AddReturnNote(**self._common(actor), text=self.text)


@strawberry.input
class DeleteReturnNoteInput(ReturnCommandInput):
    note_id: str

    def to_command(self, actor: Actor) -> c.DeleteReturnNote:
        return c.DeleteReturnNote(**self._common(actor), note_id=self.note_id)


@strawberry.input
class AddRefundInput(ReturnCommandInput):
    amount: Decimal
    currency: str
    reference: str | None = None
    refund_type: str | None = None
    note: str | None = None
    refund_date: datetime | None = None
    outcome: RefundOutcome | None = strawberry.field(
        default=None,
        description="STORE_CREDIT issues the amount (and the merchant's bonus) to the order's "
        "customer's store-credit account; null: store credit when the refund type is marked "
        "so, else MONEY.",
    )
    refund_by_store_credit: bool | None = strawberry.field(
        default=None, description="Shorthand: true is outcome STORE_CREDIT, false MONEY."
    )

    def to_command(self, actor: Actor) -> c.AddRefund:
        return c.AddRefund(
            **self._common(actor),
            amount=self.amount,
            currency=self.currency,
            reference=self.reference,
            refund_type=self.refund_type,
            note=self.note,
            refund_date=self.refund_date,
            outcome=self._outcome(),
        )

    def _outcome(self) -> RefundOutcome | None:
        if self.refund_by_store_credit is None:
            return self.outcome
        chosen = RefundOutcome.STORE_CREDIT if self.refund_by_store_credit else RefundOutcome.MONEY
        if self.outcome is not None and self.outcome != chosen:
            raise InvalidInput(
                "outcome and refundByStoreCredit disagree; send one", field="refund_by_store_credit"
            )
        return chosen


@strawberry.input
class DeleteRefundInput(ReturnCommandInput):
    refund_id: str

    def to_command(self, actor: Actor) -> c.DeleteRefund:
        return c.DeleteRefund(**self._common(actor), refund_id=self.refund_id)


@strawberry.input(description="Switch a refund between money and store credit.")
class SetRefundOutcomeInput(ReturnCommandInput):
    refund_id: str
    outcome: RefundOutcome

    def to_command(self, actor: Actor) -> c.SetRefundOutcome:
        return c.SetRefundOutcome(
            **self._common(actor), refund_id=self.refund_id, outcome=self.outcome
        )


@strawberry.input(description="What the carrier gave the merchant for the reverse shipment.")
class UpdateReverseShipmentInput(ReturnCommandInput):
    tracking_number: str | None = strawberry.UNSET
    label_url: str | None = strawberry.UNSET
    carrier: str | None = strawberry.UNSET
    in_transit: bool = strawberry.field(
        default=False, description="Mark the parcel as handed to the carrier."
    )

    def to_command(self, actor: Actor) -> c.UpdateReverseShipment:
        carrier = KEEP if self.carrier in (strawberry.UNSET, None) else self.carrier
        return c.UpdateReverseShipment(
            **self._common(actor),
            tracking_number=_kept(self.tracking_number),
            label_url=_kept(self.label_url),
            carrier=carrier,
            in_transit=self.in_transit,
        )


@strawberry.input(description="Waive a fee on the request: it then takes nothing.")
class WaiveReturnFeeInput(ReturnCommandInput):
    fee_id: str
    reason: str = strawberry.field(description="Why; shown with the fee.")

    def to_command(self, actor: Actor) -> c.WaiveReturnFee:
        return c.WaiveReturnFee(**self._common(actor), fee_id=self.fee_id, reason=self.reason)


@strawberry.input(
    description="Set a fee's amount by hand: an existing fee (feeId), or a new one of a kind "
    "in a currency. Re-evaluation at receipt keeps it."
)
class SetReturnFeeInput(ReturnCommandInput):
    amount: Decimal
    fee_id: str | None = None
    kind: FeeKind | None = None
    currency: str | None = None
    reason: str | None = None

    def to_command(self, actor: Actor) -> c.SetReturnFee:
        return c.SetReturnFee(
            **self._common(actor),
            amount=self.amount,
            fee_id=self.fee_id,
            kind=self.kind.value if self.kind else None,
            currency=self.currency,
            reason=self.reason,
        )

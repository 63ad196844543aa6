"""Commands: what a client asks the service to do, as plain immutable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.exchange_lines import ExchangeItem
from domain.lifecycle import Action, ReturnStatus
from domain.orders import Customer
from domain.parts import ItemRequest, RefundOutcome
from domain.request_details import RequestDetails
from domain.values import UNSET, Actor, Address
from domain.variants import ExchangeRelease, OutOfStockFallback, Variant


@dataclass(frozen=True, kw_only=True)
class Command:
    actor: Actor = field(default_factory=Actor)


@dataclass(frozen=True, slots=True)
class OrderLineSpec:
    """An order line as ingested; a delivery date without a count means the whole line."""

    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    delivered_quantity: int | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class UpsertOrder(Command):
    merchant: str
    reference: str
    currency: str
    lines: list[OrderLineSpec]
    customer: Customer = field(default_factory=Customer)
    delivery_address: Address | None = None


@dataclass(frozen=True, kw_only=True)
class CreateReturn(Command):
    merchant: str
    order_reference: str
    items: list[ItemRequest]
    details: RequestDetails = field(default_factory=RequestDetails)
    exchange_items: list[ExchangeItem] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CreateReturnShipment(Command):
    """OTO's createReturnShipment: a return request for a delivered order, approved and put
    on a carrier at once. The merchant may be left out when the order reference is unique in
    the tenant (OTO names orders by reference alone). No items: every returnable unit."""

    order_reference: str
    delivery_option_id: str
    merchant: str | None = None
    dropoff_location_code: str | None = None
    items: list[ItemRequest] | None = None
    channel: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReturnCommand(Command):
    return_request_id: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateReturn(ReturnCommand):
    """Details named in `changes` take the value given (None clears one); the others keep
    theirs. Items, when given, replace the request's items, judged against the order."""

    items: list[ItemRequest] | None = None
    changes: Mapping[str, object] = field(default_factory=dict)
    exchange_items: list[ExchangeItem] | None = None  # given: replace the live exchange lines


@dataclass(frozen=True, kw_only=True)
class ApproveReturn(ReturnCommand):
    quantities: Mapping[str, int] | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class RejectReturn(ReturnCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class TransitionReturn(ReturnCommand):
    """A transition that takes nothing but an optional reason (`SIMPLE_TRANSITIONS` in
    domain/returns.py): each face declares one mutation or route per action, and all of
    them run `services.transition_return`."""

    action: Action
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class HoldReturn(TransitionReturn):
    action: Action = Action.HOLD


@dataclass(frozen=True, kw_only=True)
class ResumeReturn(TransitionReturn):
    action: Action = Action.RESUME


@dataclass(frozen=True, kw_only=True)
class CancelReturn(TransitionReturn):
    action: Action = Action.CANCEL


@dataclass(frozen=True, kw_only=True)
class ReceiveReturn(ReturnCommand):
    quantities: Mapping[str, int]
    conditions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CompleteReturn(TransitionReturn):
    action: Action = Action.COMPLETE


@dataclass(frozen=True, kw_only=True)
class SplitReturn(ReturnCommand):
    quantities: Mapping[str, int]
    pickup_location_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class SetReturnStatus(ReturnCommand):
    status: ReturnStatus
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssignReturn(ReturnCommand):
    user: str | None


@dataclass(frozen=True, kw_only=True)
class AddReturnNote(ReturnCommand):
    text: str


@dataclass(frozen=True, kw_only=True)
class DeleteReturnNote(ReturnCommand):
    note_id: str


@dataclass(frozen=True, kw_only=True)
class AddRefund(ReturnCommand):
    amount: Decimal
    currency: str
    reference: str | None = None
    refund_type: str | None = None
    note: str | None = None
    refund_date: datetime | None = None
    # None: store credit when the refund type is marked so, else money.
    outcome: RefundOutcome | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteRefund(ReturnCommand):
    refund_id: str


@dataclass(frozen=True, kw_only=True)
class SetRefundOutcome(ReturnCommand):
    refund_id: str
    outcome: RefundOutcome


@dataclass(frozen=True, kw_only=True)
class UpdateReverseShipment(ReturnCommand):
    tracking_number: object = UNSET
    label_url: object = UNSET
    carrier: object = UNSET
    in_transit: bool = False


@dataclass(frozen=True, kw_only=True)
class RecordFirstScan(ReturnCommand):
    """A carrier scanned the request's drop-off slip; `location` names where, as it says."""

    location: str | None = None


@dataclass(frozen=True, kw_only=True)
class AutoCloseReturn(ReturnCommand):
    idle_days: int


@dataclass(frozen=True, kw_only=True)
class WaiveReturnFee(ReturnCommand):
    fee_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SetReturnFee(ReturnCommand):
    """An existing fee's amount (`fee_id`), or a new fee of `kind` in `currency`."""

    amount: Decimal
    fee_id: str | None = None
    kind: str | None = None
    currency: str | None = None
    reason: str | None = None


# --------------------------------------------------------------------------- exchanges


@dataclass(frozen=True, kw_only=True)
class ReleaseExchange(ReturnCommand):
    """An operator releases the waiting exchange lines early, by hand."""


@dataclass(frozen=True, kw_only=True)
class RecordExchangePayment(ReturnCommand):
    amount: Decimal
    currency: str
    reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class MarkExchangeFulfilled(ReturnCommand):
    tracking_number: str
    line_ids: list[str] | None = None  # None: every released line
    carrier: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConvertExchange(ReturnCommand):
    line_id: str
    outcome: RefundOutcome


@dataclass(frozen=True, kw_only=True)
class UpsertVariants(Command):
    merchant: str
    variants: list[Variant]


@dataclass(frozen=True, kw_only=True)
class DeleteVariant(Command):
    merchant: str
    sku: str


@dataclass(frozen=True, kw_only=True)
class UpdateExchangeSettings(Command):
    """The settings named (not None) take the value given; the others keep theirs."""

    merchant: str
    release_on: ExchangeRelease | None = None
    allow_any_product: bool | None = None
    out_of_stock_fallback: OutOfStockFallback | None = None


# --------------------------------------------------------------------------- store credit


@dataclass(frozen=True, kw_only=True)
class DebitStoreCredit(Command):
    """The storefront spends credit; a retry with the same key gets the same entry."""

    account_id: str
    amount: Decimal
    idempotency_key: str
    order_reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevertStoreCreditDebit(Command):
    account_id: str
    entry_id: str


@dataclass(frozen=True, kw_only=True)
class AdjustStoreCredit(Command):
    """An operator's correction: an account by id, or the customer's (opened if need be)."""

    amount: Decimal
    reason: str
    account_id: str | None = None
    merchant: str | None = None
    currency: str | None = None
    customer_id: str | None = None
    email: str | None = None
    phone: str | None = None

"""The GraphQL view of a return request: its own fields from its row, everything else read
when a query selects it. Its parts' views are in parts.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types.lazy_type import LazyType

from core.global_ids import to_global_id
from domain.lifecycle import Action, ReturnStatus
from domain.reference import ReferenceKind
from domain.returns import ReturnRequest
from domain.store_credit_services import order_customer_key
from graphql_api.common import AddressType, Node, TimeWindowType
from graphql_api.context import Info
from graphql_api.exchanges.types import ExchangeLineType, ExchangePaymentType
from graphql_api.returns.columns import item_columns
from graphql_api.returns.fees import BalanceType, FeeType
from graphql_api.returns.parts import (
    ItemsUpdateType,
    NoteType,
    RefundTotalType,
    RefundType,
    RequestSourceType,
    ResolutionRef,
    ReturnItemType,
    ReverseShipmentType,
    referenced,
)
from persistence import mappers
from persistence.read_model import (
    EXCHANGE_LINES,
    EXCHANGE_PAYMENTS,
    ITEMS,
    ITEMS_UPDATES,
    NOTES,
    REFUNDS,
    SHIPMENTS,
    Child,
)
from persistence.statements import Row

if TYPE_CHECKING:
    from graphql_api.orders.types import OrderType
    from graphql_api.store_credit.types import AccountType

_new = object.__new__
OrderRef = Annotated["OrderType", strawberry.lazy("graphql_api.orders.types")]
StoreCreditAccountRef = Annotated["AccountType", strawberry.lazy("graphql_api.store_credit.types")]
# A return's events and an event's return refer to each other: events/types.py imports this
# module, and this one names ReturnEventType lazily (strawberry's way), never importing it.
_RETURN_EVENT = LazyType("ReturnEventType", "graphql_api.events.types")
ReturnEventRef = Annotated["ReturnEventType", strawberry.lazy("graphql_api.events.types")]  # noqa: F821


async def _allowed_actions(root: ReturnRequestType, info: Info) -> list[Action]:
    """Only the whole aggregate knows (refunds, notes, splittable units…): read when asked."""
    request = await info.context.loaders.return_request_by_id.load(root.return_request_id)
    return request.allowed_actions if request else []


async def _refund_totals(root: ReturnRequestType, info: Info) -> list[RefundTotalType]:
    request = await info.context.loaders.return_request_by_id.load(root.return_request_id)
    return [RefundTotalType.from_domain(t) for t in request.refund_totals()] if request else []


async def _fees(root: ReturnRequestType, info: Info) -> list[FeeType]:
    request = await info.context.loaders.return_request_by_id.load(root.return_request_id)
    return [FeeType.from_domain(fee) for fee in request.fees] if request else []


async def _balance(root: ReturnRequestType, info: Info) -> list[BalanceType]:
    request = await info.context.loaders.return_request_by_id.load(root.return_request_id)
    return [BalanceType.from_domain(b) for b in request.balance()] if request else []


async def _children(
    root: ReturnRequestType, info: Info, child: Child, columns: frozenset[str] | None = None
) -> list[Row]:
    """The request's child rows of one kind: from the whole aggregate when the query reads
    it anyway (it selects allowedActions or refundTotals), else only these rows."""
    loaders = info.context.loaders
    if root.whole:
        request = await loaders.return_request_by_id.load(root.return_request_id)
        return loaders.rows_of(request, child) if request else []
    return await loaders.child_rows(child, root.return_request_id, columns)


async def _items(root: ReturnRequestType, info: Info) -> list[ReturnItemType]:
    rows = await _children(root, info, ITEMS, item_columns(info))
    merchant = root.merchant
    return [ReturnItemType.from_row(row, merchant) for row in rows]


async def _notes(root: ReturnRequestType, info: Info) -> list[NoteType]:
    return [NoteType.from_row(row) for row in await _children(root, info, NOTES)]


async def _refunds(root: ReturnRequestType, info: Info) -> list[RefundType]:
    return [RefundType.from_row(row) for row in await _children(root, info, REFUNDS)]


async def _shipments(root: ReturnRequestType, info: Info) -> list[ReverseShipmentType]:
    rows = await _children(root, info, SHIPMENTS)
    return [ReverseShipmentType.from_row(row) for row in rows]


async def _exchange_lines(root: ReturnRequestType, info: Info) -> list[ExchangeLineType]:
    rows = await _children(root, info, EXCHANGE_LINES)
    return [ExchangeLineType.from_row(row, root.merchant) for row in rows]


async def _exchange_payments(root: ReturnRequestType, info: Info) -> list[ExchangePaymentType]:
    return [
        ExchangePaymentType.from_row(row) for row in await _children(root, info, EXCHANGE_PAYMENTS)
    ]


async def _items_updates(root: ReturnRequestType, info: Info) -> list[ItemsUpdateType]:
    rows = await _children(root, info, ITEMS_UPDATES)
    return [ItemsUpdateType.from_row(row) for row in rows]


@strawberry.type(
    name="ReturnRequest",
    description="A customer's request to return items of one order, from request to completion.",
)
class ReturnRequestType(Node):
    """Built from the request's own row; its children and what only the aggregate can
    compute are read when a query selects them (through the request's DataLoaders, which a
    mutation primes with the aggregate it wrote)."""

    return_request_id: str = strawberry.field(description="The readable id, e.g. RR-7K3P9Q2M.")
    merchant: str
    order_reference: str
    status: ReturnStatus
    version: int = strawberry.field(
        description="Optimistic-concurrency version; pass it back as expectedVersion."
    )
    allowed_actions: list[Action] = strawberry.field(
        resolver=_allowed_actions, description="What may be done now."
    )
    channel: str | None
    pickup: AddressType | None
    dropoff: AddressType | None
    customer_comment: str | None
    resolution_code: str | None
    refund_method: str | None
    assigned_to_user: str | None
    collection: TimeWindowType | None
    items: list[ReturnItemType] = strawberry.field(resolver=_items)
    notes: list[NoteType] = strawberry.field(resolver=_notes)
    refunds: list[RefundType] = strawberry.field(resolver=_refunds)
    refund_totals: list[RefundTotalType] = strawberry.field(resolver=_refund_totals)
    fees: list[FeeType] = strawberry.field(
        resolver=_fees, description="Fees on the approved units, waived ones included."
    )
    balance: list[BalanceType] = strawberry.field(
        resolver=_balance,
        description="Per currency: approved value, fees, refunded, credited, remaining.",
    )
    reverse_shipments: list[ReverseShipmentType] = strawberry.field(resolver=_shipments)
    exchange_lines: list[ExchangeLineType] = strawberry.field(
        resolver=_exchange_lines,
        description="What the customer receives instead of returned units, cancelled and "
        "converted lines included.",
    )
    exchange_payments: list[ExchangePaymentType] = strawberry.field(
        resolver=_exchange_payments,
        description="What the customer paid towards a positive difference.",
    )
    items_updates: list[ItemsUpdateType] = strawberry.field(
        resolver=_items_updates,
        description="History of changes to the item list (edits and splits).",
    )
    rejection_reason: str | None
    split_from: str | None = strawberry.field(description="The request this one was split from.")
    auto_closed: bool
    creation_source: RequestSourceType
    update_source: RequestSourceType
    updated_by_user: str | None
    created_at: datetime
    updated_at: datetime
    on_hold_at: datetime | None
    approved_at: datetime | None
    rejected_at: datetime | None
    cancelled_at: datetime | None
    received_at: datetime | None = strawberry.field(
        description="When every approved unit had arrived."
    )
    completed_at: datetime | None
    auto_closed_at: datetime | None
    value: Decimal | None = strawberry.field(
        description="What the requested units are worth (unit price times quantity), in `currency`."
    )
    currency: str | None
    first_scanned_at: datetime | None = strawberry.field(
        description="When a carrier first scanned the drop-off slip (the parcel is on its way)."
    )
    whole: strawberry.Private[bool] = False  # children from the aggregate (see _children)

    @strawberry.field(
        description="The customer's status page of this return, to send to the customer: a "
        "signed, read-only link that works for RETURNS_STATUS_LINK_TTL_SECONDS from now. "
        "Null where the return portal is not configured (RETURNS_PORTAL_SECRET)."
    )
    def status_page_url(self, info: Info) -> str | None:
        links, context = info.context.status, info.context
        if links is None or links.key is None:
            return None
        return links.url(
            context.tenant_id, self.merchant, self.return_request_id, now=context.clock.now()
        )

    @strawberry.field(description="Every committed change of this request, oldest first.")
    async def events(self, info: Info) -> list[ReturnEventRef]:
        stored = await info.context.loaders.events_by_request.load(self.return_request_id)
        event_type = _RETURN_EVENT.resolve_type()
        return [event_type.from_stored(event) for event in stored]

    @classmethod
    def from_row(cls, row: Row, *, whole: bool = False) -> ReturnRequestType:
        """The request's own fields from its row: the read side's, or the one a mutation's
        aggregate maps to (`from_domain`). A read leaves out the columns its query does
        not select (graphql_api/returns/columns.py); their fields stay None, unread. As
        for items (ReturnItemType.from_row), the row's values become the attributes in one
        copy, and only the fields whose columns were read are converted."""
        values = {**_REQUEST_UNREAD, **row, "whole": whole}
        rid = values["return_request_id"] = row["id"]
        values["id"] = to_global_id("ReturnRequest", rid)
        values["resolution_code"] = values.pop("resolution", None)
        values["updated_by_user"] = values.get("update_user")
        if row.get("value_thousandths") is not None:
            values["value"] = mappers.value_from_thousandths(row["value_thousandths"])
        if values["status"] is not None:
            values["status"] = ReturnStatus(values["status"])
        for place in ("pickup", "dropoff"):
            if values[place] is not None:
                values[place] = AddressType.from_json(values[place])
        start, end = values.get("collection_start"), values.get("collection_end")
        values["collection"] = TimeWindowType(start=start, end=end) if start and end else None
        for side in ("creation", "update"):
            if f"{side}_source" in row:
                values[f"{side}_source"] = RequestSourceType(
                    source=row[f"{side}_source"], user=row.get(f"{side}_user")
                )
        request = _new(cls)
        request.__dict__ = values
        return request

    @classmethod
    def from_domain(cls, request: ReturnRequest) -> ReturnRequestType:
        return cls.from_row(mappers.request_values(request, tenant_id=""))

    @strawberry.field(description="The resolution behind resolutionCode, when configured.")
    async def resolution(self, info: Info, language: str | None = None) -> ResolutionRef | None:
        return await referenced(
            info, ReferenceKind.RESOLUTION, self.merchant, self.resolution_code, language
        )  # type: ignore[return-value]

    @strawberry.field(description="The order the return is made against.")
    async def order(self, info: Info) -> OrderRef | None:
        from graphql_api.orders.types import OrderType

        order = await info.context.loaders.order_by_reference.load(
            (self.merchant, self.order_reference)
        )
        return OrderType.from_domain(order) if order else None

    @strawberry.field(
        description="The store-credit accounts (one per currency) of the order's customer "
        "with this merchant: their balances; empty when the customer has none."
    )
    async def store_credit_accounts(self, info: Info) -> list[StoreCreditAccountRef]:
        from graphql_api.store_credit.types import AccountType

        loaders = info.context.loaders
        order = await loaders.order_by_reference.load((self.merchant, self.order_reference))
        if order is None or not (order.customer.email or order.customer.phone):
            return []
        key = order_customer_key(order)
        accounts = await loaders.store_credit_by_customer.load((self.merchant, key))
        return [AccountType.from_domain(account) for account in accounts]


# Every plain field of a request, None until its column is read.
_REQUEST_UNREAD: dict[str, Any] = {
    field.python_name: None
    for field in ReturnRequestType.__strawberry_definition__.fields  # type: ignore[attr-defined]
    if field.base_resolver is None
}

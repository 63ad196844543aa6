"""GraphQL views of the ReturnRequest aggregate and its parts, built from domain objects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.lifecycle import Action, ReturnStatus
from domain.parts import ItemsUpdate, Note, Refund, ReturnItem, ReverseShipment, ShipmentStatus
from domain.reference import ReferenceKind
from domain.returns import RefundTotal, ReturnRequest
from domain.values import Actor
from graphql_api.common import AddressType, Node, TimeWindowType, to_global_id
from graphql_api.context import Info

if TYPE_CHECKING:
    from graphql_api.events.types import ReturnEventType
    from graphql_api.merchants.types import (
        ItemConditionType,
        RefundTypeType,
        ResolutionType,
        ReturnCommentType,
        ReturnReasonType,
    )
    from graphql_api.orders.types import OrderType

OrderRef = Annotated["OrderType", strawberry.lazy("graphql_api.orders.types")]
ReturnEventRef = Annotated["ReturnEventType", strawberry.lazy("graphql_api.events.types")]
_MERCHANT_TYPES = "graphql_api.merchants.types"
ReturnReasonRef = Annotated["ReturnReasonType", strawberry.lazy(_MERCHANT_TYPES)]
ItemConditionRef = Annotated["ItemConditionType", strawberry.lazy(_MERCHANT_TYPES)]
ResolutionRef = Annotated["ResolutionType", strawberry.lazy(_MERCHANT_TYPES)]
RefundTypeRef = Annotated["RefundTypeType", strawberry.lazy(_MERCHANT_TYPES)]
ReturnCommentRef = Annotated["ReturnCommentType", strawberry.lazy(_MERCHANT_TYPES)]


@strawberry.type(name="ReturnItem")
class ReturnItemType:
    sku: str
    description: str
    unit_price: Decimal
    currency: str
    quantity: int = strawberry.field(description="Units requested for return.")
    approved_quantity: int
    rejected_quantity: int
    returned_quantity: int = strawberry.field(description="Units handed to the carrier.")
    received_quantity: int = strawberry.field(description="Units confirmed at the warehouse.")
    reason_code: str | None
    comment: str | None
    comment_codes: list[str]
    image_urls: list[str]
    item_condition_code: str | None
    resolution_code: str | None
    refund_type_code: str | None
    rejection_reason: str | None
    merchant: strawberry.Private[str]

    @classmethod
    def from_domain(cls, item: ReturnItem, merchant: str) -> ReturnItemType:
        return cls(
            sku=item.sku,
            description=item.description,
            unit_price=item.unit_price,
            currency=item.currency,
            quantity=item.quantity,
            approved_quantity=item.approved_quantity,
            rejected_quantity=item.rejected_quantity,
            returned_quantity=item.returned_quantity,
            received_quantity=item.received_quantity,
            reason_code=item.reason_code,
            comment=item.comment,
            comment_codes=list(item.comment_codes),
            image_urls=list(item.image_urls),
            item_condition_code=item.item_condition,
            resolution_code=item.resolution,
            refund_type_code=item.refund_type,
            rejection_reason=item.rejection_reason,
            merchant=merchant,
        )

    @strawberry.field(
        description="The return reason behind reasonCode, null when the code "
        "is free text (the merchant has no reasons configured)."
    )
    async def reason(self, info: Info, language: str | None = None) -> ReturnReasonRef | None:
        return await referenced(
            info, ReferenceKind.RETURN_REASON, self.merchant, self.reason_code, language
        )  # type: ignore[return-value]

    @strawberry.field
    async def item_condition(
        self, info: Info, language: str | None = None
    ) -> ItemConditionRef | None:
        return await referenced(
            info, ReferenceKind.ITEM_CONDITION, self.merchant, self.item_condition_code, language
        )  # type: ignore[return-value]

    @strawberry.field
    async def resolution(self, info: Info, language: str | None = None) -> ResolutionRef | None:
        return await referenced(
            info, ReferenceKind.RESOLUTION, self.merchant, self.resolution_code, language
        )  # type: ignore[return-value]

    @strawberry.field
    async def refund_type(self, info: Info, language: str | None = None) -> RefundTypeRef | None:
        return await referenced(
            info, ReferenceKind.REFUND_TYPE, self.merchant, self.refund_type_code, language
        )  # type: ignore[return-value]

    @strawberry.field(description="The configured comments behind commentCodes.")
    async def comments(self, info: Info, language: str | None = None) -> list[ReturnCommentRef]:
        from graphql_api.merchants.types import reference_view

        keys = [(ReferenceKind.RETURN_COMMENT.value, self.merchant, c) for c in self.comment_codes]
        entries = await info.context.loaders.reference_by_code.load_many(keys)
        return [reference_view(e, language) for e in entries if e]  # type: ignore[misc]


async def referenced(
    info: Info, kind: ReferenceKind, merchant: str, code: str | None, language: str | None
) -> Any:
    """The reference object for a code, through the per-request DataLoader."""
    if code is None:
        return None
    from graphql_api.merchants.types import reference_view

    entry = await info.context.loaders.reference_by_code.load((kind.value, merchant, code))
    return reference_view(entry, language) if entry else None


@strawberry.type(name="Note")
class NoteType:
    id: str
    text: str
    user: str | None
    created_at: datetime

    @classmethod
    def from_domain(cls, note: Note) -> NoteType:
        return cls(id=note.id, text=note.text, user=note.user, created_at=note.created_at)


@strawberry.type(name="Refund")
class RefundType:
    id: str
    amount: Decimal
    currency: str
    reference: str | None
    refund_type: str | None
    note: str | None
    refund_date: datetime | None
    created_at: datetime

    @classmethod
    def from_domain(cls, refund: Refund) -> RefundType:
        return cls(
            id=refund.id,
            amount=refund.amount,
            currency=refund.currency,
            reference=refund.reference,
            refund_type=refund.refund_type,
            note=refund.note,
            refund_date=refund.refund_date,
            created_at=refund.created_at,
        )


@strawberry.type(
    name="RefundTotal",
    description="Per currency: value of approved units, "
    "what has been refunded, and what may still be refunded.",
)
class RefundTotalType:
    currency: str
    approved_value: Decimal
    refunded: Decimal
    remaining: Decimal

    @classmethod
    def from_domain(cls, total: RefundTotal) -> RefundTotalType:
        return cls(
            currency=total.currency,
            approved_value=total.approved_value,
            refunded=total.refunded,
            remaining=total.remaining,
        )


@strawberry.type(name="ShipmentItem")
class ShipmentItemType:
    sku: str
    quantity: int


@strawberry.type(name="ReverseShipment")
class ReverseShipmentType:
    id: str
    carrier: str
    status: ShipmentStatus
    items: list[ShipmentItemType]
    pickup: AddressType | None
    dropoff: AddressType | None
    tracking_number: str | None
    label_url: str | None
    created_at: datetime
    updated_at: datetime | None
    delivery_option_id: str | None = strawberry.field(
        description="The merchant's delivery option the parcel travels with (OTO's "
        "deliveryOptionId), when one was chosen."
    )

    @classmethod
    def from_domain(cls, shipment: ReverseShipment) -> ReverseShipmentType:
        return cls(
            id=shipment.id,
            carrier=shipment.carrier,
            status=shipment.status,
            items=[ShipmentItemType(sku=s, quantity=q) for s, q in shipment.items],
            pickup=AddressType.from_domain(shipment.pickup),
            dropoff=AddressType.from_domain(shipment.dropoff),
            tracking_number=shipment.tracking_number,
            label_url=shipment.label_url,
            created_at=shipment.created_at,
            updated_at=shipment.updated_at,
            delivery_option_id=shipment.delivery_option_id,
        )


@strawberry.type(name="ItemQuantity")
class ItemQuantityType:
    sku: str
    quantity: int


@strawberry.type(name="ItemsUpdate", description="One change of a request's item list.")
class ItemsUpdateType:
    updated_at: datetime
    previous: list[ItemQuantityType]
    current: list[ItemQuantityType]
    user: str | None
    source: str | None

    @classmethod
    def from_domain(cls, update: ItemsUpdate) -> ItemsUpdateType:
        return cls(
            updated_at=update.updated_at,
            user=update.user,
            source=update.source,
            previous=[ItemQuantityType(sku=s, quantity=q) for s, q in update.previous],
            current=[ItemQuantityType(sku=s, quantity=q) for s, q in update.current],
        )


@strawberry.type(name="RequestSource", description="Who made a change, through which face.")
class RequestSourceType:
    source: str
    user: str | None

    @classmethod
    def from_domain(cls, actor: Actor) -> RequestSourceType:
        return cls(source=actor.source, user=actor.user)


@strawberry.type(
    name="ReturnRequest",
    description="A customer's request to return items of one order, from request to completion.",
)
class ReturnRequestType(Node):
    return_request_id: str = strawberry.field(description="The readable id, e.g. RR-7K3P9Q2M.")
    merchant: str
    order_reference: str
    status: ReturnStatus
    version: int = strawberry.field(
        description="Optimistic-concurrency version; pass it back as expectedVersion."
    )
    allowed_actions: list[Action] = strawberry.field(description="What may be done now.")
    channel: str | None
    pickup: AddressType | None
    dropoff: AddressType | None
    customer_comment: str | None
    resolution_code: str | None
    refund_method: str | None
    assigned_to_user: str | None
    collection: TimeWindowType | None
    items: list[ReturnItemType]
    notes: list[NoteType]
    refunds: list[RefundType]
    refund_totals: list[RefundTotalType]
    reverse_shipments: list[ReverseShipmentType]
    items_updates: list[ItemsUpdateType] = strawberry.field(
        description="History of changes to the item list (edits and splits)."
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
    request: strawberry.Private[ReturnRequest]

    @strawberry.field(description="Every committed change of this request, oldest first.")
    async def events(self, info: Info) -> list[ReturnEventRef]:
        from graphql_api.events.types import ReturnEventType

        stored = await info.context.loaders.events_by_request.load(self.return_request_id)
        return [ReturnEventType.from_stored(event) for event in stored]

    @classmethod
    def from_domain(cls, r: ReturnRequest) -> ReturnRequestType:
        window = r.collection
        return cls(
            id=to_global_id("ReturnRequest", r.id),
            request=r,
            return_request_id=r.id,
            merchant=r.merchant,
            order_reference=r.order_reference,
            status=r.status,
            version=r.version,
            allowed_actions=r.allowed_actions,
            channel=r.channel,
            pickup=AddressType.from_domain(r.pickup),
            dropoff=AddressType.from_domain(r.dropoff),
            customer_comment=r.customer_comment,
            resolution_code=r.resolution,
            refund_method=r.refund_method,
            assigned_to_user=r.assigned_to_user,
            collection=TimeWindowType(start=window.start, end=window.end) if window else None,
            items=[ReturnItemType.from_domain(item, r.merchant) for item in r.items],
            notes=[NoteType.from_domain(note) for note in r.notes],
            refunds=[RefundType.from_domain(refund) for refund in r.refunds],
            refund_totals=[RefundTotalType.from_domain(t) for t in r.refund_totals()],
            reverse_shipments=[ReverseShipmentType.from_domain(s) for s in r.shipments],
            items_updates=[ItemsUpdateType.from_domain(u) for u in r.items_updates],
            rejection_reason=r.rejection_reason,
            split_from=r.split_from,
            auto_closed=r.auto_closed,
            creation_source=RequestSourceType.from_domain(r.creation_source),
            update_source=RequestSourceType.from_domain(r.update_source),
            updated_by_user=r.update_source.user,
            created_at=r.created_at,
            updated_at=r.updated_at,
            on_hold_at=r.on_hold_at,
            approved_at=r.approved_at,
            rejected_at=r.rejected_at,
            cancelled_at=r.cancelled_at,
            received_at=r.received_at,
            completed_at=r.completed_at,
            auto_closed_at=r.auto_closed_at,
        )

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

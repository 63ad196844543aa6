"""GraphQL views of a return request's parts: items, notes, refunds, reverse shipments and
the history of its item list.

They are built from rows (a mapping of column values): the read side's rows, or the rows a
mutation's aggregate maps to (persistence/mappers.py), so a part shows the same way
whichever way it reached the answer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.parts import RefundOutcome, ShipmentStatus
from domain.reference import ReferenceKind
from domain.returns import RefundTotal
from graphql_api.common import AddressType
from graphql_api.context import Info
from persistence.statements import Row

if TYPE_CHECKING:
    from graphql_api.merchants.types import (
        ItemConditionType,
        RefundTypeType,
        ResolutionType,
        ReturnCommentType,
        ReturnReasonType,
    )

_MERCHANT_TYPES = "graphql_api.merchants.types"
ReturnReasonRef = Annotated["ReturnReasonType", strawberry.lazy(_MERCHANT_TYPES)]
ItemConditionRef = Annotated["ItemConditionType", strawberry.lazy(_MERCHANT_TYPES)]
ResolutionRef = Annotated["ResolutionType", strawberry.lazy(_MERCHANT_TYPES)]
RefundTypeRef = Annotated["RefundTypeType", strawberry.lazy(_MERCHANT_TYPES)]
ReturnCommentRef = Annotated["ReturnCommentType", strawberry.lazy(_MERCHANT_TYPES)]


_new = object.__new__
# The item's attributes whose column has another name (the names resolve the codes).
_ITEM_RENAMED = (
    ("item_condition", "item_condition_code"),
    ("resolution", "resolution_code"),
    ("refund_type", "refund_type_code"),
)
_ITEM_LISTS = ("comment_codes", "image_urls")


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
    def from_row(cls, row: Row, merchant: str) -> ReturnItemType:
        """From an item's row; a read leaves out the columns its query does not select
        (graphql_api/returns/columns.py), whose fields stay None, unread. The row's values
        become the item's attributes in one copy (a page builds a thousand items, and the
        dataclass's keyword arguments cost more than the values they carried); other
        columns of the row ride along, unread."""
        values = {**_ITEM_UNREAD, **row}
        for column, attribute in _ITEM_RENAMED:
            if column in values:
                values[attribute] = values.pop(column)
        for column in _ITEM_LISTS:
            if values[column] is None:
                values[column] = []
        values["merchant"] = merchant
        item = _new(cls)
        item.__dict__ = values
        return item

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


# Every plain field of an item, None until its column is read.
_ITEM_UNREAD: dict[str, Any] = {
    field.python_name: None
    for field in ReturnItemType.__strawberry_definition__.fields  # type: ignore[attr-defined]
    if field.base_resolver is None
}


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
    def from_row(cls, row: Row) -> NoteType:
        return cls(id=row["id"], text=row["text"], user=row["user"], created_at=row["created_at"])


strawberry.enum(
    RefundOutcome,
    name="RefundOutcome",
    description="What a refund gave: money (recorded) or store credit (issued by us).",
)


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
    outcome: RefundOutcome

    @classmethod
    def from_row(cls, row: Row) -> RefundType:
        return cls(
            id=row["id"],
            amount=row["amount"],
            currency=row["currency"],
            reference=row["reference"],
            refund_type=row["refund_type"],
            note=row["note"],
            refund_date=row["refund_date"],
            created_at=row["created_at"],
            outcome=RefundOutcome(row["outcome"]),
        )


@strawberry.type(
    name="RefundTotal",
    description="Per currency: value of approved units, "
    "what has been refunded, and what may still be refunded (the approved value less fees "
    "and refunds; `ReturnRequest.balance` shows the fees).",
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
    def from_row(cls, row: Row) -> ReverseShipmentType:
        return cls(
            id=row["id"],
            carrier=row["carrier"],
            status=ShipmentStatus(row["status"]),
            items=[ShipmentItemType(sku=sku, quantity=quantity) for sku, quantity in row["items"]],
            pickup=AddressType.from_json(row["pickup"]),
            dropoff=AddressType.from_json(row["dropoff"]),
            tracking_number=row["tracking_number"],
            label_url=row["label_url"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            delivery_option_id=row["delivery_option_id"],
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
    def from_row(cls, row: Row) -> ItemsUpdateType:
        return cls(
            updated_at=row["updated_at"],
            user=row["user"],
            source=row["source"],
            previous=[ItemQuantityType(sku=s, quantity=q) for s, q in row["previous"]],
            current=[ItemQuantityType(sku=s, quantity=q) for s, q in row["current"]],
        )


@strawberry.type(name="RequestSource", description="Who made a change, through which face.")
class RequestSourceType:
    source: str
    user: str | None

"""Carriyo's wire format, each shape declared once (`core.wire`).

A body is a pydantic model: it checks the shape, gives the OpenAPI schema, and turns itself
into the domain command or object it asks for; every rule is the domain's. An answer of a
return request is the TypedDict its writer (serializers.py) returns: pydantic reads the
OpenAPI schema from it (`ANSWER_SCHEMAS`) and a test holds every writer to its declaration.
TypedDicts rather than models because an answer is built for every read and a TypedDict is
a plain dict at run time, so the shape costs nothing per request. Reference codes and
settings answer in the shape of their bodies.

Bodies and answers sit in one module because they share their parts (an address, a
collection window) and because a field of a return request is both sent and answered: it is
declared here, in the body that takes it and in the answer that gives it back."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema
from typing_extensions import TypedDict

from core.request_details import detail_changes, quantities_by_sku, request_details
from core.wire import (
    IsoTime,
    Number,
    Timestamp,
    WireModel,
    also_required,
    component_schemas,
)
from domain import commands as c
from domain.errors import InvalidInput, InvalidQuantity
from domain.lifecycle import ReturnStatus, parse_status
from domain.parts import ItemRequest
from domain.reference import (
    REASON_SCOPED,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from domain.reference import NotificationUser as DomainUser
from domain.values import Actor, TimeWindow
from domain.values import Address as DomainAddress

Text = str | None


# --------------------------------------------------------------------------- return requests


class ReturnChange(WireModel):
    """A body that asks for a change to one return request (the path names the request)."""

    @abstractmethod
    def command(self, rid: str, actor: Actor) -> c.ReturnCommand: ...


class Address(WireModel):
    """Carriyo's address carries many more fields (area, coords, what3words…); we keep the
    ones the workflow uses and ignore the rest. A partner location is named by id or code."""

    contact_name: Text = None
    contact_phone: Text = None
    contact_email: Text = None
    address1: Text = None
    address2: Text = None
    city: Text = None
    state: Text = None
    postcode: Text = None
    country: Text = None
    partner_location_id: Text = None
    partner_location_code: Text = None

    def to_domain(self) -> DomainAddress:
        values = self.model_dump(exclude={"partner_location_code"})
        values["partner_location_id"] = self.partner_location_id or self.partner_location_code
        return DomainAddress(**values)


class ReturnItemRequest(WireModel):
    model_config = also_required("quantity")

    sku: str
    # Read as optional so that a missing quantity is the domain's INVALID_QUANTITY.
    quantity: Annotated[int | None, WithJsonSchema({"type": "integer"})] = None
    return_reason: Text = None
    comment: Text = None
    comment_codes: list[str] = []
    images: list[str] = []
    item_condition: Text = None
    resolution: Text = None
    refund_type: Text = None

    def value(self, index: int) -> ItemRequest:
        if self.quantity is None:
            raise InvalidQuantity(
                f"the quantity of sku {self.sku} is missing", field=f"items[{index}].quantity"
            )
        return ItemRequest(
            sku=self.sku,
            quantity=self.quantity,
            reason_code=self.return_reason,
            comment=self.comment,
            comment_codes=tuple(self.comment_codes),
            image_urls=tuple(self.images),
            item_condition=self.item_condition,
            resolution=self.resolution,
            refund_type=self.refund_type,
        )


def _items(items: list[ReturnItemRequest]) -> list[ItemRequest]:
    return [item.value(index) for index, item in enumerate(items)]


class ReturnCollection(WireModel):
    start_date: Timestamp
    end_date: Timestamp

    def to_domain(self) -> TimeWindow:
        return TimeWindow(self.start_date, self.end_date)


class Comment(WireModel):
    text: Text = None


class CreateReturnRequest(WireModel):
    merchant: str
    partner_order_reference: str
    items: list[ReturnItemRequest]
    pickup: Address | None = None
    dropoff: Address | None = None
    channel: Text = None
    customer_comment: Text = None
    comments: list[Comment] = Field(
        default=[], description="Joined into customer_comment when that is left out."
    )
    resolution: str
    refund_method: Text = None
    collection: ReturnCollection | None = None

    def command(self, actor: Actor) -> c.CreateReturn:
        items = _items(self.items)  # an item's fault is reported before a detail's
        joined = "\n".join(comment.text for comment in self.comments if comment.text)
        details = request_details(self)
        return c.CreateReturn(
            actor=actor,
            merchant=self.merchant,
            order_reference=self.partner_order_reference,
            items=items,
            details=replace(details, customer_comment=self.customer_comment or joined or None),
        )


class EditReturnRequest(ReturnChange):
    """A PATCH keeps what it leaves out; an explicit null clears the field."""

    items: list[ReturnItemRequest] | None = None
    pickup: Address | None = None
    dropoff: Address | None = None
    resolution: Text = None
    refund_method: Text = None
    customer_comment: Text = None
    collection: ReturnCollection | None = None

    def command(self, rid: str, actor: Actor) -> c.UpdateReturn:
        return c.UpdateReturn(
            actor=actor,
            return_request_id=rid,
            items=None if self.items is None else _items(self.items),
            changes=detail_changes(self, self.given),
        )


class ItemQuantity(WireModel):
    sku: str
    quantity: int
    item_condition: Text = None


class ApproveReturnRequest(ReturnChange):
    """Without items, every unit is approved; with items, exactly the listed quantities (a
    sku left out is approved 0). Units not approved are rejected with rejection_reason."""

    items: list[ItemQuantity] | None = None
    rejection_reason: Text = None

    def command(self, rid: str, actor: Actor) -> c.ApproveReturn:
        return c.ApproveReturn(
            actor=actor,
            return_request_id=rid,
            quantities=None if self.items is None else quantities_by_sku(self.items),
            rejection_reason=self.rejection_reason,
        )


class ReceiveReturnRequest(ReturnChange):
    items: list[ItemQuantity]

    def command(self, rid: str, actor: Actor) -> c.ReceiveReturn:
        return c.ReceiveReturn(
            actor=actor,
            return_request_id=rid,
            quantities=quantities_by_sku(self.items),
            conditions={i.sku: i.item_condition for i in self.items if i.item_condition},
        )


class SplitReturnRequest(ReturnChange):
    items: list[ItemQuantity]
    partner_location_id: Text = None

    def command(self, rid: str, actor: Actor) -> c.SplitReturn:
        return c.SplitReturn(
            actor=actor,
            return_request_id=rid,
            quantities=quantities_by_sku(self.items),
            pickup_location_id=self.partner_location_id,
        )


class ItemRejection(WireModel):
    rejection_reason: Text = None


class RejectReturnRequest(ReturnChange):
    """One reason for the request: `rejection_reason` (or `reason`), else the items' own
    (they must agree, since a rejected request has one reason)."""

    rejection_reason: Text = None
    reason: Text = None
    items: list[ItemRejection] = []

    def command(self, rid: str, actor: Actor) -> c.RejectReturn:
        given = {item.rejection_reason for item in self.items} - {None}
        if len(given) > 1:
            raise InvalidInput("give one rejection reason for the request", field="items")
        reason = self.rejection_reason or self.reason or next(iter(given), None) or ""
        return c.RejectReturn(actor=actor, return_request_id=rid, reason=reason)


class Reason(WireModel):
    """The body of a simple transition (cancel, …): an optional reason. Each transition's
    body is its own named model, as Carriyo names them (`reason_body`)."""

    reason: Text = None


def reason_body(name: str) -> type[Reason]:
    """A transition's body, named for OpenAPI (CancelReturnRequest), which documents every
    one made (`REASON_BODIES`)."""
    made = type(name, (Reason,), {"__module__": __name__, "__doc__": None})
    REASON_BODIES.append(made)
    return made


REASON_BODIES: list[type[Reason]] = []


CancelReturnRequest = reason_body("CancelReturnRequest")


class NewNote(ReturnChange):
    text: str

    def command(self, rid: str, actor: Actor) -> c.AddReturnNote:
        return c.AddReturnNote(actor=actor, return_request_id=rid, text=self.text)


class Assignment(ReturnChange):
    assigned_to_user: str

    def command(self, rid: str, actor: Actor) -> c.AssignReturn:
        return c.AssignReturn(actor=actor, return_request_id=rid, user=self.assigned_to_user)


class NewRefund(ReturnChange):
    reference: Text = None
    type: Text = None
    amount: Number = Field(
        description="Read exactly as written, in plain notation (49.9, not 4.99e1); at most "
        "three decimal places.",
        json_schema_extra={"exclusiveMinimum": 0},
    )
    currency: str
    note: Text = None
    refund_date: Timestamp | None = None

    def command(self, rid: str, actor: Actor) -> c.AddRefund:
        return c.AddRefund(
            actor=actor,
            return_request_id=rid,
            amount=self.amount,
            currency=self.currency,
            reference=self.reference,
            refund_type=self.type,
            note=self.note,
            refund_date=self.refund_date,
        )


def set_status(status: str, rid: str, actor: Actor) -> c.SetReturnStatus:
    return c.SetReturnStatus(actor=actor, return_request_id=rid, status=parse_status(status))


# --------------------------------------------------------------------------- answers

Date = IsoTime | None
Status = Annotated[
    str, WithJsonSchema({"type": "string", "enum": [s.value.lower() for s in ReturnStatus]})
]


class RequestSource(TypedDict):
    source: str
    user: Text


class SkuQuantity(TypedDict):
    sku: str
    quantity: int


class ReturnItem(TypedDict):
    sku: str
    description: Text
    price: Number | None
    currency: Text
    quantity: int
    approved_quantity: int
    rejected_quantity: int
    returned_quantity: int
    received_quantity: int
    return_reason: Text
    comment: Text
    comment_codes: list[str]
    images: list[str]
    item_condition: Text
    resolution: Text
    refund_type: Text
    rejection_reason: Text


class ReturnNote(TypedDict):
    note_id: str
    text: str
    user: Text
    creation_date: Date


class ReturnRefund(TypedDict):
    refund_id: str
    reference: Text
    type: Text
    amount: Number
    currency: str
    note: Text
    refund_date: Date
    creation_date: Date


class RefundTotal(TypedDict):
    """Per currency: the value of the approved units, what was refunded, what remains."""

    currency: str
    approved_value: Number
    refunded: Number
    remaining: Number


class ReturnRefundInfo(TypedDict):
    refunds: list[ReturnRefund]
    totals: list[RefundTotal]


class ItemsUpdate(TypedDict):
    update_date: Date
    previous_items: list[SkuQuantity]
    items: list[SkuQuantity]
    user: Text
    source: Text


class ReverseShipment(TypedDict):
    shipment_id: str
    carrier: Text
    status: str
    tracking_number: Text
    label_url: Text
    items: list[SkuQuantity]
    creation_date: Date
    update_date: Date


class ReturnRequest(TypedDict):
    """Every field of the seed's return request object, plus the ones our workflow adds
    (status, dropoff, resolution, version, allowed_actions…)."""

    return_request_id: str
    status: Status
    shipments: list[str]
    reverse_shipments: list[ReverseShipment]
    partner_order_reference: str
    merchant: str
    pickup: Address | None
    dropoff: Address | None
    customer_comment: Text
    channel: Text
    notes: list[ReturnNote]
    items: list[ReturnItem]
    resolution: Text
    refund_method: Text
    refund_info: ReturnRefundInfo
    rejection_reason: Text
    creation_date: Date
    update_date: Date
    on_hold_date: Date
    approval_date: Date
    cancellation_date: Date
    rejection_date: Date
    received_date: Date
    completion_date: Date
    return_items_updates: list[ItemsUpdate]
    collection: ReturnCollection | None
    assigned_to_user: Text
    auto_closed: bool
    auto_closed_date: Date
    creation_source: RequestSource
    update_source: RequestSource
    updated_by_user: Text
    split_from: Text
    version: int
    allowed_actions: list[str]


class AvailableItem(TypedDict):
    sku: str
    quantity: int
    description: Text
    delivery_date: Date


# --------------------------------------------------------------------------- configuration


class ReferenceCode(WireModel):
    """`code` comes from the path on updates; a body naming another code is a mistake."""

    model_config = also_required("code")

    code: Text = None
    name: str
    merchant: str
    translations: dict[str, str] = {}
    # Read on every kind, so that the domain refuses it where it does not apply.
    allowed_return_reasons: SkipJsonSchema[list[str]] = []

    def entry(self, kind: ReferenceKind, path_code: str | None) -> ReferenceEntry:
        if path_code is None and self.code is None:
            raise InvalidInput("code is required", field="code")
        if path_code is not None and self.code is not None and self.code != path_code:
            raise InvalidInput(
                f"the body's code {self.code!r} is not the path's {path_code!r}", field="code"
            )
        return ReferenceEntry(
            kind=kind,
            merchant=self.merchant,
            code=path_code or self.code or "",
            name=self.name,
            translations=self.translations,
            allowed_return_reasons=tuple(self.allowed_return_reasons),
            **self._flags(),
        )

    def _flags(self) -> dict[str, Any]:
        return {}


class ReturnReason(ReferenceCode):
    require_comments: bool = False
    require_images: bool = False
    require_item_condition: bool = False
    reverse_shipment_create_enabled: bool = True
    auto_approve: bool = False

    def _flags(self) -> dict[str, Any]:
        """Every field a reason adds to a code, by name (a new flag needs no line here)."""
        return self.model_dump(exclude=set(ReferenceCode.model_fields))


class ScopedReferenceCode(ReferenceCode):
    allowed_return_reasons: list[str] = []


class NotificationUser(WireModel):
    email: str
    name: Text = None


class ReturnRequestSettings(WireModel):
    merchant: str
    allowed_days_for_return: int | None = None
    default_dropoff_locations: dict[str, str] = {}
    allow_undelivered_items: bool = False
    allow_pickup_location_selection: bool = False
    notification_users: list[NotificationUser] = []
    order_lookup_methods: list[str] = []
    auto_close_days: int | None = None
    shopify_integration_enabled: Text = None
    shopify_connector_id: Text = None

    def settings(self) -> ReturnSettings:
        values = self.model_dump(exclude={"notification_users", "order_lookup_methods"})
        return ReturnSettings(
            **values,
            notification_users=tuple(
                DomainUser(email=user.email, name=user.name) for user in self.notification_users
            ),
            order_lookup_methods=tuple(self.order_lookup_methods),
        )


def reference_body(kind: ReferenceKind) -> type[ReferenceCode]:
    """The body (and answer) of a kind's entries: reasons carry flags, refund types and
    return comments the reasons they apply to."""
    if kind == ReferenceKind.RETURN_REASON:
        return ReturnReason
    if kind in REASON_SCOPED:
        return ScopedReferenceCode
    return ReferenceCode


ANSWER_SCHEMAS = component_schemas(ReturnRequest, AvailableItem)
SCHEMAS = component_schemas(
    CreateReturnRequest,
    EditReturnRequest,
    ApproveReturnRequest,
    ReceiveReturnRequest,
    RejectReturnRequest,
    SplitReturnRequest,
    CancelReturnRequest,
    NewNote,
    Assignment,
    NewRefund,
    ReturnReason,
    ReferenceCode,
    ScopedReferenceCode,
    ReturnRequestSettings,
)

"""OTO's format where two faces speak it: the OTO shim and the return portal's JSON answers
read OTO-style items and answer return shipments in OTO's shape, with OTO's field names in
error bodies. The rest of OTO's wire format is the shim's own (rest/oto/models.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from core.error_answers import camel_field
from core.wire import IsoTime, WireModel, also_required
from domain.errors import InvalidInput
from domain.parts import ItemRequest, ReturnItem, ReverseShipment
from domain.returns import ReturnRequest
from domain.values import quantity_from_text

MAX_ITEMS = 100
TEXT: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 100}

Text = Annotated[str | None, Field(json_schema_extra={"minLength": 1, "maxLength": 100})]
MaybeText = str | None
# Read by the domain's quantity_from_text, which words OTO's quantity errors.
Quantity = Annotated[
    object,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{1,9}$",
            "description": 'A positive whole number written as text, as OTO sends it ("1").',
        }
    ),
]


# OTO spells fields in camelCase, as GraphQL does; where it names one otherwise, this says so.
OTO_FIELD_NAMES = {
    "orderReference": "orderId",
    "dropoff": "pickupLocationCode",
    "dropoff.partnerLocationId": "pickupLocationCode",
    "pickup": "orderId",
}


def oto_field(name: str | None) -> str | None:
    """The domain's field name as OTO's bodies spell it."""
    camel = camel_field(name)
    if camel is None:
        return None
    return OTO_FIELD_NAMES.get(camel, camel.replace(".reasonCode", ".returnReason"))


class OtoModel(WireModel):
    model_config = ConfigDict(alias_generator=to_camel)


class OtoItemRequest(OtoModel):
    model_config = also_required("quantity")

    sku: str = Field(json_schema_extra={"minLength": 1, "maxLength": 100})
    quantity: Quantity = None
    return_reason: Text = Field(None, description="A return reason code.")
    comment: Text = None
    image_urls: list[str] = []

    def value(self, index: int) -> ItemRequest:
        return ItemRequest(
            sku=self.sku,
            quantity=quantity_from_text(self.quantity, field=f"items[{index}].quantity"),
            reason_code=self.return_reason,
            comment=self.comment,
            image_urls=tuple(self.image_urls),
        )


class OtoItems(OtoModel):
    """The `items` of an OTO-style body (createReturnShipment, the return portal)."""

    items: list[OtoItemRequest] | None = Field(
        None,
        description="Left out: every returnable unit of the order.",
        json_schema_extra={"maxItems": MAX_ITEMS},
    )

    def item_requests(self, *, required: bool = False) -> list[ItemRequest] | None:
        """None when left out and not required."""
        if self.items is None:
            if required:
                raise InvalidInput("items is required", field="items")
            return None
        if len(self.items) > MAX_ITEMS:
            raise InvalidInput(f"at most {MAX_ITEMS} items", field="items")
        return [item.value(index) for index, item in enumerate(self.items)]


# --------------------------------------------------------------------------- answers


class OtoSkuQuantity(TypedDict):
    sku: str
    quantity: str


class OtoShipment(TypedDict):
    shipmentId: str
    deliveryOptionId: MaybeText
    carrier: MaybeText
    status: str
    trackingNumber: MaybeText
    labelUrl: MaybeText
    items: list[OtoSkuQuantity]


class OtoReturnItem(TypedDict):
    sku: str
    name: MaybeText
    quantity: str
    approvedQuantity: str
    receivedQuantity: str
    returnReason: MaybeText
    comment: MaybeText
    itemCondition: MaybeText


class OtoReturnShipment(TypedDict):
    returnRequestId: str
    orderId: str
    status: str
    returnReason: MaybeText
    customerComment: MaybeText
    createdAt: IsoTime
    updatedAt: IsoTime
    reverseShipment: OtoShipment | None
    items: list[OtoReturnItem]


def iso_time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _shipment(shipment: ReverseShipment | None) -> OtoShipment | None:
    if shipment is None:
        return None
    return {
        "shipmentId": shipment.id,
        "deliveryOptionId": shipment.delivery_option_id,
        "carrier": shipment.carrier,
        "status": shipment.status.value.lower(),
        "trackingNumber": shipment.tracking_number,
        "labelUrl": shipment.label_url,
        "items": [{"sku": sku, "quantity": str(qty)} for sku, qty in shipment.items],
    }


def _item(item: ReturnItem) -> OtoReturnItem:
    return {
        "sku": item.sku,
        "name": item.description,
        "quantity": str(item.quantity),
        "approvedQuantity": str(item.approved_quantity),
        "receivedQuantity": str(item.received_quantity),
        "returnReason": item.reason_code,
        "comment": item.comment,
        "itemCondition": item.item_condition,
    }


def _latest_shipment(request: ReturnRequest) -> ReverseShipment | None:
    return request.open_shipment or (request.shipments[-1] if request.shipments else None)


def return_shipment(request: ReturnRequest) -> OtoReturnShipment:
    """One return request with its reverse shipment, as getReturnDetails lists them."""
    reasons = [item.reason_code for item in request.items if item.reason_code]
    return {
        "returnRequestId": request.id,
        "orderId": request.order_reference,
        "status": request.status.value.lower(),
        "returnReason": reasons[0] if reasons else None,
        "customerComment": request.details.customer_comment,
        "createdAt": iso_time(request.created_at),
        "updatedAt": iso_time(request.updated_at),
        "reverseShipment": _shipment(_latest_shipment(request)),
        "items": [_item(item) for item in request.items],
    }

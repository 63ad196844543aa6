"""OTO's wire format, each shape declared once (`core.wire`), as Carriyo's is.

A body is a pydantic model, camelCase on the wire: it gives the OpenAPI schema and the
domain command. OTO's habits are kept: ids may be JSON integers (`"orderId": 123`) and
quantities are text (`"quantity": "1"`). An answer is the TypedDict its writer (views.py)
returns: /openapi.json reads its schema from it and a test holds the writers to them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from core.wire import IsoTime, WireModel, also_required, component_schemas
from domain import commands as c
from domain.errors import InvalidInput
from domain.notification_services import QueueReturnSms
from domain.parts import ItemRequest
from domain.values import Actor, quantity_from_text

OTO_CHANNEL = "OTO"
MAX_ITEMS = 100
TEXT: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 100}

Text = Annotated[str | None, Field(json_schema_extra={"minLength": 1, "maxLength": 100})]
# Read by `identifier` (a JSON integer is taken as its digits), so the model takes any value.
Identifier = Annotated[object, WithJsonSchema({**TEXT, "type": ["string", "integer"]})]
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


def identifier(value: object, name: str) -> str:
    """A required OTO id (orderId, deliveryOptionId): a string; a JSON integer, which OTO's
    numeric ids invite, is taken as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required (a string)", field=name)
    return value.strip()


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


class OtoOrderRequest(OtoModel):
    model_config = also_required("orderId")

    order_id: Identifier = Field(None, description="The order's reference.")
    merchant: Text = Field(
        None, description="Only needed when several merchants of the tenant share the reference."
    )

    def order_reference(self) -> str:
        return identifier(self.order_id, "orderId")

    def sms(self, actor: Actor) -> QueueReturnSms:
        return QueueReturnSms(
            actor=actor, order_reference=self.order_reference(), merchant=self.merchant
        )


class OtoCreateReturnShipmentRequest(OtoOrderRequest, OtoItems):
    model_config = also_required("orderId", "deliveryOptionId")

    delivery_option_id: Identifier = Field(None, description="The merchant's delivery option.")
    pickup_location_code: Text = Field(
        None,
        description="The merchant's warehouse or branch the return goes to (default: the "
        "merchant's dropoff for the customer's country).",
    )
    picking_type: Literal["PICKUP_BY_DC", "BRANCH_DROP_OFF"] | None = Field(
        None, description="Accepted as OTO defines it; the carrier option decides the pickup."
    )

    def command(self, actor: Actor) -> c.CreateReturnShipment:
        return c.CreateReturnShipment(
            actor=actor,
            order_reference=self.order_reference(),
            merchant=self.merchant,
            delivery_option_id=identifier(self.delivery_option_id, "deliveryOptionId"),
            dropoff_location_code=self.pickup_location_code,
            items=self.item_requests(),
            channel=OTO_CHANNEL,
        )


# --------------------------------------------------------------------------- answers

Text = str | None


class OtoSkuQuantity(TypedDict):
    sku: str
    quantity: str


class OtoShipment(TypedDict):
    shipmentId: str
    deliveryOptionId: Text
    carrier: Text
    status: str
    trackingNumber: Text
    labelUrl: Text
    items: list[OtoSkuQuantity]


class OtoReturnItem(TypedDict):
    sku: str
    name: Text
    quantity: str
    approvedQuantity: str
    receivedQuantity: str
    returnReason: Text
    comment: Text
    itemCondition: Text


class OtoReturnShipment(TypedDict):
    returnRequestId: str
    orderId: str
    status: str
    returnReason: Text
    customerComment: Text
    createdAt: IsoTime
    updatedAt: IsoTime
    reverseShipment: OtoShipment | None
    items: list[OtoReturnItem]


class OtoCreateReturnShipmentAnswer(OtoReturnShipment):
    success: Literal[True]


class OtoReturnDetailsAnswer(TypedDict):
    success: Literal[True]
    orderId: str
    returns: list[OtoReturnShipment]


class OtoReturnLinkAnswer(TypedDict):
    success: Literal[True]
    orderId: str
    returnLink: Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
    expiresAt: IsoTime


class OtoReturnSmsAnswer(TypedDict):
    success: Literal[True]
    orderId: str
    returnRequestId: Text
    notificationId: str
    status: str
    message: str


SCHEMAS = component_schemas(OtoOrderRequest, OtoCreateReturnShipmentRequest)
ANSWER_SCHEMAS = component_schemas(
    OtoCreateReturnShipmentAnswer,
    OtoReturnDetailsAnswer,
    OtoReturnLinkAnswer,
    OtoReturnSmsAnswer,
)

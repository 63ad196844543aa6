"""OTO's wire format, each shape declared once (`core.wire`), as Carriyo's is.

A body is a pydantic model, camelCase on the wire: it gives the OpenAPI schema and the
domain command. OTO's habits are kept: ids may be JSON integers (`"orderId": 123`) and
quantities are text (`"quantity": "1"`). An answer is the TypedDict its writer (views.py)
returns: /openapi.json reads its schema from it and a test holds the writers to them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema
from typing_extensions import TypedDict

from core.oto_format import (
    TEXT,
    OtoItems,
    OtoModel,
    OtoReturnShipment,
    Text,
)
from core.wire import IsoTime, also_required, component_schemas
from domain import commands as c
from domain.errors import InvalidInput
from domain.notification_services import QueueReturnSms
from domain.values import Actor

OTO_CHANNEL = "OTO"
# Read by `identifier` (a JSON integer is taken as its digits), so the model takes any value.
Identifier = Annotated[object, WithJsonSchema({**TEXT, "type": ["string", "integer"]})]


def identifier(value: object, name: str) -> str:
    """A required OTO id (orderId, deliveryOptionId): a string; a JSON integer, which OTO's
    numeric ids invite, is taken as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required (a string)", field=name)
    return value.strip()


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

"""Carriyo request bodies as domain commands and objects. Shapes are checked here (a string
where a number belongs is a 400 naming the field); every rule is the domain's."""

from __future__ import annotations

from typing import Any

from domain import commands as c
from domain.errors import InvalidInput, InvalidQuantity
from domain.lifecycle import parse_status
from domain.parts import ItemRequest
from domain.reference import NotificationUser, ReferenceEntry, ReferenceKind, ReturnSettings
from domain.values import UNSET, Actor, Address, TimeWindow
from graphql_api.rest import fields as f
from graphql_api.rest.carriyo.serializers import ADDRESS_FIELDS
from graphql_api.returns.inputs import quantities_by_sku

JsonObject = dict[str, Any]
# Carriyo names a partner location by code as well as by id; both mean our location code.
LOCATION_ALIASES = ("partner_location_id", "partner_location_code")


def address(body: JsonObject | None, where: str) -> Address | None:
    """Carriyo's address carries many more fields (area, coords, what3words…); we keep the
    ones the workflow uses and ignore the rest, as a tolerant reader should."""
    if body is None:
        return None
    values = {name: f.text(body, name, where=where) for name in ADDRESS_FIELDS}
    for alias in LOCATION_ALIASES:
        values["partner_location_id"] = values["partner_location_id"] or f.text(
            body, alias, where=where
        )
    return Address(**values)


def item_request(body: JsonObject, index: int) -> ItemRequest:
    where = f"items[{index}]."
    sku = f.text(body, "sku", required=True, where=where)
    if body.get("quantity") is None:
        raise InvalidQuantity(f"the quantity of sku {sku} is missing", field=f"{where}quantity")
    return ItemRequest(
        sku=sku,
        quantity=f.integer(body, "quantity", required=True, where=where),
        reason_code=f.text(body, "return_reason", where=where),
        comment=f.text(body, "comment", where=where),
        comment_codes=f.text_list(body, "comment_codes", where=where),
        image_urls=f.text_list(body, "images", where=where),
        item_condition=f.text(body, "item_condition", where=where),
        resolution=f.text(body, "resolution", where=where),
        refund_type=f.text(body, "refund_type", where=where),
    )


def item_requests(body: JsonObject, *, required: bool) -> list[ItemRequest] | None:
    items = f.obj_list(body, "items", required=required)
    return None if items is None else [item_request(item, i) for i, item in enumerate(items)]


def _customer_comment(body: JsonObject) -> str | None:
    """`customer_comment`, or the texts of the create body's `comments` objects."""
    comment = f.text(body, "customer_comment")
    texts = [
        f.text(entry, "text", where=f"comments[{i}].")
        for i, entry in enumerate(f.obj_list(body, "comments") or [])
    ]
    joined = "\n".join(text for text in texts if text)
    return comment or joined or None


def _collection(body: JsonObject) -> TimeWindow | None:
    window = f.obj(body, "collection")
    if window is None:
        return None
    start = f.timestamp(window, "start_date", required=True, where="collection.")
    end = f.timestamp(window, "end_date", required=True, where="collection.")
    return TimeWindow(start, end)


def create_return(body: JsonObject, actor: Actor) -> c.CreateReturn:
    return c.CreateReturn(
        actor=actor,
        merchant=f.text(body, "merchant", required=True),
        order_reference=f.text(body, "partner_order_reference", required=True),
        items=item_requests(body, required=True) or [],
        pickup=address(f.obj(body, "pickup"), "pickup."),
        dropoff=address(f.obj(body, "dropoff"), "dropoff."),
        channel=f.text(body, "channel"),
        customer_comment=_customer_comment(body),
        resolution=f.text(body, "resolution", required=True),
        refund_method=f.text(body, "refund_method"),
        collection=_collection(body),
    )


def _kept(body: JsonObject, name: str, read: Any) -> Any:
    """A PATCH keeps what it leaves out; an explicit null clears the field."""
    if name not in body:
        return UNSET
    return None if body[name] is None else read()


def update_return(body: JsonObject, rid: str, actor: Actor) -> c.UpdateReturn:
    return c.UpdateReturn(
        actor=actor,
        return_request_id=rid,
        items=item_requests(body, required=False),
        pickup=_kept(body, "pickup", lambda: address(f.obj(body, "pickup"), "pickup.")),
        dropoff=_kept(body, "dropoff", lambda: address(f.obj(body, "dropoff"), "dropoff.")),
        resolution=_kept(body, "resolution", lambda: f.text(body, "resolution")),
        refund_method=_kept(body, "refund_method", lambda: f.text(body, "refund_method")),
        customer_comment=_kept(body, "customer_comment", lambda: f.text(body, "customer_comment")),
        collection=_kept(body, "collection", lambda: _collection(body)),
    )


class _Quantity:
    """A sku and quantity from a body, in the shape quantities_by_sku reads."""

    def __init__(self, body: JsonObject, index: int) -> None:
        where = f"items[{index}]."
        self.sku = f.text(body, "sku", required=True, where=where)
        self.quantity = f.integer(body, "quantity", required=True, where=where)
        self.item_condition = f.text(body, "item_condition", where=where)


def quantity_items(body: JsonObject, *, required: bool) -> list[_Quantity] | None:
    items = f.obj_list(body, "items", required=required)
    return None if items is None else [_Quantity(item, i) for i, item in enumerate(items)]


def approve_return(body: JsonObject, rid: str, actor: Actor) -> c.ApproveReturn:
    items = quantity_items(body, required=False)
    return c.ApproveReturn(
        actor=actor,
        return_request_id=rid,
        quantities=None if items is None else quantities_by_sku(items),
        rejection_reason=f.text(body, "rejection_reason"),
    )


def reject_return(body: JsonObject, rid: str, actor: Actor) -> c.RejectReturn:
    """One reason for the request: `rejection_reason` (or `reason`), else the items' own
    (they must agree, since a rejected request has one reason)."""
    reason = f.text(body, "rejection_reason") or f.text(body, "reason")
    items = f.obj_list(body, "items") or []
    given = {
        f.text(item, "rejection_reason", where=f"items[{i}].") for i, item in enumerate(items)
    } - {None}
    if len(given) > 1:
        raise InvalidInput("give one rejection reason for the request", field="items")
    return c.RejectReturn(
        actor=actor, return_request_id=rid, reason=reason or next(iter(given), None) or ""
    )


def receive_return(body: JsonObject, rid: str, actor: Actor) -> c.ReceiveReturn:
    items = quantity_items(body, required=True) or []
    return c.ReceiveReturn(
        actor=actor,
        return_request_id=rid,
        quantities=quantities_by_sku(items),
        conditions={i.sku: i.item_condition for i in items if i.item_condition},
    )


def split_return(body: JsonObject, rid: str, actor: Actor) -> c.SplitReturn:
    return c.SplitReturn(
        actor=actor,
        return_request_id=rid,
        quantities=quantities_by_sku(quantity_items(body, required=True) or []),
        pickup_location_id=f.text(body, "partner_location_id"),
    )


def set_status(status: str, rid: str, actor: Actor) -> c.SetReturnStatus:
    return c.SetReturnStatus(actor=actor, return_request_id=rid, status=parse_status(status))


def add_refund(body: JsonObject, rid: str, actor: Actor) -> c.AddRefund:
    return c.AddRefund(
        actor=actor,
        return_request_id=rid,
        amount=f.number(body, "amount", required=True),
        currency=f.text(body, "currency", required=True),
        reference=f.text(body, "reference"),
        refund_type=f.text(body, "type"),
        note=f.text(body, "note"),
        refund_date=f.timestamp(body, "refund_date"),
    )


# --------------------------------------------------------------------------- configuration


def reference_entry(body: JsonObject, kind: ReferenceKind, code: str | None) -> ReferenceEntry:
    """`code` comes from the path on updates; a body naming another code is a mistake."""
    given = f.text(body, "code", required=code is None)
    if code is not None and given is not None and given != code:
        raise InvalidInput(f"the body's code {given!r} is not the path's {code!r}", field="code")
    flags = {}
    if kind == ReferenceKind.RETURN_REASON:
        flags = {
            "require_comments": f.boolean(body, "require_comments"),
            "require_images": f.boolean(body, "require_images"),
            "require_item_condition": f.boolean(body, "require_item_condition"),
            "reverse_shipment_create_enabled": f.boolean(
                body, "reverse_shipment_create_enabled", default=True
            ),
            "auto_approve": f.boolean(body, "auto_approve"),
        }
    return ReferenceEntry(
        kind=kind,
        merchant=f.text(body, "merchant", required=True),
        code=code or given,  # type: ignore[arg-type]
        name=f.text(body, "name", required=True),
        translations=f.text_map(body, "translations"),
        allowed_return_reasons=f.text_list(body, "allowed_return_reasons"),
        **flags,
    )


def return_settings(body: JsonObject) -> ReturnSettings:
    users = f.obj_list(body, "notification_users") or []
    return ReturnSettings(
        merchant=f.text(body, "merchant", required=True),
        allowed_days_for_return=f.integer(body, "allowed_days_for_return"),
        default_dropoff_locations=f.text_map(body, "default_dropoff_locations"),
        allow_undelivered_items=f.boolean(body, "allow_undelivered_items"),
        allow_pickup_location_selection=f.boolean(body, "allow_pickup_location_selection"),
        notification_users=tuple(
            NotificationUser(
                email=f.text(user, "email", required=True, where=f"notification_users[{i}]."),
                name=f.text(user, "name", where=f"notification_users[{i}]."),
            )
            for i, user in enumerate(users)
        ),
        order_lookup_methods=f.text_list(body, "order_lookup_methods"),
        auto_close_days=f.integer(body, "auto_close_days"),
        shopify_integration_enabled=f.text(body, "shopify_integration_enabled"),
        shopify_connector_id=f.text(body, "shopify_connector_id"),
    )

"""The REST shims' body models (core/wire.py, carriyo/models.py): a body of the
wrong shape is refused naming the field as the client wrote it, before any use case runs; the
same model gives the OpenAPI schema."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.wire import read
from domain.errors import ErrorCode, InvalidInput, InvalidQuantity
from domain.reference import ReferenceKind
from domain.values import Actor
from rest.carriyo import models

ACTOR = Actor(source="api", user="ops")
CREATE = {
    "merchant": "acme",
    "partner_order_reference": "SO-1",
    "items": [{"sku": "CAP", "quantity": 1}],
    "resolution": "REFUND",
}


def refused(model: type[Any], body: dict[str, Any]) -> tuple[str | None, str]:
    with pytest.raises(InvalidInput) as caught:
        read(model, body)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    return caught.value.field, caught.value.message


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"merchant": 42}, "merchant", "merchant must be a string"),
        ({"merchant": None}, "merchant", "merchant is required"),
        ({"items": "CAP"}, "items", "items must be a list of objects"),
        ({"items": [3]}, "items", "items must be a list of objects"),
        ({"items": [None]}, "items", "items must be a list of objects"),
        ({"items": [{"quantity": 1}]}, "items[0].sku", "items[0].sku is required"),
        (
            {"items": [{"sku": "CAP", "quantity": True}]},
            "items[0].quantity",
            "items[0].quantity must be a whole number",
        ),
        (
            {"items": [{"sku": "CAP", "quantity": Decimal("1.5")}]},
            "items[0].quantity",
            "items[0].quantity must be a whole number",
        ),
        (
            {"items": [{"sku": "CAP", "quantity": 1, "images": ["a", 2]}]},
            "items[0].images",
            "items[0].images must be a list of strings",
        ),
        (
            {"items": [{"sku": "CAP", "quantity": 1, "images": [None]}]},
            "items[0].images",
            "items[0].images must be a list of strings",
        ),
        ({"pickup": "home"}, "pickup", "pickup must be an object"),
        ({"pickup": {"city": 7}}, "pickup.city", "pickup.city must be a string"),
        ({"collection": {"start_date": "2026-01-01T00:00:00Z"}}, "collection.end_date", None),
        (
            {"collection": {"start_date": "soon", "end_date": "2026-01-02T00:00:00Z"}},
            "collection.start_date",
            "collection.start_date must be an ISO 8601 date-time such as 2026-11-25T10:00:00Z",
        ),
        (
            {"collection": {"start_date": 5, "end_date": "2026-01-02T00:00:00Z"}},
            "collection.start_date",
            "collection.start_date must be a string",
        ),
        ({"comments": [{"text": 1}]}, "comments[0].text", "comments[0].text must be a string"),
    ],
)
def test_a_wrong_shape_names_the_field_as_the_client_wrote_it(
    change: dict[str, Any], field: str, message: str | None
) -> None:
    refused_field, refused_message = refused(models.CreateReturnRequest, CREATE | change)

    assert refused_field == field
    assert message is None or refused_message == message


def test_a_missing_item_quantity_is_the_domains_quantity_error() -> None:
    body = read(models.CreateReturnRequest, CREATE | {"items": [{"sku": "CAP"}]})

    with pytest.raises(InvalidQuantity) as caught:
        body.command(ACTOR)
    assert caught.value.field == "items[0].quantity"


def test_a_create_body_becomes_the_command_in_the_domains_words() -> None:
    body = CREATE | {
        "items": [{"sku": "CAP", "quantity": 2, "return_reason": "SIZE", "images": ["u"]}],
        "pickup": {"city": "Dubai", "partner_location_code": "WH-1", "what3words": "x.y.z"},
        "comments": [{"text": "torn"}, {"text": "late"}],
        "collection": {
            "start_date": "2026-01-01T10:00:00+04:00",
            "end_date": "2026-01-02T00:00:00Z",
        },
    }

    command = read(models.CreateReturnRequest, body).command(ACTOR)

    assert command.order_reference == "SO-1"
    assert (command.items[0].reason_code, command.items[0].image_urls) == ("SIZE", ("u",))
    assert (
        command.details.pickup is not None and command.details.pickup.partner_location_id == "WH-1"
    )
    assert command.details.customer_comment == "torn\nlate"
    assert command.details.collection is not None
    assert command.details.collection.start == datetime(2026, 1, 1, 6, tzinfo=UTC)


def test_a_create_body_reports_a_faulty_item_before_a_faulty_detail() -> None:
    body = CREATE | {
        "items": [{"sku": "CAP"}],
        "collection": {"start_date": "2026-01-02T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    }
    with pytest.raises(InvalidQuantity) as caught:
        read(models.CreateReturnRequest, body).command(ACTOR)
    assert caught.value.field == "items[0].quantity"


def test_a_patch_keeps_what_it_leaves_out_and_clears_an_explicit_null() -> None:
    body = read(models.EditReturnRequest, {"customer_comment": None, "resolution": "EXCHANGE"})

    command = body.command("RR-1", ACTOR)

    assert command.changes == {"customer_comment": None, "resolution": "EXCHANGE"}


@pytest.mark.parametrize("amount", ["10", True, 1.5])
def test_a_refund_amount_must_be_a_json_number(amount: object) -> None:
    assert refused(models.NewRefund, {"amount": amount, "currency": "AED"}) == (
        "amount",
        "amount must be a number",
    )


def test_a_refund_amount_is_kept_exact() -> None:
    body = read(models.NewRefund, {"amount": 49, "currency": "AED"})
    assert body.command("RR-1", ACTOR).amount == Decimal(49)
    body = read(models.NewRefund, {"amount": Decimal("49.90"), "currency": "AED"})
    assert str(body.command("RR-1", ACTOR).amount) == "49.90"


def test_translations_must_be_an_object_of_strings() -> None:
    body = {"code": "SIZE", "name": "Size", "merchant": "acme", "translations": {"ar": 1}}

    assert refused(models.ReturnReason, body) == (
        "translations",
        "translations must be an object of strings",
    )


def test_a_reference_body_naming_another_code_than_the_path_is_refused() -> None:
    body = read(models.ReferenceCode, {"code": "A", "name": "A", "merchant": "acme"})

    with pytest.raises(InvalidInput) as caught:
        body.entry(ReferenceKind.RESOLUTION, "B")
    assert caught.value.field == "code"


def test_scoping_is_read_on_every_kind_so_the_domain_can_refuse_it() -> None:
    body = {"code": "A", "name": "A", "merchant": "acme", "allowed_return_reasons": ["SIZE"]}

    entry = read(models.ReferenceCode, body).entry(ReferenceKind.RESOLUTION, None)

    assert entry.allowed_return_reasons == ("SIZE",)


def test_the_openapi_schema_is_the_models() -> None:
    schema = models.SCHEMAS["CreateReturnRequest"]

    assert set(schema["required"]) == {"merchant", "partner_order_reference", "items", "resolution"}
    assert schema["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/ReturnItemRequest"
    }
    assert set(models.SCHEMAS["ReturnItemRequest"]["required"]) == {"sku", "quantity"}
    assert "allowed_return_reasons" not in models.SCHEMAS["ReferenceCode"]["properties"]
    assert "allowed_return_reasons" in models.SCHEMAS["ScopedReferenceCode"]["properties"]


def test_a_null_where_a_field_has_a_default_it_cannot_hold_means_left_out() -> None:
    body = {"code": "A", "name": "A", "merchant": "acme"}
    nulls = {"require_comments": None, "translations": None, "allowed_return_reasons": None}

    reason = read(models.ReturnReason, body | nulls | {"reverse_shipment_create_enabled": None})

    assert (reason.require_comments, reason.translations) == (False, {})
    assert reason.reverse_shipment_create_enabled is True
    item = {"sku": "CAP", "quantity": 1, "images": None, "comment_codes": None}
    created = read(models.CreateReturnRequest, CREATE | {"items": [item], "comments": None})
    assert created.items[0].images == [] and created.comments == []


def test_a_null_still_clears_a_patch_field_and_is_refused_where_required() -> None:
    edit = read(models.EditReturnRequest, {"customer_comment": None})

    assert edit.given("customer_comment") and edit.customer_comment is None
    assert refused(models.NewRefund, {"amount": 1, "currency": None}) == (
        "currency",
        "currency is required",
    )


def test_oto_bodies_read_only_otos_own_spelling() -> None:
    from rest.oto import models as oto

    body = read(oto.OtoOrderRequest, {"order_id": "SO-1", "orderId": "SO-2"})

    assert body.order_reference() == "SO-2"
    with pytest.raises(InvalidInput):
        read(oto.OtoOrderRequest, {"order_id": "SO-1"}).order_reference()

"""The REST answers are declared once (carriyo/models.py, oto/models.py), as the
TypedDicts their writers return, and /openapi.json is read from those declarations: each
writer must give exactly the keys and types it declares, or the document would lie."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, get_type_hints

from pydantic import TypeAdapter

from core import oto_format
from domain.eligibility import ANY_CODE
from domain.lifecycle import ReturnStatus
from domain.values import TimeWindow
from rest.carriyo import models
from rest.carriyo import serializers as out
from rest.oto import models as oto_models
from rest.oto import views as oto
from tests.unit.domain.conftest import ACTOR, NOW, item_requests, make_order, request_in


def a_request_with_every_part() -> Any:
    """Approved (so it has a reverse shipment), with a changed item list, a note, a refund,
    a collection window and a pickup."""
    request = request_in(ReturnStatus.PENDING)
    window = TimeWindow(NOW + timedelta(days=1), NOW + timedelta(days=2))
    request.update(
        at=NOW,
        actor=ACTOR,
        rules=ANY_CODE,
        items=item_requests({"SKU-A": 1}),
        order=make_order(),
        already_requested={},
        changes={"collection": window},
    )
    request.approve(at=NOW, actor=ACTOR, rules=ANY_CODE)
    request.add_note(text="checked", at=NOW, actor=ACTOR)
    request.add_refund(amount=Decimal("1.50"), currency="AED", at=NOW, actor=ACTOR, rules=ANY_CODE)
    return request


def same_keys(answer: Any, declared: type) -> None:
    """Every declared key is written and nothing undeclared, down through nested answers."""
    hints = get_type_hints(declared, include_extras=False)
    assert set(answer) == set(hints), declared.__name__


def test_a_return_request_answer_is_exactly_its_declaration() -> None:
    request = a_request_with_every_part()
    answer = out.return_request(request)

    TypeAdapter(models.ReturnRequest).validate_python(answer, strict=False)
    same_keys(answer, models.ReturnRequest)
    same_keys(answer["items"][0], models.ReturnItem)
    same_keys(answer["notes"][0], models.ReturnNote)
    same_keys(answer["refund_info"], models.ReturnRefundInfo)
    same_keys(answer["refund_info"]["refunds"][0], models.ReturnRefund)
    same_keys(answer["refund_info"]["totals"][0], models.RefundTotal)
    same_keys(answer["return_items_updates"][0], models.ItemsUpdate)
    same_keys(answer["reverse_shipments"][0], models.ReverseShipment)
    same_keys(answer["creation_source"], models.RequestSource)
    assert answer["collection"] is not None and answer["pickup"] is not None


def test_the_openapi_answer_schema_lists_every_field_written() -> None:
    answer = out.return_request(a_request_with_every_part())
    schema = models.ANSWER_SCHEMAS["ReturnRequest"]

    assert set(schema["properties"]) == set(answer)
    assert schema["properties"]["status"]["enum"] == [s.value.lower() for s in ReturnStatus]


def test_an_oto_return_shipment_answer_is_exactly_its_declaration() -> None:
    answer = oto.shipment_created(a_request_with_every_part())

    TypeAdapter(oto_models.OtoCreateReturnShipmentAnswer).validate_python(answer, strict=False)
    same_keys(answer, oto_models.OtoCreateReturnShipmentAnswer)
    same_keys(answer["items"][0], oto_format.OtoReturnItem)
    assert answer["reverseShipment"] is not None
    same_keys(answer["reverseShipment"], oto_format.OtoShipment)
    same_keys(answer["reverseShipment"]["items"][0], oto_format.OtoSkuQuantity)

"""REST error bodies name fields the way each shim's clients wrote them."""

from __future__ import annotations

import pytest

from edge.json_answers import snake_field
from rest.carriyo import carriyo_field


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (None, None),
        ("merchant", "merchant"),
        ("returnRequestId", "return_request_id"),
        ("orderReference", "partner_order_reference"),
        ("items[0].reasonCode", "items[0].return_reason"),
        ("items[2].imageUrls", "items[2].images"),
        ("pickup.partnerLocationId", "pickup.partner_location_id"),
        ("x-user", "x-user"),
    ],
)
def test_carriyo_field_names(ours: str | None, theirs: str | None) -> None:
    assert carriyo_field(ours) == theirs


def test_snake_field_keeps_what_is_already_snake_case() -> None:
    assert snake_field("items[1].sku") == "items[1].sku"
    assert snake_field("allowedDaysForReturn") == "allowed_days_for_return"

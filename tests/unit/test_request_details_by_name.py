"""The faces read a request's details by name (core/request_details.py): a detail a
face declared under another name would be dropped without a word, so each face's create
input must declare every detail and its update input every editable one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
import strawberry

from core.request_details import detail_changes, request_details
from domain.request_details import DETAILS, EDITABLE
from domain.values import Address, TimeWindow
from graphql_api.common import AddressInput, TimeWindowInput
from graphql_api.returns.inputs import CreateReturnInput, UpdateReturnInput
from rest.carriyo import models


def _graphql(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _carriyo(cls: type[models.WireModel]) -> set[str]:
    return set(cls.model_fields)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (_graphql(CreateReturnInput), set(DETAILS)),
        (_carriyo(models.CreateReturnRequest), set(DETAILS)),
        (_graphql(UpdateReturnInput), EDITABLE),
        (_carriyo(models.EditReturnRequest), EDITABLE),
    ],
    ids=["graphql-create", "carriyo-create", "graphql-update", "carriyo-update"],
)
def test_each_face_declares_the_details_under_the_domains_names(
    declared: set[str], expected: set[str]
) -> None:
    assert declared & set(DETAILS) == expected


def test_input_objects_become_domain_values() -> None:
    start, end = datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC)
    given = CreateReturnInput(
        merchant="m",
        order_reference="o",
        items=[],
        pickup=AddressInput(city="Dubai", country="AE"),
        collection=TimeWindowInput(start=start, end=end),
        customer_comment="hi",
    )
    details = request_details(given)
    assert details.pickup == Address(city="Dubai", country="AE")
    assert details.collection == TimeWindow(start, end)
    assert (details.customer_comment, details.dropoff) == ("hi", None)


def test_an_update_changes_only_what_was_sent() -> None:
    given = UpdateReturnInput(return_request_id="RR-1", pickup=None, resolution="SWAP")
    changes = detail_changes(given, lambda name: getattr(given, name) is not strawberry.UNSET)
    assert changes == {"pickup": None, "resolution": "SWAP"}

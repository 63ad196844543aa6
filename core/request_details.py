"""A face's input read into the domain's request details by name, so that a detail the
domain adds and a face declares under the same name reaches the domain without a line here
or in the face: GraphQL's inputs and Carriyo's bodies both name their details as the domain
does (their wire names are set where they are declared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.errors import DomainError, ErrorCode
from domain.request_details import DETAILS, EDITABLE, RequestDetails


def request_details(source: object) -> RequestDetails:
    """The details a create input holds: every attribute named like a detail."""
    return RequestDetails(**{name: _domain(getattr(source, name)) for name in _named(source)})


def detail_changes(source: object, given: Callable[[str], bool]) -> dict[str, object]:
    """The details an update input changes: the editable ones `given` says were sent, with
    their values (None clears)."""
    return {
        name: _domain(getattr(source, name))
        for name in _named(source)
        if name in EDITABLE and given(name)
    }


def _named(source: object) -> list[str]:
    declared = vars(source)
    return [name for name in DETAILS if name in declared]


def _domain(value: object) -> object:
    """A detail as the domain holds it: an input object standing for a domain value (an
    address, a time window) converts itself with `to_domain()`; a plain value is as given."""
    to_domain = getattr(value, "to_domain", None)
    return to_domain() if to_domain is not None else value


def quantities_by_sku(items: list[Any]) -> dict[str, int]:
    """sku → quantity; a sku listed twice is an error, not a silent overwrite."""
    result: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.sku in result:
            raise DomainError(
                f"sku {item.sku} appears twice",
                field=f"items[{index}].sku",
                code=ErrorCode.DUPLICATE_SKU,
            )
        result[item.sku] = item.quantity
    return result

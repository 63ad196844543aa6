"""Types shared by every area: the Node interface and global ids, page info, addresses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Annotated, Any

import strawberry

from domain.errors import ErrorCode
from domain.lifecycle import Action, ReturnStatus
from domain.parts import ShipmentStatus
from domain.values import Address, TimeWindow
from graphql_api.errors import ClientError

strawberry.enum(
    ReturnStatus,
    name="ReturnStatus",
    description="Where a return request is in "
    "its lifecycle (PENDING → APPROVED → RECEIVED → COMPLETED).",
)
strawberry.enum(
    Action,
    name="ReturnAction",
    description="An action a return request allows in its current state.",
)
strawberry.enum(ShipmentStatus, name="ReverseShipmentStatus")


@strawberry.interface(description="An object with an opaque, globally unique id.")
class Node:
    id: strawberry.ID


@strawberry.input
class MutationInput:
    """Every mutation's input can name its own idempotency key (the HTTP layer reads it)."""

    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Like the Idempotency-Key header: retrying with the same key and the "
        "same request returns the first answer without doing the work again; the same key "
        "with another request is refused (IDEMPOTENCY_MISMATCH), and while the first still "
        "runs, IDEMPOTENCY_IN_PROGRESS. Kept 24 hours.",
    )


MAX_PAGE = 100
PageSize = Annotated[
    int,
    strawberry.argument(
        description=f"Page size, 1 to {MAX_PAGE}; required, since it drives the cost."
    ),
]


def check_first(first: int) -> int:
    """A connection's page size, refused (LIMIT_EXCEEDED) outside 1 to MAX_PAGE."""
    if not 1 <= first <= MAX_PAGE:
        raise ClientError(f"`first` must be between 1 and {MAX_PAGE}", ErrorCode.LIMIT_EXCEEDED)
    return first


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(
        cls,
        edges: Sequence[Any],
        *,
        has_next: bool,
        has_previous: bool,
        cursor: Callable[[Any], str] = attrgetter("cursor"),
    ) -> PageInfo:
        """The page info of a page of edges; `cursor` gives an edge's cursor."""
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursor(edges[0]) if edges else None,
            end_cursor=cursor(edges[-1]) if edges else None,
        )


@strawberry.type(name="Address")
class AddressType:
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    postcode: str | None
    country: str | None
    partner_location_id: str | None = strawberry.field(
        description="A merchant location (warehouse, branch) standing for the address."
    )

    @classmethod
    def from_domain(cls, address: Address | None) -> AddressType | None:
        if address is None:
            return None
        return cls(**{name: getattr(address, name) for name in Address.__slots__})

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> AddressType | None:
        """An address as a row stores it (persistence/mappers.py's address_to_json)."""
        if stored is None:
            return None
        return cls(**{name: stored.get(name) for name in Address.__slots__})


@strawberry.input(description="A free address, or a merchant location by its id.")
class AddressInput:
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    partner_location_id: str | None = None

    def to_domain(self) -> Address:
        return Address(**{name: getattr(self, name) for name in Address.__slots__})


@strawberry.type(name="TimeWindow")
class TimeWindowType:
    start: datetime
    end: datetime


@strawberry.input
class TimeWindowInput:
    start: datetime
    end: datetime

    def to_domain(self) -> TimeWindow:
        return TimeWindow(self.start, self.end)


def optional_address(value: AddressInput | None) -> Address | None:
    return value.to_domain() if value is not None else None

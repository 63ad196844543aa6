"""Builders for the domain tests: a delivered order, a fixed clock, an actor, and return
requests driven through real transitions into every status.

The plain functions do the work; the fixtures hand them to tests. Factory fixtures are
session-scoped because they are pure, so hypothesis tests can use them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.eligibility import ANY_CODE, BaseRules, MerchantRules
from domain.exchange_lines import ExchangeLine, ExchangeLineStatus
from domain.lifecycle import ReturnStatus
from domain.orders import Order, OrderLine
from domain.parts import ItemRequest, ReturnItem
from domain.request_details import DETAILS, RequestDetails
from domain.returns import ReturnRequest
from domain.values import Actor, Address
from domain.variants import Catalogue, ExchangeSettings, Variant

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DELIVERED_AT = datetime(2025, 2, 20, 9, 30, tzinfo=UTC)
ACTOR = Actor(source="API", user="agent@merchant.example")
PICKUP = Address(
    contact_name="Layla Haddad",
    contact_phone="+971500000000",
    address1="12 Al Wasl Road",
    city="Dubai",
    country="AE",
)
DROPOFF = Address(partner_location_id="WH-DXB-1")
MERCHANT = "acme"
ORDER_REFERENCE = "ORD-1001"
CURRENCY = "AED"

# sku -> (ordered, delivered, unit price). SKU-C was never delivered.
DEFAULT_LINES: dict[str, tuple[int, int, Decimal]] = {
    "SKU-A": (3, 3, Decimal("100.00")),
    "SKU-B": (2, 2, Decimal("49.50")),
    "SKU-C": (1, 0, Decimal("20.00")),
}
DEFAULT_ITEMS: dict[str, int] = {"SKU-A": 2, "SKU-B": 1}


# The merchant's variants: SKU-A (size M) and its sizes S and L in group SHIRT, SKU-B in
# group MUG with a blue one; L is sold out but backorderable, XL neither.
VARIANT_PRICES = {
    "SKU-A": ("SHIRT", Decimal("100.00")),
    "SHIRT-S": ("SHIRT", Decimal("100.00")),
    "SHIRT-L": ("SHIRT", Decimal("120.00")),
    "SHIRT-XL": ("SHIRT", Decimal("130.00")),
    "SKU-B": ("MUG", Decimal("49.50")),
    "MUG-BLUE": ("MUG", Decimal("40.00")),
}


def make_catalogue(**settings: Any) -> Catalogue:
    variants = {
        sku: Variant(
            merchant=MERCHANT,
            sku=sku,
            group_key=group,
            title=f"Variant {sku}",
            price=price,
            currency=CURRENCY,
            available=sku not in ("SHIRT-L", "SHIRT-XL"),
            backorderable=sku == "SHIRT-L",
        )
        for sku, (group, price) in VARIANT_PRICES.items()
    }
    return Catalogue(ExchangeSettings(MERCHANT, **settings), variants)


def give_exchange_line(
    request: ReturnRequest,
    status: ExchangeLineStatus = ExchangeLineStatus.RESERVED,
    *,
    sku: str = "SHIRT-S",
    price: Decimal = Decimal("100.00"),
) -> ExchangeLine:
    """An exchange line put straight on the request (for tests of one action)."""
    line = ExchangeLine(
        line_id=f"XL-{len(request.exchange_lines) + 1}",
        sku=sku,
        title=f"Variant {sku}",
        quantity=1,
        replaces_sku=request.items[0].sku,
        unit_price=price,
        currency=CURRENCY,
        status=status,
    )
    request.exchange_lines.append(line)
    return line


class NoShipmentRules(BaseRules):
    """A merchant whose returns travel back without a reverse shipment."""

    def needs_reverse_shipment(self, item: ReturnItem) -> bool:
        return False


def make_order(lines: Mapping[str, tuple[int, int, Decimal]] | None = None) -> Order:
    return Order(
        merchant=MERCHANT,
        reference=ORDER_REFERENCE,
        currency=CURRENCY,
        lines=[
            OrderLine(
                sku=sku,
                description=f"Item {sku}",
                quantity=ordered,
                unit_price=price,
                delivered_quantity=delivered,
                delivered_at=DELIVERED_AT if delivered else None,
            )
            for sku, (ordered, delivered, price) in (lines or DEFAULT_LINES).items()
        ],
    )


def item_requests(quantities: Mapping[str, int]) -> list[ItemRequest]:
    return [
        ItemRequest(sku=sku, quantity=qty, reason_code="DAMAGED") for sku, qty in quantities.items()
    ]


def make_request(
    items: Mapping[str, int] | Sequence[ItemRequest] | None = None,
    *,
    order: Order | None = None,
    rules: MerchantRules | None = None,
    already_requested: Mapping[str, int] | None = None,
    pickup: Address | None = PICKUP,
    dropoff: Address | None = DROPOFF,
    request_id: str = "RR-TEST0001",
    keep_events: bool = False,
) -> ReturnRequest:
    """A PENDING request with pickup and dropoff; its creation event is pulled unless kept."""
    if items is None:
        items = DEFAULT_ITEMS
    requests = item_requests(items) if isinstance(items, Mapping) else list(items)
    request = ReturnRequest.create(
        order=order or make_order(),
        items=requests,
        already_requested=already_requested or {},
        rules=rules or BaseRules(),
        at=NOW,
        actor=ACTOR,
        return_request_id=request_id,
        details=RequestDetails(pickup=pickup, dropoff=dropoff),
    )
    if not keep_events:
        request.pull_events()
    return request


def create_request(
    order: Order,
    items: Sequence[ItemRequest],
    rules: MerchantRules,
    at: datetime,
    actor: Actor,
    already: Mapping[str, int] | None = None,
    **fields: Any,
) -> ReturnRequest:
    """ReturnRequest.create with the request's details (pickup=…, resolution=…) given as
    plain keywords, gathered here into the one RequestDetails it takes."""
    details = {name: fields.pop(name) for name in DETAILS if name in fields}
    return ReturnRequest.create(
        order=order,
        items=items,
        already_requested=already or {},
        rules=rules,
        at=at,
        actor=actor,
        details=RequestDetails(**details),
        **fields,
    )


def drive_to(
    request: ReturnRequest, status: ReturnStatus, *, rules: MerchantRules | None = None
) -> ReturnRequest:
    """Move a PENDING request into `status` through the ordinary transitions."""
    rules = rules or BaseRules()
    if status == ReturnStatus.ON_HOLD:
        request.hold(at=NOW, actor=ACTOR)
    elif status == ReturnStatus.REJECTED:
        request.reject(rules=ANY_CODE, at=NOW, actor=ACTOR, reason="outside policy")
    elif status == ReturnStatus.CANCELLED:
        request.cancel(at=NOW, actor=ACTOR)
    elif status != ReturnStatus.PENDING:
        request.approve(at=NOW, actor=ACTOR, rules=rules)
        if status == ReturnStatus.PARTIALLY_RECEIVED:
            request.receive(
                rules=ANY_CODE, at=NOW, actor=ACTOR, quantities={request.items[0].sku: 1}
            )
        elif status in (ReturnStatus.RECEIVED, ReturnStatus.COMPLETED):
            request.receive(
                rules=ANY_CODE,
                at=NOW,
                actor=ACTOR,
                quantities={item.sku: item.approved_quantity for item in request.items},
            )
            if status == ReturnStatus.COMPLETED:
                request.complete(at=NOW, actor=ACTOR)
    assert request.status == status
    request.pull_events()
    return request


def request_in(status: ReturnStatus, **kwargs: object) -> ReturnRequest:
    rules = kwargs.get("rules")
    return drive_to(make_request(**kwargs), status, rules=rules)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def later() -> datetime:
    return LATER


@pytest.fixture(scope="session")
def actor() -> Actor:
    return ACTOR


@pytest.fixture(scope="session")
def rules() -> BaseRules:
    return BaseRules()


@pytest.fixture(scope="session")
def no_shipment_rules() -> NoShipmentRules:
    return NoShipmentRules()


@pytest.fixture
def order() -> Order:
    return make_order()


@pytest.fixture
def pending() -> ReturnRequest:
    """PENDING: SKU-A x2 at 100.00 and SKU-B x1 at 49.50, with pickup and dropoff."""
    return make_request()


@pytest.fixture
def approved() -> ReturnRequest:
    """APPROVED in full (approved value 249.50 AED) with an open `manual` reverse shipment."""
    return request_in(ReturnStatus.APPROVED)


@pytest.fixture(scope="session")
def build_order() -> Callable[..., Order]:
    return make_order


@pytest.fixture(scope="session")
def build_request() -> Callable[..., ReturnRequest]:
    return make_request


@pytest.fixture(scope="session")
def build_request_in() -> Callable[..., ReturnRequest]:
    return request_in

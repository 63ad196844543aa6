"""Eligibility rules: pure functions that say, in words a person can read, why an order line
can or cannot be returned (DESIGN.md §4).

`MerchantRules` is the seam for the merchant's own configuration (return window, reason
requirements, allowed codes). `BaseRules` holds the rules that need no configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from domain.errors import DomainError, DomainErrors, ErrorCode, InvalidInput
from domain.fees import FeeRule
from domain.orders import Order, OrderLine
from domain.parts import ItemRequest, ReturnItem
from domain.values import Address, bounded_text, optional_code


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason an order line cannot be returned, with the error code a command would get,
    and the facts its message is built from, so a face can say it in the customer's language
    (the portal does): the day the window closed, the requests holding the units."""

    code: ErrorCode
    message: str
    closed_on: date | None = None
    held_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineEligibility:
    line: OrderLine
    already_requested: int
    blockers: tuple[Blocker, ...] = field(default_factory=tuple)

    returnable_units: int = 0

    @property
    def returnable_quantity(self) -> int:
        if self.blockers:
            return 0
        return max(self.returnable_units - self.already_requested, 0)

    @property
    def returnable(self) -> bool:
        return self.returnable_quantity > 0


class MerchantRules(Protocol):
    """What a merchant's configuration decides (see configured_rules.ConfiguredRules)."""

    @property
    def fee_rules(self) -> Sequence[FeeRule]:
        """The merchant's fee rules, in the order they are applied."""
        ...

    def returnable_units(self, line: OrderLine) -> int:
        """Units of the line that may be returned at all (delivered, or ordered)."""
        ...

    def line_blockers(self, line: OrderLine, *, now: datetime) -> list[Blocker]: ...

    def item_problems(self, item: ItemRequest, *, index: int) -> list[DomainError]: ...

    def needs_reverse_shipment(self, item: ReturnItem) -> bool: ...

    def code_problem(
        self,
        kind: str,
        code: str | None,
        *,
        field: str,
        reasons: Sequence[str | None] | None = None,
    ) -> DomainError | None:
        """An unknown code of a kind (rejection reason, resolution, …), or one allowed for
        none of `reasons` (refund types, comments); None when the code is fine."""
        ...

    def location_problem(
        self, address: Address | None, *, field: str, as_pickup: bool
    ) -> DomainError | None: ...

    def default_dropoff(self, pickup: Address | None) -> Address | None: ...

    def auto_approves(self, items: Sequence[ReturnItem]) -> bool: ...


class BaseRules:
    """Rules without merchant configuration: only delivered units are returnable, any code
    is accepted, every approved return travels back in a reverse shipment, and there are
    no fees."""

    @property
    def fee_rules(self) -> Sequence[FeeRule]:
        return ()

    def returnable_units(self, line: OrderLine) -> int:
        return line.delivered_quantity

    def line_blockers(self, line: OrderLine, *, now: datetime) -> list[Blocker]:
        if not line.is_delivered:
            return [Blocker(ErrorCode.NOT_RETURNABLE, f"sku {line.sku} has not been delivered")]
        return []

    def item_problems(self, item: ItemRequest, *, index: int) -> list[DomainError]:
        return []

    def needs_reverse_shipment(self, item: ReturnItem) -> bool:
        return True

    def code_problem(
        self,
        kind: str,
        code: str | None,
        *,
        field: str,
        reasons: Sequence[str | None] | None = None,
    ) -> DomainError | None:
        return None

    def location_problem(
        self, address: Address | None, *, field: str, as_pickup: bool
    ) -> DomainError | None:
        return None

    def default_dropoff(self, pickup: Address | None) -> Address | None:
        return None

    def auto_approves(self, items: Sequence[ReturnItem]) -> bool:
        return False


ANY_CODE = BaseRules()  # for callers that configure nothing: every code is accepted


def explain_lines(
    order: Order,
    already_requested: Mapping[str, int],
    *,
    rules: MerchantRules,
    now: datetime,
    held_by: Mapping[str, Sequence[str]] | None = None,
) -> list[LineEligibility]:
    """Every order line with what is left to return and what blocks it; `held_by` names the
    live requests holding each sku's units, for the explanation."""
    explained = []
    for line in order.lines:
        taken = already_requested.get(line.sku, 0)
        blockers = list(rules.line_blockers(line, now=now))
        units = rules.returnable_units(line)
        if not blockers and taken >= units:
            blockers.append(_all_taken(line, units, tuple((held_by or {}).get(line.sku, ()))))
        explained.append(LineEligibility(line, taken, tuple(blockers), units))
    return explained


def _all_taken(line: OrderLine, units: int, holders: tuple[str, ...]) -> Blocker:
    named = f": {', '.join(holders)}" if holders else ""
    return Blocker(
        ErrorCode.QUANTITY_EXCEEDED,
        f"all {units} returnable units of sku {line.sku} are already in return requests{named}",
        held_by=holders,
    )


def check_item_requests(
    order: Order,
    items: Sequence[ItemRequest],
    already_requested: Mapping[str, int],
    *,
    rules: MerchantRules,
    now: datetime,
    also: Sequence[DomainError] = (),
) -> None:
    """Raise every violation at once (with `also`, the request-level ones), so a client can
    fix a whole request in one round."""
    if not items:
        raise InvalidInput("a return request needs at least one item", field="items")
    lines = {
        entry.line.sku: entry
        for entry in explain_lines(order, already_requested, rules=rules, now=now)
    }
    errors: list[DomainError] = list(also)
    seen: set[str] = set()
    for index, item in enumerate(items):
        errors.extend(_item_errors(item, index, lines, seen))
        errors.extend(_field_errors(item, index))
        errors.extend(rules.item_problems(item, index=index))
        seen.add(item.sku)
    if errors:
        raise DomainErrors(errors)


def _item_errors(
    item: ItemRequest, index: int, lines: Mapping[str, LineEligibility], seen: set[str]
) -> list[DomainError]:
    where = f"items[{index}]"
    if item.sku in seen:
        return [
            DomainError(
                f"sku {item.sku} appears twice in the request",
                field=f"{where}.sku",
                code=ErrorCode.DUPLICATE_SKU,
            )
        ]
    entry = lines.get(item.sku)
    if entry is None:
        return [
            DomainError(
                f"sku {item.sku} is not on the order",
                field=f"{where}.sku",
                code=ErrorCode.UNKNOWN_SKU,
            )
        ]
    if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or item.quantity < 1:
        return [
            DomainError(
                f"quantity for sku {item.sku} must be a whole number ≥ 1",
                field=f"{where}.quantity",
                code=ErrorCode.INVALID_QUANTITY,
            )
        ]
    rule_blockers = [b for b in entry.blockers if b.code != ErrorCode.QUANTITY_EXCEEDED]
    if rule_blockers:
        return [DomainError(b.message, field=f"{where}.sku", code=b.code) for b in rule_blockers]
    if item.quantity > entry.returnable_quantity:
        return [
            DomainError(
                f"sku {item.sku}: {item.quantity} requested but only "
                f"{entry.returnable_quantity} can still be returned",
                field=f"{where}.quantity",
                code=ErrorCode.QUANTITY_EXCEEDED,
            )
        ]
    return []


MAX_IMAGES = 20
MAX_COMMENT_CODES = 20
URL_LIMIT = 2000


def _field_errors(item: ItemRequest, index: int) -> list[DomainError]:
    """Free-text and code fields within the sizes a merchant's system can store and show."""
    where = f"items[{index}]"
    checks: list[Callable[[], object]] = [
        lambda: optional_code(item.reason_code, field=f"{where}.reason_code"),
        lambda: optional_code(item.item_condition, field=f"{where}.item_condition"),
        lambda: optional_code(item.resolution, field=f"{where}.resolution"),
        lambda: optional_code(item.refund_type, field=f"{where}.refund_type"),
        lambda: (
            item.comment and bounded_text(item.comment, field=f"{where}.comment", required=False)
        ),
    ]
    checks += [
        lambda code=code: optional_code(code, field=f"{where}.comment_codes")
        for code in item.comment_codes
    ]
    checks += [
        lambda url=url: bounded_text(url, field=f"{where}.image_urls", limit=URL_LIMIT)
        for url in item.image_urls
    ]
    errors: list[DomainError] = []
    for check in checks:
        try:
            check()
        except DomainError as error:
            errors.append(error)
    if len(item.image_urls) > MAX_IMAGES:
        errors.append(
            InvalidInput(f"at most {MAX_IMAGES} images per item", field=f"{where}.image_urls")
        )
    if len(item.comment_codes) > MAX_COMMENT_CODES:
        errors.append(
            InvalidInput(
                f"at most {MAX_COMMENT_CODES} comment codes per item",
                field=f"{where}.comment_codes",
            )
        )
    return errors

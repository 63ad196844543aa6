"""The rules a merchant's configuration drives (DESIGN.md §4): return window, undelivered
lines, reason requirements, which codes exist and which reasons they apply to, default
dropoff, auto-approve and reverse shipments.

Pure: built from the merchant's settings, reference entries and locations, which persistence
loads in one go (persistence/rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from domain.eligibility import BaseRules, Blocker
from domain.errors import DomainError, ErrorCode, InvalidInput, RequirementMissing
from domain.fees import FeeRule
from domain.orders import OrderLine
from domain.parts import ItemRequest, ReturnItem
from domain.reference import (
    DeliveryOption,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
    check_code_format,
    unknown_code,
)
from domain.values import Address


class ConfiguredRules(BaseRules):
    """Codes are enforced per kind once the merchant has configured that kind: a merchant
    with no rejection reasons yet rejects with free text; one with a list may only use it.
    Pickup location codes likewise, once the merchant has locations; choosing a pickup
    location needs settings that allow it."""

    def __init__(
        self,
        merchant: str,
        settings: ReturnSettings | None,
        entries: Iterable[ReferenceEntry],
        locations: Iterable[PickupLocation],
        fee_rules: Iterable[FeeRule] = (),
    ) -> None:
        self.merchant = merchant
        self._fee_rules = tuple(fee_rules)
        self.configured = settings is not None
        self.settings = settings or ReturnSettings(merchant=merchant)
        self._entries = {(entry.kind, entry.code): entry for entry in entries}
        self._locations = {location.code: location for location in locations}

    @property
    def fee_rules(self) -> Sequence[FeeRule]:
        return self._fee_rules

    # ------------------------------------------------------------------ order lines

    def returnable_units(self, line: OrderLine) -> int:
        if self.settings.allow_undelivered_items:
            return line.quantity
        return line.delivered_quantity

    def line_blockers(self, line: OrderLine, *, now: datetime) -> list[Blocker]:
        if not line.is_delivered:
            if self.settings.allow_undelivered_items:
                return []
            return [Blocker(ErrorCode.NOT_RETURNABLE, f"sku {line.sku} has not been delivered")]
        days = self.settings.allowed_days_for_return
        if days is not None and line.delivered_at is not None:
            closes = line.delivered_at + timedelta(days=days)
            if now > closes:
                return [
                    Blocker(
                        ErrorCode.RETURN_WINDOW_EXPIRED,
                        f"sku {line.sku}: the {days}-day return window closed on "
                        f"{closes.date().isoformat()}",
                        closed_on=closes.date(),
                    )
                ]
        return []

    # ------------------------------------------------------------------ items

    def item_problems(self, item: ItemRequest, *, index: int) -> list[DomainError]:
        where = f"items[{index}]"
        reason = self.entry(ReferenceKind.RETURN_REASON, item.reason_code)
        problems = self._reason_problems(item, reason, where)
        problems += self._codes_exist(item, where)
        problems += self._scoped_to_reason(item, where)
        return problems

    def _reason_problems(
        self, item: ItemRequest, reason: ReferenceEntry | None, where: str
    ) -> list[DomainError]:
        if item.reason_code is None:
            if self._has(ReferenceKind.RETURN_REASON):
                return [
                    RequirementMissing(
                        f"sku {item.sku}: choose a return reason", field=f"{where}.reason_code"
                    )
                ]
            return []
        if reason is None:
            problem = self.code_problem(
                ReferenceKind.RETURN_REASON, item.reason_code, field=f"{where}.reason_code"
            )
            return [problem] if problem else []
        missing = []
        if reason.require_comments and not ((item.comment or "").strip() or item.comment_codes):
            missing.append(("comment", "a comment"))
        if reason.require_images and not item.image_urls:
            missing.append(("image_urls", "images"))
        if reason.require_item_condition and not item.item_condition:
            missing.append(("item_condition", "the item condition"))
        return [
            RequirementMissing(
                f"sku {item.sku}: reason {reason.code} needs {what}", field=f"{where}.{name}"
            )
            for name, what in missing
        ]

    def _codes_exist(self, item: ItemRequest, where: str) -> list[DomainError]:
        checks = [
            (ReferenceKind.ITEM_CONDITION, item.item_condition, "item_condition"),
            (ReferenceKind.RESOLUTION, item.resolution, "resolution"),
            (ReferenceKind.REFUND_TYPE, item.refund_type, "refund_type"),
        ]
        checks += [
            (ReferenceKind.RETURN_COMMENT, code, "comment_codes") for code in item.comment_codes
        ]
        return [
            problem
            for kind, code, name in checks
            if (problem := self.code_problem(kind, code, field=f"{where}.{name}"))
        ]

    def _scoped_to_reason(self, item: ItemRequest, where: str) -> list[DomainError]:
        scoped = [(ReferenceKind.REFUND_TYPE, item.refund_type, "refund_type")]
        scoped += [
            (ReferenceKind.RETURN_COMMENT, code, "comment_codes") for code in item.comment_codes
        ]
        problems: list[DomainError] = []
        for kind, code, name in scoped:
            entry = self.entry(kind, code)
            if entry is not None and not entry.allows_reason(item.reason_code):
                problems.append(
                    InvalidInput(
                        f"{kind.label} {code} is not allowed for return reason "
                        f"{item.reason_code or '(none)'}",
                        field=f"{where}.{name}",
                    )
                )
        return problems

    def needs_reverse_shipment(self, item: ReturnItem) -> bool:
        reason = self.entry(ReferenceKind.RETURN_REASON, item.reason_code)
        return reason.reverse_shipment_create_enabled if reason else True

    def auto_approves(self, items: Sequence[ReturnItem]) -> bool:
        reasons = [self.entry(ReferenceKind.RETURN_REASON, item.reason_code) for item in items]
        return bool(reasons) and all(reason and reason.auto_approve for reason in reasons)

    # ------------------------------------------------------------------ codes, places

    def entry(self, kind: ReferenceKind, code: str | None) -> ReferenceEntry | None:
        return self._entries.get((kind, code)) if code is not None else None

    def code_problem(
        self,
        kind: str,
        code: str | None,
        *,
        field: str,
        reasons: Sequence[str | None] | None = None,
    ) -> DomainError | None:
        if code is None or not self._has(ReferenceKind(kind)):
            return None  # the merchant has not adopted codes of this kind: free text
        entry = self.entry(ReferenceKind(kind), code)
        if entry is None:
            return unknown_code(ReferenceKind(kind), code, self.merchant, field)
        if reasons is not None and not any(entry.allows_reason(r) for r in reasons):
            return InvalidInput(
                f"{entry.kind.label} {code} is not allowed for the return reasons of this request",
                field=field,
            )
        return None

    def location_problem(
        self, address: Address | None, *, field: str, as_pickup: bool
    ) -> DomainError | None:
        code = address.partner_location_id if address else None
        if code is None:
            return None
        if as_pickup and self.configured and not self.settings.allow_pickup_location_selection:
            return InvalidInput(
                f"merchant {self.merchant} does not allow choosing a pickup "
                "location; give an address instead",
                field=field,
            )
        if self._locations and code not in self._locations:
            return unknown_code("pickup location", code, self.merchant, field)
        return None

    def default_dropoff(self, pickup: Address | None) -> Address | None:
        """The default dropoff for the pickup's country (a pickup location's own country when
        the customer chose a location)."""
        if pickup is None:
            return None
        chosen = self._locations.get(pickup.partner_location_id or "")
        country = (chosen.address.country if chosen else pickup.country) or ""
        location = self.settings.default_dropoff_locations.get(country.upper())
        return Address(partner_location_id=location) if location else None

    def _has(self, kind: ReferenceKind) -> bool:
        return any(entry_kind == kind for entry_kind, _ in self._entries)


def choose_delivery_option(
    options: Sequence[DeliveryOption], merchant: str, option_id: str, *, field: str
) -> DeliveryOption:
    """The merchant's delivery option (carrier) by id. Like every code, enforced once the
    merchant has configured options; before that the id is recorded as given, on the
    manual carrier."""
    check_code_format(option_id, field=field)
    if not options:
        return DeliveryOption(merchant=merchant, id=option_id, name=option_id)
    chosen = next((option for option in options if option.id == option_id), None)
    if chosen is None:
        raise unknown_code("delivery option", option_id, merchant, field)
    return chosen

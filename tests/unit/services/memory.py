"""An in-memory unit of work (STYLE.md §9): the use cases run against it as they run against
the database, so a service-layer test needs no database and reads as the use case does.

A transaction works on a copy of what is stored and replaces the store with it on
`commit()`, so a use case that fails before committing leaves nothing behind, as on the
database. Saving checks the version against what is committed, as the SQL repository's
`UPDATE … WHERE version` does, so a change that lost a race gets VERSION_CONFLICT. Events
leave only at commit, into `MemoryStore.events`.

Left out, so a test that needs them fails plainly instead of passing on a guess: webhook
endpoints (their use cases route deliveries, which only the database does) and
`live_requests_using` (which columns hold a code is the SQL repository's knowledge). Their
tests run on the database (tests/integration, tests/e2e).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType

from domain.configured_rules import ConfiguredRules
from domain.errors import DomainError, ErrorCode, NotFound, VersionConflict
from domain.events import DomainEvent
from domain.fees import FeeRule
from domain.notifications import Notification
from domain.orders import Order
from domain.ports import Clock, SystemClock
from domain.reference import (
    DeliveryOption,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from domain.returns import ReturnRequest


@dataclass
class MemoryStore:
    """What the "database" holds between transactions."""

    returns: dict[str, ReturnRequest] = field(default_factory=dict)
    orders: dict[tuple[str, str], Order] = field(default_factory=dict)
    entries: dict[tuple[ReferenceKind, str, str], ReferenceEntry] = field(default_factory=dict)
    settings: dict[str, ReturnSettings] = field(default_factory=dict)
    locations: dict[tuple[str, str], PickupLocation] = field(default_factory=dict)
    options: dict[tuple[str, str], DeliveryOption] = field(default_factory=dict)
    notifications: dict[str, Notification] = field(default_factory=dict)
    fee_rules: list[FeeRule] = field(default_factory=list)
    events: list[tuple[str, DomainEvent]] = field(default_factory=list)  # (merchant, event)
    commits: int = 0


class MemoryFeeRules:
    def __init__(self, working: MemoryStore) -> None:
        self._working = working

    async def rules(self, merchant: str) -> list[FeeRule]:
        return [rule for rule in self._working.fee_rules if rule.merchant == merchant]

    async def add(self, rule: FeeRule, *, at: datetime) -> None:
        self._working.fee_rules.append(rule)

    async def remove(self, merchant: str, rule_id: str) -> bool:
        kept = [r for r in self._working.fee_rules if (r.merchant, r.id) != (merchant, rule_id)]
        removed = len(kept) < len(self._working.fee_rules)
        self._working.fee_rules = kept
        return removed


class MemoryReturns:
    def __init__(self, working: MemoryStore, committed: MemoryStore, on_load: Hook) -> None:
        self._working = working
        self._committed = committed
        self._on_load = on_load
        self.seen: list[ReturnRequest] = []

    async def get(self, return_request_id: str) -> ReturnRequest:
        request = self._working.returns.get(return_request_id)
        if request is None:
            raise NotFound(f"return request {return_request_id} not found", field="returnRequestId")
        await self._on_load()
        return request

    async def add(self, request: ReturnRequest) -> None:
        request.version = 1
        self._working.returns[request.id] = request
        self.seen.append(request)

    async def save(self, request: ReturnRequest) -> None:
        stored = self._committed.returns.get(request.id)
        if stored is None or stored.version != request.version:
            raise VersionConflict(
                f"return request {request.id} was changed by someone else; reload it and try again",
                field="expectedVersion",
            )
        request.version += 1
        self._working.returns[request.id] = request
        self.seen.append(request)

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        held: dict[str, int] = {}
        for request in self._on_order(merchant, order_reference):
            if request.status.is_live and request.id != exclude:
                for item in request.items:
                    units = item.quantity - item.rejected_quantity
                    held[item.sku] = held.get(item.sku, 0) + units
        return held

    async def for_order(self, merchant: str, order_reference: str) -> list[ReturnRequest]:
        found = self._on_order(merchant, order_reference)
        return sorted(found, key=lambda request: (request.created_at, request.id))

    def _on_order(self, merchant: str, reference: str) -> list[ReturnRequest]:
        return [
            request
            for request in self._working.returns.values()
            if request.merchant == merchant and request.order_reference == reference
        ]


class MemoryOrders:
    def __init__(self, working: MemoryStore, clock: Clock) -> None:
        self._working = working
        self._clock = clock

    async def get(self, merchant: str, reference: str) -> Order | None:
        return self._working.orders.get((merchant, reference))

    async def upsert(self, order: Order) -> Order:
        now = self._clock.now()
        existing = self._working.orders.get((order.merchant, order.reference))
        order.created_at = existing.created_at if existing is not None else now
        order.updated_at = now
        self._working.orders[(order.merchant, order.reference)] = order
        return order

    async def merchants_with(self, reference: str) -> list[str]:
        return sorted(merchant for merchant, ref in self._working.orders if ref == reference)


class MemoryConfiguration:
    """The merchant configuration, keyed as the tables are; a new key that exists already
    is ALREADY_EXISTS, as the tables' unique keys make it."""

    def __init__(self, working: MemoryStore) -> None:
        self._working = working

    async def entries(
        self, merchant: str | None, kind: ReferenceKind | None = None
    ) -> list[ReferenceEntry]:
        return [
            entry
            for entry in self._working.entries.values()
            if (merchant is None or entry.merchant == merchant) and kind in (None, entry.kind)
        ]

    async def entry(self, kind: ReferenceKind, merchant: str, code: str) -> ReferenceEntry | None:
        return self._working.entries.get((kind, merchant, code))

    async def save_entry(self, entry: ReferenceEntry, *, new: bool) -> None:
        _put(self._working.entries, (entry.kind, entry.merchant, entry.code), entry, new=new)

    async def remove_entry(self, kind: ReferenceKind, merchant: str, code: str) -> None:
        self._working.entries.pop((kind, merchant, code), None)

    async def settings(self, merchant: str) -> ReturnSettings | None:
        return self._working.settings.get(merchant)

    async def save_settings(self, settings: ReturnSettings) -> None:
        self._working.settings[settings.merchant] = settings

    async def remove_settings(self, merchant: str) -> None:
        self._working.settings.pop(merchant, None)

    async def locations(self, merchant: str) -> list[PickupLocation]:
        return [loc for (owner, _), loc in self._working.locations.items() if owner == merchant]

    async def save_location(self, location: PickupLocation, *, new: bool) -> None:
        _put(self._working.locations, (location.merchant, location.code), location, new=new)

    async def remove_location(self, merchant: str, code: str) -> None:
        self._working.locations.pop((merchant, code), None)

    async def delivery_options(self, merchant: str) -> list[DeliveryOption]:
        return [opt for (owner, _), opt in self._working.options.items() if owner == merchant]

    async def save_delivery_option(self, option: DeliveryOption, *, new: bool) -> None:
        _put(self._working.options, (option.merchant, option.id), option, new=new)

    async def remove_delivery_option(self, merchant: str, option_id: str) -> None:
        self._working.options.pop((merchant, option_id), None)


class MemoryNotifications:
    def __init__(self, working: MemoryStore) -> None:
        self._working = working

    async def add(self, notification: Notification) -> None:
        self._working.notifications[notification.id] = notification

    async def get(self, notification_id: str) -> Notification:
        found = self._working.notifications.get(notification_id)
        if found is None:
            raise NotFound(f"notification {notification_id} not found", field="notificationId")
        return found

    async def save(self, notification: Notification) -> None:
        self._working.notifications[notification.id] = notification


Hook = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


class MemoryUnitOfWork:
    """`on_load` runs after each return request is loaded, before the use case changes
    it: a test passes a function that commits a competing change there to make the use
    case lose a race."""

    returns: MemoryReturns
    orders: MemoryOrders
    configuration: MemoryConfiguration
    notifications: MemoryNotifications

    def __init__(
        self,
        store: MemoryStore | None = None,
        *,
        clock: Clock | None = None,
        on_load: Hook = _nothing,
    ) -> None:
        self.store = store if store is not None else MemoryStore()
        self._clock = clock or SystemClock()
        self._on_load = on_load
        self._working: MemoryStore | None = None

    async def __aenter__(self) -> MemoryUnitOfWork:
        self._working = copy.deepcopy(self.store)
        self.returns = MemoryReturns(self._working, self.store, self._on_load)
        self.orders = MemoryOrders(self._working, self._clock)
        self.configuration = MemoryConfiguration(self._working)
        self.notifications = MemoryNotifications(self._working)
        self.fee_rules = MemoryFeeRules(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._working = None  # not committed: dropped, as a rollback drops it

    async def commit(self) -> None:
        working = self._require()
        for request in self.returns.seen:
            working.events.extend((request.merchant, event) for event in request.pull_events())
        working.commits = self.store.commits + 1
        self.store.__dict__.update(copy.deepcopy(working).__dict__)

    async def rules_for(self, merchant: str) -> ConfiguredRules:
        return ConfiguredRules(
            merchant,
            await self.configuration.settings(merchant),
            await self.configuration.entries(merchant),
            await self.configuration.locations(merchant),
            fee_rules=await self.fee_rules.rules(merchant),
        )

    def _require(self) -> MemoryStore:
        if self._working is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._working


def _put(table: dict, key: tuple, value: object, *, new: bool) -> None:
    if new and key in table:
        raise DomainError(
            f"{' '.join(str(part) for part in key)} already exists",
            field="code",
            code=ErrorCode.ALREADY_EXISTS,
        )
    table[key] = value

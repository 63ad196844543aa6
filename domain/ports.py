"""The ports the use cases are written against; persistence/ provides the implementations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol

from domain.eligibility import MerchantRules
from domain.fees import FeeRule
from domain.notifications import DeliveryOutcome, Notification
from domain.orders import Order
from domain.reference import (
    DeliveryOption,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from domain.returns import ReturnRequest
from domain.store_credit import LedgerEntry, StoreCreditAccount, StoreCreditSettings
from domain.variants import Catalogue, ExchangeSettings, Variant
from domain.webhooks import WebhookEndpoint


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ReturnRepository(Protocol):
    async def get(self, return_request_id: str) -> ReturnRequest:
        """The whole aggregate; raises NotFound for a missing (or foreign) id."""
        ...

    async def add(self, request: ReturnRequest) -> None: ...

    async def save(self, request: ReturnRequest) -> None:
        """Write the aggregate if nobody else changed it since it was read (VERSION_CONFLICT)."""
        ...

    async def live_quantities(
        self, merchant: str, order_reference: str, *, exclude: str | None = None
    ) -> dict[str, int]:
        """Units per sku held by live requests on the order, optionally leaving one out."""
        ...

    async def for_order(self, merchant: str, order_reference: str) -> list[ReturnRequest]:
        """Every request made against the order, whole, oldest first (not locked)."""
        ...


class OrderRepository(Protocol):
    async def get(self, merchant: str, reference: str) -> Order | None: ...

    async def upsert(self, order: Order) -> Order: ...

    async def merchants_with(self, reference: str) -> list[str]:
        """The merchants of the tenant that have an order with this reference (clients such
        as OTO name an order by its reference alone)."""
        ...


class NotificationLog(Protocol):
    """The tenant's log of customer notifications."""

    async def add(self, notification: Notification) -> None: ...

    async def get(self, notification_id: str) -> Notification:
        """Raises NotFound for a missing (or foreign) id."""
        ...

    async def save(self, notification: Notification) -> None: ...


class NotificationSender(Protocol):
    """Hands a message to whatever delivers it; reports the outcome, never raises for a
    delivery failure (the log records it)."""

    async def send(self, notification: Notification) -> DeliveryOutcome: ...


class ConfigurationRepository(Protocol):
    """A tenant's merchant configuration: reference codes, settings, locations, options."""

    async def entries(
        self, merchant: str | None, kind: ReferenceKind | None = None
    ) -> list[ReferenceEntry]: ...

    async def entry(
        self, kind: ReferenceKind, merchant: str, code: str
    ) -> ReferenceEntry | None: ...

    async def save_entry(self, entry: ReferenceEntry, *, new: bool) -> None: ...

    async def remove_entry(self, kind: ReferenceKind, merchant: str, code: str) -> None: ...

    async def settings(self, merchant: str) -> ReturnSettings | None: ...

    async def save_settings(self, settings: ReturnSettings) -> None: ...

    async def remove_settings(self, merchant: str) -> None: ...

    async def locations(self, merchant: str) -> list[PickupLocation]: ...

    async def save_location(self, location: PickupLocation, *, new: bool) -> None: ...

    async def remove_location(self, merchant: str, code: str) -> None: ...

    async def delivery_options(self, merchant: str) -> list[DeliveryOption]: ...

    async def save_delivery_option(self, option: DeliveryOption, *, new: bool) -> None: ...

    async def remove_delivery_option(self, merchant: str, option_id: str) -> None: ...

    async def live_requests_using(
        self, kind: ReferenceKind | None, merchant: str, code: str
    ) -> int:
        """Live return requests that use a code (kind None: a pickup location code)."""
        ...


class WebhookEndpointRepository(Protocol):
    """A tenant's webhook endpoints, and re-sends of their deliveries."""

    async def count(self) -> int:
        """The tenant's endpoints; no other transaction adds one until this one ends, so a
        limit checked on the count holds."""
        ...

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        """Held until the transaction ends; raises NotFound for a missing (or foreign) id."""
        ...

    async def add(self, endpoint: WebhookEndpoint) -> None: ...

    async def save(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        """Write it if its version is still the stored one (VERSION_CONFLICT otherwise);
        returns it at its new version."""
        ...

    async def remove(self, endpoint_id: str) -> bool:
        """Delete it and its deliveries; False when there was none."""
        ...

    async def resend(self, delivery_id: str, now: datetime) -> str | None:
        """A new pending delivery of the same event to the same endpoint; None when the
        delivery is missing or its endpoint gone or paused."""
        ...


class FeeRuleRepository(Protocol):
    """A merchant's fee rules (configuration; not part of any aggregate)."""

    async def rules(self, merchant: str) -> list[FeeRule]: ...

    async def add(self, rule: FeeRule, *, at: datetime) -> None: ...

    async def remove(self, merchant: str, rule_id: str) -> bool:
        """False when the merchant has no such rule."""
        ...


class StoreCreditRepository(Protocol):
    """A tenant's store-credit accounts. Every account it hands out is held (row-locked)
    until the transaction ends, so changes to one account queue and a balance is never
    spent twice."""

    async def get(self, account_id: str) -> StoreCreditAccount:
        """Raises NotFound for a missing (or foreign) id."""
        ...

    async def find(
        self, merchant: str, customer_key: str, currency: str
    ) -> StoreCreditAccount | None: ...

    async def open(self, merchant: str, customer_key: str, currency: str) -> StoreCreditAccount:
        """The customer's account, created if there is none (two creators get one account)."""
        ...

    async def save(self, account: StoreCreditAccount) -> None:
        """Write its new entries, its changed lots and its balance."""
        ...

    async def entry(self, account: StoreCreditAccount, entry_id: str) -> LedgerEntry | None:
        """One entry of the account (and, for a debit, the lots it used, into the account)."""
        ...

    async def debit_by_key(
        self, account: StoreCreditAccount, idempotency_key: str
    ) -> LedgerEntry | None: ...

    async def refund_lots(
        self, merchant: str, refund_id: str
    ) -> tuple[StoreCreditAccount, list[LedgerEntry]] | None:
        """The account a refund credited and the lots (credit, bonus) it issued, or None."""
        ...

    async def expiring(self, at: datetime, limit: int) -> list[str]:
        """Ids of accounts holding credit whose expiry has passed (not locked)."""
        ...

    async def settings(self, merchant: str) -> StoreCreditSettings | None: ...

    async def save_settings(self, settings: StoreCreditSettings) -> None: ...


class ExchangeRepository(Protocol):
    """A merchant's exchange catalogue: variants and settings (configuration)."""

    async def settings(self, merchant: str) -> ExchangeSettings:
        """The merchant's settings, or the defaults."""
        ...

    async def save_settings(self, settings: ExchangeSettings) -> None: ...

    async def catalogue(self, merchant: str, skus: Iterable[str]) -> Catalogue:
        """The settings and the variants of these skus (those the merchant has)."""
        ...

    async def upsert_variants(self, variants: Sequence[Variant]) -> tuple[int, list[Variant]]:
        """How many were new, and the variants as stored."""
        ...

    async def delete_variant(self, merchant: str, sku: str) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction. Re-enterable: each `async with` begins a new one; leaving without
    `commit()` rolls back. Events of saved aggregates are stored with the change."""

    returns: ReturnRepository
    orders: OrderRepository
    configuration: ConfigurationRepository
    notifications: NotificationLog
    webhooks: WebhookEndpointRepository
    fee_rules: FeeRuleRepository
    store_credit: StoreCreditRepository
    exchanges: ExchangeRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rules_for(self, merchant: str) -> MerchantRules:
        """The merchant's eligibility rules (the seam for merchant configuration)."""
        ...

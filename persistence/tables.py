"""SQLModel rows. Every row carries `tenant_id`; every lookup filters on it.

Rows never leave persistence/: mappers.py turns them into domain objects and back.
Small value objects (addresses, shipment item lists, history snapshots) are JSON columns.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from persistence.types import ExactDecimal, UTCDateTime

DEFAULT_TENANT = "default"


def _time(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _money() -> Any:
    return Field(sa_type=ExactDecimal, nullable=False)


def _json(empty: type | None = None) -> Any:
    """A JSON column; `empty` (list or dict) makes it required with that empty default."""
    if empty is None:
        return Field(default=None, sa_type=JSON, nullable=True)
    return Field(default_factory=empty, sa_type=JSON, nullable=False)


def _parent(table: str) -> Any:
    return Field(
        sa_column=Column(ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)
    )


class OrderRow(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "merchant", "reference"),
        Index("ix_orders_merchant_created", "tenant_id", "merchant", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    reference: str = Field(max_length=100)
    currency: str = Field(max_length=3)
    customer_name: str | None = Field(default=None, max_length=200)
    customer_email: str | None = Field(default=None, max_length=320)
    customer_phone: str | None = Field(default=None, max_length=40)
    delivery_address: dict[str, Any] | None = _json()
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)


class OrderLineRow(SQLModel, table=True):
    __tablename__ = "order_lines"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    order_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int
    sku: str = Field(max_length=100)
    description: str = Field(default="", max_length=5000)
    quantity: int
    unit_price: Decimal = _money()
    delivered_quantity: int = 0
    delivered_at: datetime | None = _time()


class ReturnRequestRow(SQLModel, table=True):
    __tablename__ = "return_requests"
    __table_args__ = (
        Index("ix_return_requests_page", "tenant_id", "created_at", "id"),
        Index("ix_return_requests_order", "tenant_id", "merchant", "order_reference"),
        Index("ix_return_requests_status", "tenant_id", "status"),
        Index("ix_return_requests_updated", "tenant_id", "updated_at", "id"),
        Index("ix_return_requests_value", "tenant_id", "value_thousandths", "id"),
        Index("ix_return_requests_merchant_created", "tenant_id", "merchant", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    order_reference: str = Field(max_length=100)
    status: str = Field(max_length=32)
    channel: str | None = Field(default=None, max_length=100)
    pickup: dict[str, Any] | None = _json()
    dropoff: dict[str, Any] | None = _json()
    customer_comment: str | None = Field(default=None, max_length=5000)
    resolution: str | None = Field(default=None, max_length=100)
    refund_method: str | None = Field(default=None, max_length=100)
    assigned_to_user: str | None = Field(default=None, max_length=320)
    collection_start: datetime | None = _time()
    collection_end: datetime | None = _time()
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)
    on_hold_at: datetime | None = _time()
    approved_at: datetime | None = _time()
    rejected_at: datetime | None = _time()
    cancelled_at: datetime | None = _time()
    received_at: datetime | None = _time()
    completed_at: datetime | None = _time()
    first_scanned_at: datetime | None = _time()
    rejection_reason: str | None = Field(default=None, max_length=200)
    auto_closed: bool = False
    auto_closed_at: datetime | None = _time()
    creation_source: str = Field(max_length=32)
    creation_user: str | None = Field(default=None, max_length=320)
    update_source: str = Field(max_length=32)
    update_user: str | None = Field(default=None, max_length=320)
    split_from: str | None = Field(default=None, max_length=32)
    fees: list[dict[str, Any]] | None = _json()  # the request's Fees (mappers.fees_to_json)
    version: int = 1
    # The requested units' value in thousandths of the currency (exact: amounts have at most
    # three decimals), so the desk can sort by value on either database.
    value_thousandths: int = Field(default=0, sa_type=BigInteger, nullable=False)
    currency: str | None = Field(default=None, max_length=3)


class ReturnItemRow(SQLModel, table=True):
    __tablename__ = "return_items"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int
    sku: str = Field(max_length=100)
    description: str = Field(default="", max_length=5000)
    unit_price: Decimal = _money()
    currency: str = Field(max_length=3)
    quantity: int
    approved_quantity: int = 0
    rejected_quantity: int = 0
    returned_quantity: int = 0
    received_quantity: int = 0
    reason_code: str | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, max_length=5000)
    comment_codes: list[str] = _json(list)
    image_urls: list[str] = _json(list)
    item_condition: str | None = Field(default=None, max_length=100)
    resolution: str | None = Field(default=None, max_length=100)
    refund_type: str | None = Field(default=None, max_length=100)
    rejection_reason: str | None = Field(default=None, max_length=200)


class ReturnSearchRow(SQLModel, table=True):
    """What a search finds a request by (id, order reference, customer, skus), lower-cased
    in one text, kept in step by the repository's writes. Indexed outside this declaration
    (persistence/search_index.py): a trigram GIN index on PostgreSQL, an FTS5 trigram table
    on SQLite."""

    __tablename__ = "return_search"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = Field(
        sa_column=Column(
            ForeignKey("return_requests.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    document: str = Field(sa_type=Text, nullable=False)
    # The request's (it never changes): a search's total and its newest or oldest page are
    # found here without reading every matching request (persistence/read_model.py).
    created_at: datetime | None = _time()
    # Its status, kept by a trigger on return_requests (migration 0019): the status tabs of
    # a search count here.
    status: str | None = Field(default=None, max_length=32)


class InsightDayRow(SQLModel, table=True):
    """The insights page's figures per merchant and UTC day, kept by the writes of requests
    and orders in their own transaction (persistence/insight_rollups.py): a read model, not
    a cache, rebuilt from the source rows by `insight_rollups.rebuild`. `chart` names what
    a row counts and what its keys `k1`/`k2` and its two sums `n`/`amount` are; each count
    is kept for its day and for its month."""

    __tablename__ = "insight_days"

    tenant_id: str = Field(primary_key=True, max_length=64)
    merchant: str = Field(primary_key=True, max_length=100)
    chart: str = Field(primary_key=True, max_length=16)
    span: str = Field(primary_key=True, max_length=5)  # "day", or "month" from `day`
    day: date = Field(primary_key=True)
    k1: str = Field(primary_key=True, max_length=100)
    k2: str = Field(primary_key=True, max_length=100)
    n: int = Field(sa_type=BigInteger, nullable=False)
    amount: int = Field(sa_type=BigInteger, nullable=False)


class ReturnNoteRow(SQLModel, table=True):
    __tablename__ = "return_notes"

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int = 0
    text: str = Field(max_length=5000)
    user: str | None = Field(default=None, max_length=320)
    created_at: datetime = _time(nullable=False)


class RefundRow(SQLModel, table=True):
    __tablename__ = "return_refunds"
    __table_args__ = (Index("ix_return_refunds_created", "tenant_id", "created_at"),)

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int = 0
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    reference: str | None = Field(default=None, max_length=5000)
    refund_type: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=5000)
    refund_date: datetime | None = _time()
    created_at: datetime = _time(nullable=False)
    outcome: str = Field(default="MONEY", max_length=16)


class ReverseShipmentRow(SQLModel, table=True):
    __tablename__ = "reverse_shipments"

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int = 0
    carrier: str = Field(max_length=100)
    status: str = Field(max_length=32)
    items: list[list[Any]] = _json(list)
    pickup: dict[str, Any] | None = _json()
    dropoff: dict[str, Any] | None = _json()
    tracking_number: str | None = Field(default=None, max_length=5000)
    label_url: str | None = Field(default=None, max_length=5000)
    created_at: datetime = _time(nullable=False)
    updated_at: datetime | None = _time()
    delivery_option_id: str | None = Field(default=None, max_length=100)


class ItemsUpdateRow(SQLModel, table=True):
    __tablename__ = "return_items_updates"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int
    updated_at: datetime = _time(nullable=False)
    previous: list[list[Any]] = _json(list)
    current: list[list[Any]] = _json(list)
    user: str | None = Field(default=None, max_length=320)
    source: str | None = Field(default=None, max_length=32)


class ExchangeLineRow(SQLModel, table=True):
    """A request's exchange lines (domain/exchange_lines.py), in their order."""

    __tablename__ = "return_exchange_lines"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int
    line_id: str = Field(max_length=32)
    sku: str = Field(max_length=100)
    title: str = Field(default="", max_length=500)
    quantity: int
    replaces_sku: str = Field(max_length=100)
    unit_price: Decimal = _money()
    currency: str = Field(max_length=3)
    status: str = Field(max_length=32)
    released_at: datetime | None = _time()
    fulfilment: dict[str, Any] | None = _json()
    converted_to: str | None = Field(default=None, max_length=16)


class ExchangePaymentRow(SQLModel, table=True):
    """What the customer paid towards a request's exchange difference."""

    __tablename__ = "return_exchange_payments"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    return_request_id: str = _parent("return_requests")
    position: int
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    reference: str | None = Field(default=None, max_length=5000)
    recorded_at: datetime = _time(nullable=False)


class OutboxEventRow(SQLModel, table=True):
    """The event log: written in the same transaction as the change it describes.

    `position` identifies the row (webhook deliveries point at it) in insert order.
    `sequence` is the place in the tenant's log that readers follow: NULL until the
    sequencer numbers the event after its commit (persistence/outbox.py), then only growing
    in the order events became visible, so a reader resuming after N misses none.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_tenant_position", "tenant_id", "position"),
        Index("ix_outbox_events_tenant_sequence", "tenant_id", "sequence", unique=True),
        # The few events committed but not numbered yet, for the sequencer's sweep.
        Index(
            "ix_outbox_events_unsequenced",
            "tenant_id",
            postgresql_where=text("sequence IS NULL"),
            sqlite_where=text("sequence IS NULL"),
        ),
        Index("ix_outbox_events_request", "tenant_id", "return_request_id"),
    )

    position: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    event_id: str = Field(max_length=36, unique=True)
    tenant_id: str = Field(max_length=64)
    event_type: str = Field(max_length=64)
    return_request_id: str = Field(max_length=32)
    merchant: str = Field(max_length=100)
    previous_status: str | None = Field(default=None, max_length=32)
    new_status: str | None = Field(default=None, max_length=32)
    actor_source: str = Field(max_length=32)
    actor_user: str | None = Field(default=None, max_length=320)
    occurred_at: datetime = _time(nullable=False)
    payload: dict[str, Any] = _json(dict)
    # The X-Request-Id of the HTTP request that committed the event, if one did: webhook
    # deliveries carry it on, so a merchant's report can be traced to our log lines.
    request_id: str | None = Field(default=None, max_length=128)
    sequence: int | None = Field(default=None, sa_type=BigInteger)


class WebhookEndpointRow(SQLModel, table=True):
    """Where a merchant wants events POSTed. The secret signs every delivery, so it is kept
    as given (it cannot be hashed like an API key: we need it to compute signatures)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("tenant_id", "endpoint_id"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    endpoint_id: str = Field(max_length=32)
    merchant: str | None = Field(default=None, max_length=100)
    url: str = Field(max_length=2000)
    event_types: list[str] = _json(list)
    secret: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)
    version: int = 1


class WebhookDeliveryRow(SQLModel, table=True):
    """One event for one endpoint: created in the transaction of the change, then sent, retried
    with backoff and recorded until it succeeds or runs out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "tenant_id", "endpoint_id", "id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    delivery_id: str = Field(max_length=36, unique=True)
    tenant_id: str = Field(max_length=64)
    endpoint_id: str = Field(max_length=32)
    event_position: int = Field(sa_type=BigInteger)
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = _time()
    last_attempt_at: datetime | None = _time()
    response_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _time(nullable=False)
    delivered_at: datetime | None = _time()


# --------------------------------------------------------------------------- merchant configuration


class ReferenceEntryRow(SQLModel, table=True):
    """Every kind of merchant code (reasons, rejection reasons, resolutions, refund types, item
    conditions, comments) in one table: they share their shape and their lookups."""

    __tablename__ = "reference_entries"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant", "kind", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    kind: str = Field(max_length=32)
    code: str = Field(max_length=100)
    name: str = Field(max_length=200)
    translations: dict[str, str] = _json(dict)
    allowed_return_reasons: list[str] = _json(list)
    require_comments: bool = False
    require_images: bool = False
    require_item_condition: bool = False
    reverse_shipment_create_enabled: bool = True
    auto_approve: bool = False
    store_credit: bool = False
    is_exchange: bool = False
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)


class ReturnSettingsRow(SQLModel, table=True):
    __tablename__ = "return_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    allowed_days_for_return: int | None = None
    default_dropoff_locations: dict[str, str] = _json(dict)
    allow_undelivered_items: bool = False
    allow_pickup_location_selection: bool = False
    notification_users: list[dict[str, Any]] = _json(list)
    order_lookup_methods: list[str] = _json(list)
    auto_close_days: int | None = None
    shopify_integration_enabled: str | None = Field(default=None, max_length=100)
    shopify_connector_id: str | None = Field(default=None, max_length=100)
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)


class VariantRow(SQLModel, table=True):
    """A variant a merchant's customers may exchange into (domain/variants.py)."""

    __tablename__ = "exchange_variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "merchant", "sku"),
        Index("ix_exchange_variants_group", "tenant_id", "merchant", "group_key", "sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    sku: str = Field(max_length=100)
    group_key: str = Field(max_length=100)
    title: str = Field(max_length=500)
    options: list[list[str]] = _json(list)
    price: Decimal = _money()
    currency: str = Field(max_length=3)
    available: bool = True
    backorderable: bool = False
    image_url: str | None = Field(default=None, max_length=5000)
    updated_at: datetime = _time(nullable=False)


class ExchangeSettingsRow(SQLModel, table=True):
    __tablename__ = "exchange_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    release_on: str = Field(max_length=16)
    allow_any_product: bool = False
    out_of_stock_fallback: str = Field(max_length=16)
    updated_at: datetime = _time(nullable=False)


class PickupLocationRow(SQLModel, table=True):
    __tablename__ = "pickup_locations"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    code: str = Field(max_length=100)
    name: str = Field(max_length=200)
    address: dict[str, Any] = _json(dict)


class DeliveryOptionRow(SQLModel, table=True):
    __tablename__ = "delivery_options"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant", "option_id"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    option_id: str = Field(max_length=100)
    name: str = Field(max_length=200)
    carrier: str | None = Field(default=None, max_length=100)


class IdempotencyKeyRow(SQLModel, table=True):
    """A client's Idempotency-Key: what it was used for and the answer it got."""

    __tablename__ = "idempotency_keys"

    tenant_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    response: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _time(nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    # The lease of the request doing the key's work: a retry takes over an expired one.
    lease_token: str | None = Field(default=None, max_length=32)
    lease_expires_at: datetime | None = _time()
    # Set by the work's own transaction: the work committed, even if no answer was stored.
    committed_at: datetime | None = _time()


class NotificationRow(SQLModel, table=True):
    """The customer notifications log (OTO's "SMS Logs"): each message and its outcome."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_page", "tenant_id", "created_at", "id"),
        Index("ix_notifications_request", "tenant_id", "return_request_id"),
        Index("ix_notifications_stalled", "status", "updated_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    merchant: str = Field(max_length=100)
    order_reference: str = Field(max_length=100)
    return_request_id: str = Field(max_length=32)
    recipient: str = Field(max_length=40)
    body: str = Field(max_length=1000)
    status: str = Field(max_length=16)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False)
    sent_at: datetime | None = _time()


# --------------------------------------------------------------------------- access


class TenantRow(SQLModel, table=True):
    __tablename__ = "tenants"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = _time(nullable=False)


class ApiClientRow(SQLModel, table=True):
    """An API client of a tenant; only hashes of its secret and API key are stored."""

    __tablename__ = "api_clients"

    client_id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(
        sa_column=Column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: str = Field(max_length=16)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=64)
    api_key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _time(nullable=False)
    revoked_at: datetime | None = _time()


class AccessTokenRow(SQLModel, table=True):
    __tablename__ = "access_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(
        sa_column=Column(
            ForeignKey("api_clients.client_id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class PortalSettingsRow(SQLModel, table=True):
    """A merchant's return-portal brand (domain/portal.py); one row per merchant."""

    __tablename__ = "portal_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "merchant"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    display_name: str | None = Field(default=None, max_length=200)
    logo_url: str | None = Field(default=None, max_length=2000)
    accent_colour: str = Field(max_length=7)
    support_email: str | None = Field(default=None, max_length=320)
    support_phone: str | None = Field(default=None, max_length=40)
    return_policy: str | None = Field(default=None, max_length=5000)
    updated_at: datetime = _time(nullable=False)


class FeeRuleRow(SQLModel, table=True):
    """A merchant's fee rule (domain/fees.py FeeRule); filters are JSON lists of codes."""

    __tablename__ = "fee_rules"
    __table_args__ = (Index("ix_fee_rules_merchant", "tenant_id", "merchant", "position"),)

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(max_length=64)
    merchant: str = Field(max_length=100)
    position: int = Field(sa_type=BigInteger)  # the order fees apply in: creation order
    kind: str = Field(max_length=32)
    basis: str = Field(max_length=32)
    value: Decimal = _money()
    currency: str | None = Field(default=None, max_length=3)
    resolutions: list[str] = _json(list)
    reasons: list[str] = _json(list)
    conditions: list[str] = _json(list)
    countries: list[str] = _json(list)
    waiving_reasons: list[str] = _json(list)
    created_at: datetime = _time(nullable=False)


# --------------------------------------------------------------------------- staff


class StaffUserRow(SQLModel, table=True):
    """A person of a tenant's team (domain/staff.py); only an argon2 hash of the password."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: str = Field(primary_key=True, max_length=32)
    tenant_id: str = Field(
        sa_column=Column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    )
    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    password_hash: str | None = Field(default=None, max_length=256)
    disabled: bool = Field(default=False)
    created_at: datetime = _time(nullable=False)


class StaffSessionRow(SQLModel, table=True):
    """A signed-in session: the SHA-256 of its cookie, never the cookie."""

    __tablename__ = "staff_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(max_length=64)
    user_id: str = Field(
        sa_column=Column(
            ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = _time(nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class StaffLinkRow(SQLModel, table=True):
    """A single-use invitation or password-reset link (the SHA-256 of its token)."""

    __tablename__ = "staff_links"

    token_hash: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(max_length=64)
    user_id: str = Field(
        sa_column=Column(
            ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    purpose: str = Field(max_length=16)
    expires_at: datetime = _time(nullable=False)
    used_at: datetime | None = _time()

"""Merchant configuration in SQL: reference codes, settings, pickup locations, delivery
options. Used by the unit of work (writes) and, on a read connection, by queries and rules."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from domain.errors import DomainError, ErrorCode
from domain.fees import FeeRule
from domain.reference import (
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from persistence.fee_rules import FEE_RULES, FEE_RULES_OF_MERCHANT
from persistence.mappers import address_from_json, address_to_json, fee_rule_from_row
from persistence.queries import LIVE_STATUSES
from persistence.statements import (
    AsyncpgStatements,
    Row,
    Statements,
    delete_where,
    insert_into,
    one_of,
    update_where,
    where,
)
from persistence.tables import (
    DeliveryOptionRow,
    PickupLocationRow,
    ReferenceEntryRow,
    RefundRow,
    ReturnItemRow,
    ReturnRequestRow,
    ReturnSettingsRow,
)

EntryKey = tuple[str, str, str]  # (kind, merchant, code)
ENTRIES: Table = ReferenceEntryRow.__table__  # type: ignore[attr-defined]
SETTINGS: Table = ReturnSettingsRow.__table__  # type: ignore[attr-defined]
LOCATIONS: Table = PickupLocationRow.__table__  # type: ignore[attr-defined]
OPTIONS: Table = DeliveryOptionRow.__table__  # type: ignore[attr-defined]
REQUESTS: Table = ReturnRequestRow.__table__  # type: ignore[attr-defined]
ITEMS: Table = ReturnItemRow.__table__  # type: ignore[attr-defined]
REFUNDS: Table = RefundRow.__table__  # type: ignore[attr-defined]


class SqlConfigurationRepository:
    """A tenant's merchant configuration. Every statement is built once (with bindparams)
    and run through `Statements`, inside a unit of work or on a read connection."""

    def __init__(self, statements: Statements, tenant_id: str) -> None:
        self._sql = statements
        self._tenant = tenant_id

    # ------------------------------------------------------------------ reference codes

    async def entries(
        self, merchant: str | None, kind: ReferenceKind | None = None
    ) -> list[ReferenceEntry]:
        """A merchant's codes; with merchant None, those of every merchant of the tenant."""
        statement = _entries(merchant is not None, kind is not None)
        values = {"tenant": self._tenant, "merchant": merchant, "kind": kind and kind.value}
        return [entry_from_row(row) for row in await self._sql.rows(statement, values)]

    async def entry(self, kind: ReferenceKind, merchant: str, code: str) -> ReferenceEntry | None:
        found = await self.entries_by_key([(kind.value, merchant, code)])
        return found.get((kind.value, merchant, code))

    async def entries_by_key(self, keys: Sequence[EntryKey]) -> dict[EntryKey, ReferenceEntry]:
        """One statement for any number of (kind, merchant, code) keys (DataLoader batch):
        the codes are read by code and matched by kind and merchant here, so one statement
        shape serves any set of keys."""
        if not keys:
            return {}
        wanted = set(keys)
        codes = sorted({code for _, _, code in keys})
        rows = await self._sql.rows(
            _entries_by_code(self._sql.dialect_name), {"tenant": self._tenant, "codes": codes}
        )
        found = {(row["kind"], row["merchant"], row["code"]): row for row in rows}
        return {key: entry_from_row(row) for key, row in found.items() if key in wanted}

    async def save_entry(self, entry: ReferenceEntry, *, new: bool) -> None:
        now = datetime.now(UTC)
        key = {"merchant": entry.merchant, "kind": entry.kind.value, "code": entry.code}
        created = {"created_at": now} if new else {}
        await self._save(
            ENTRIES, key, entry_values(entry) | {"updated_at": now}, new=new, on_insert=created
        )

    async def remove_entry(self, kind: ReferenceKind, merchant: str, code: str) -> None:
        await self._remove(ENTRIES, {"merchant": merchant, "kind": kind.value, "code": code})

    # ------------------------------------------------------------------ settings

    async def rule_sources(
        self, merchant: str
    ) -> tuple[ReturnSettings | None, list[ReferenceEntry], list[PickupLocation]]:
        """What a merchant's eligibility rules are made of (settings, codes, locations):
        one statement on PostgreSQL, each table as an array of its row type, as every
        write and `returnableItems` read them; three elsewhere."""
        if not isinstance(self._sql, AsyncpgStatements):
            return (
                await self.settings(merchant),
                await self.entries(merchant),
                await self.locations(merchant),
            )
        [row] = await self._sql.rows(_RULE_SOURCES, {"tenant": self._tenant, "merchant": merchant})
        return _sources(self._sql, row)

    async def rule_sources_and_fees(
        self, merchant: str
    ) -> tuple[ReturnSettings | None, list[ReferenceEntry], list[PickupLocation], list[FeeRule]]:
        """`rule_sources` and the merchant's fee rules, which every write that judges the
        rules reads too: one statement on PostgreSQL (a round trip less per write), four in
        one hop to the driver's thread on SQLite (`rows_each`)."""
        if not isinstance(self._sql, AsyncpgStatements):
            values = {"tenant": self._tenant, "merchant": merchant, "kind": None}
            settings, entries, locations, fees = await self._sql.rows_each(
                [
                    (_SETTINGS, values),
                    (_entries(True, False), values),
                    (_LOCATIONS, values),
                    (FEE_RULES_OF_MERCHANT, values),
                ]
            )
            return (
                settings_from_row(settings[0]) if settings else None,
                [entry_from_row(row) for row in entries],
                [_location(row) for row in locations],
                [fee_rule_from_row(row) for row in fees],
            )
        [row] = await self._sql.rows(
            _RULE_SOURCES_AND_FEES, {"tenant": self._tenant, "merchant": merchant}
        )
        reader = self._sql.row_reader(FEE_RULES)
        return (
            *_sources(self._sql, row),
            [fee_rule_from_row(reader(value)) for value in row["fee_rules"]],
        )

    async def settings(self, merchant: str) -> ReturnSettings | None:
        rows = await self._sql.rows(_SETTINGS, {"tenant": self._tenant, "merchant": merchant})
        return settings_from_row(rows[0]) if rows else None

    async def save_settings(self, settings: ReturnSettings) -> None:
        """One atomic upsert, so concurrent first saves for a merchant all apply."""
        now = datetime.now(UTC)
        values = settings_values(settings) | {"updated_at": now}
        statement = _upsert_settings(self._sql.dialect_name, tuple(values))
        await self._sql.execute(statement, values | {"tenant_id": self._tenant, "created_at": now})

    async def remove_settings(self, merchant: str) -> None:
        await self._remove(SETTINGS, {"merchant": merchant})

    # ------------------------------------------------------------------ locations, options

    async def locations(self, merchant: str) -> list[PickupLocation]:
        rows = await self._sql.rows(_LOCATIONS, {"tenant": self._tenant, "merchant": merchant})
        return [_location(row) for row in rows]

    async def save_location(self, location: PickupLocation, *, new: bool) -> None:
        await self._save(
            LOCATIONS,
            {"merchant": location.merchant, "code": location.code},
            {"name": location.name, "address": address_to_json(location.address)},
            new=new,
        )

    async def remove_location(self, merchant: str, code: str) -> None:
        await self._remove(LOCATIONS, {"merchant": merchant, "code": code})

    async def delivery_options(self, merchant: str) -> list[DeliveryOption]:
        rows = await self._sql.rows(_OPTIONS, {"tenant": self._tenant, "merchant": merchant})
        return [
            DeliveryOption(r["merchant"], r["option_id"], r["name"], r["carrier"]) for r in rows
        ]

    async def save_delivery_option(self, option: DeliveryOption, *, new: bool) -> None:
        await self._save(
            OPTIONS,
            {"merchant": option.merchant, "option_id": option.id},
            {"name": option.name, "carrier": option.carrier},
            new=new,
        )

    async def remove_delivery_option(self, merchant: str, option_id: str) -> None:
        await self._remove(OPTIONS, {"merchant": merchant, "option_id": option_id})

    # ------------------------------------------------------------------ shared writes

    async def _save(
        self,
        table: Table,
        key: dict[str, Any],
        values: dict[str, Any],
        *,
        new: bool,
        on_insert: dict[str, Any] | None = None,
    ) -> None:
        if not new:
            keys = ("tenant_id", *key)
            statement = update_where(table, keys, tuple(values))
            await self._sql.execute(statement, where(values, tenant_id=self._tenant, **key))
            return
        row = values | key | (on_insert or {}) | {"tenant_id": self._tenant}
        try:
            await self._sql.execute(insert_into(table, tuple(row)), row)
        except IntegrityError:
            # A concurrent writer created the same key first (PostgreSQL; SQLite's writers
            # queue). The transaction is spoilt either way: report the clash.
            raise DomainError(
                f"{' '.join(str(v) for v in key.values())} already exists",
                field="code",
                code=ErrorCode.ALREADY_EXISTS,
            ) from None

    async def _remove(self, table: Table, key: dict[str, Any]) -> None:
        statement = delete_where(table, ("tenant_id", *key))
        await self._sql.execute(statement, where({}, tenant_id=self._tenant, **key))

    # ------------------------------------------------------------------ usage

    async def live_requests_using(
        self, kind: ReferenceKind | None, merchant: str, code: str
    ) -> int:
        values = {
            "tenant": self._tenant,
            "merchant": merchant,
            "statuses": LIVE_STATUSES,
            "code": code,
        }
        if kind is None or kind == ReferenceKind.RETURN_COMMENT:
            return await self._count_in_json(kind, values)
        statement = _live_using(self._sql.dialect_name, kind)
        if statement is None:
            return 0  # a kind no field of a request names (yet): nothing can be using it
        total = await self._sql.scalar(statement, values)
        return int(total or 0)

    async def _count_in_json(self, kind: ReferenceKind | None, values: dict[str, Any]) -> int:
        """Codes inside JSON columns: read the live candidates and look in Python, the same
        way on SQLite and PostgreSQL."""
        code = values["code"]
        if kind is None:
            rows = await self._sql.rows(_live_places(self._sql.dialect_name), values)
            return sum(
                1
                for row in rows
                if code
                in (
                    (row["pickup"] or {}).get("partner_location_id"),
                    (row["dropoff"] or {}).get("partner_location_id"),
                )
            )
        rows = await self._sql.rows(_live_comment_codes(self._sql.dialect_name), values)
        return len(
            {row["return_request_id"] for row in rows if code in (row["comment_codes"] or [])}
        )


# --------------------------------------------------------------------------- statements


def _of_tenant_merchant(table: Table) -> list[Any]:
    return [table.c.tenant_id == bindparam("tenant"), table.c.merchant == bindparam("merchant")]


_SETTINGS = select(SETTINGS).where(*_of_tenant_merchant(SETTINGS))
_LOCATION_ORDER = (LOCATIONS.c.code,)
_ENTRY_ORDER = (ENTRIES.c.kind, ENTRIES.c.merchant, ENTRIES.c.code)
_LOCATIONS = select(LOCATIONS).where(*_of_tenant_merchant(LOCATIONS)).order_by(*_LOCATION_ORDER)


def _rows_array(table: Table, *order_by: Any) -> Any:
    """`ARRAY(SELECT t FROM t …)`: the merchant's rows of `table` as one value (PostgreSQL)."""
    rows = select(table.table_valued()).where(*_of_tenant_merchant(table)).order_by(*order_by)
    return func.array(rows.scalar_subquery())


# `rule_sources` on PostgreSQL: the rows of _SETTINGS, _entries(True, False) and _LOCATIONS,
# in their orders.
_RULE_SOURCES = select(
    _rows_array(SETTINGS).label("settings"),
    _rows_array(ENTRIES, *_ENTRY_ORDER).label("entries"),
    _rows_array(LOCATIONS, *_LOCATION_ORDER).label("locations"),
)
_RULE_SOURCES_AND_FEES = select(
    *_RULE_SOURCES.selected_columns,
    _rows_array(FEE_RULES, FEE_RULES.c.position).label("fee_rules"),
)
_OPTIONS = select(OPTIONS).where(*_of_tenant_merchant(OPTIONS)).order_by(OPTIONS.c.option_id)


def _sources(
    sql: AsyncpgStatements, row: Row
) -> tuple[ReturnSettings | None, list[ReferenceEntry], list[PickupLocation]]:
    """Settings, codes and locations from their arrays of row values (`_RULE_SOURCES`)."""
    settings = [sql.row_reader(SETTINGS)(value) for value in row["settings"]]
    entries = [sql.row_reader(ENTRIES)(value) for value in row["entries"]]
    locations = [sql.row_reader(LOCATIONS)(value) for value in row["locations"]]
    return (
        settings_from_row(settings[0]) if settings else None,
        [entry_from_row(entry) for entry in entries],
        [_location(location) for location in locations],
    )


@functools.cache
def _entries(by_merchant: bool, by_kind: bool) -> Select[Any]:
    c = ENTRIES.c
    conditions = [c.tenant_id == bindparam("tenant")]
    if by_merchant:
        conditions.append(c.merchant == bindparam("merchant"))
    if by_kind:
        conditions.append(c.kind == bindparam("kind"))
    return select(ENTRIES).where(*conditions).order_by(*_ENTRY_ORDER)


@functools.cache
def _entries_by_code(dialect_name: str) -> Select[Any]:
    return select(ENTRIES).where(
        ENTRIES.c.tenant_id == bindparam("tenant"), one_of(ENTRIES.c.code, "codes", dialect_name)
    )


@functools.cache
def _upsert_settings(dialect_name: str, columns: tuple[str, ...]) -> Any:
    upsert = postgresql_insert if dialect_name == "postgresql" else sqlite_insert
    inserted = ("tenant_id", "created_at", *columns)
    statement = upsert(SETTINGS).values(
        {name: bindparam(name, type_=SETTINGS.c[name].type) for name in inserted}
    )
    return statement.on_conflict_do_update(
        index_elements=["tenant_id", "merchant"],
        set_={name: statement.excluded[name] for name in columns},
    )


def _live(dialect_name: str) -> list[Any]:
    return [
        REQUESTS.c.tenant_id == bindparam("tenant"),
        REQUESTS.c.merchant == bindparam("merchant"),
        one_of(REQUESTS.c.status, "statuses", dialect_name),
    ]


@functools.cache
def _live_using(dialect_name: str, kind: ReferenceKind) -> Select[Any] | None:
    """Live requests of a merchant whose items (or the request itself) use a code; None for
    a kind that no column of a request or item names."""
    item, request, code = ITEMS.c, REQUESTS.c, bindparam("code")
    refunds_of_type = select(REFUNDS.c.return_request_id).where(
        REFUNDS.c.tenant_id == bindparam("tenant"), REFUNDS.c.refund_type == code
    )
    matches: dict[ReferenceKind, list[Any]] = {
        ReferenceKind.RETURN_REASON: [item.reason_code == code],
        ReferenceKind.ITEM_CONDITION: [item.item_condition == code],
        ReferenceKind.RESOLUTION: [item.resolution == code, request.resolution == code],
        ReferenceKind.REFUND_TYPE: [item.refund_type == code, request.id.in_(refunds_of_type)],
        ReferenceKind.REJECTION_REASON: [
            item.rejection_reason == code,
            request.rejection_reason == code,
        ],
    }
    if kind not in matches:
        return None
    return (
        select(func.count(func.distinct(request.id)))
        .select_from(REQUESTS)
        .join(ITEMS, item.return_request_id == request.id)
        .where(*_live(dialect_name), or_(*matches[kind]))
    )


@functools.cache
def _live_places(dialect_name: str) -> Select[Any]:
    c = REQUESTS.c
    return select(c.id, c.pickup, c.dropoff).where(*_live(dialect_name))


@functools.cache
def _live_comment_codes(dialect_name: str) -> Select[Any]:
    return (
        select(ITEMS.c.return_request_id, ITEMS.c.comment_codes)
        .join(REQUESTS, REQUESTS.c.id == ITEMS.c.return_request_id)
        .where(*_live(dialect_name))
    )


# --------------------------------------------------------------------------- mappers


def entry_values(entry: ReferenceEntry) -> dict[str, Any]:
    return {
        "merchant": entry.merchant,
        "kind": entry.kind.value,
        "code": entry.code,
        "name": entry.name,
        "translations": dict(entry.translations),
        "allowed_return_reasons": list(entry.allowed_return_reasons),
        "require_comments": entry.require_comments,
        "require_images": entry.require_images,
        "require_item_condition": entry.require_item_condition,
        "reverse_shipment_create_enabled": entry.reverse_shipment_create_enabled,
        "auto_approve": entry.auto_approve,
        "store_credit": entry.store_credit,
        "is_exchange": entry.is_exchange,
    }


def _location(row: Row) -> PickupLocation:
    return PickupLocation(
        row["merchant"], row["code"], row["name"], address_from_json(row["address"])
    )  # type: ignore[arg-type]


def entry_from_row(row: Row) -> ReferenceEntry:
    return ReferenceEntry(
        kind=ReferenceKind(row["kind"]),
        merchant=row["merchant"],
        code=row["code"],
        name=row["name"],
        translations=dict(row["translations"] or {}),
        allowed_return_reasons=tuple(row["allowed_return_reasons"] or ()),
        require_comments=row["require_comments"],
        require_images=row["require_images"],
        require_item_condition=row["require_item_condition"],
        reverse_shipment_create_enabled=row["reverse_shipment_create_enabled"],
        auto_approve=row["auto_approve"],
        store_credit=row["store_credit"],
        is_exchange=row["is_exchange"],
    )


def settings_values(settings: ReturnSettings) -> dict[str, Any]:
    return {
        "merchant": settings.merchant,
        "allowed_days_for_return": settings.allowed_days_for_return,
        "default_dropoff_locations": dict(settings.default_dropoff_locations),
        "allow_undelivered_items": settings.allow_undelivered_items,
        "allow_pickup_location_selection": settings.allow_pickup_location_selection,
        "notification_users": [
            {"email": u.email, "name": u.name} for u in settings.notification_users
        ],
        "order_lookup_methods": list(settings.order_lookup_methods),
        "auto_close_days": settings.auto_close_days,
        "shopify_integration_enabled": settings.shopify_integration_enabled,
        "shopify_connector_id": settings.shopify_connector_id,
    }


def settings_from_row(row: Row) -> ReturnSettings:
    return ReturnSettings(
        merchant=row["merchant"],
        allowed_days_for_return=row["allowed_days_for_return"],
        default_dropoff_locations=dict(row["default_dropoff_locations"] or {}),
        allow_undelivered_items=row["allow_undelivered_items"],
        allow_pickup_location_selection=row["allow_pickup_location_selection"],
        notification_users=tuple(
            NotificationUser(u["email"], u.get("name")) for u in row["notification_users"] or []
        ),
        order_lookup_methods=tuple(row["order_lookup_methods"] or ()),
        auto_close_days=row["auto_close_days"],
        shopify_integration_enabled=row["shopify_integration_enabled"],
        shopify_connector_id=row["shopify_connector_id"],
    )

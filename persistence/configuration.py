"""Merchant configuration in SQL: reference codes, settings, pickup locations, delivery
options. Used by the unit of work (writes) and, on a read session, by queries and rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.reference import (
    DeliveryOption,
    NotificationUser,
    PickupLocation,
    ReferenceEntry,
    ReferenceKind,
    ReturnSettings,
)
from persistence.mappers import address_from_json, address_to_json
from persistence.queries import LIVE_STATUSES
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


class SqlConfigurationRepository:
    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self._session = session
        self._tenant = tenant_id

    # ------------------------------------------------------------------ reference codes

    async def entries(
        self, merchant: str | None, kind: ReferenceKind | None = None
    ) -> list[ReferenceEntry]:
        """A merchant's codes; with merchant None, those of every merchant of the tenant."""
        row = ReferenceEntryRow
        query = select(row).where(row.tenant_id == self._tenant)
        if merchant is not None:
            query = query.where(row.merchant == merchant)
        if kind is not None:
            query = query.where(row.kind == kind.value)
        rows = await self._session.scalars(query.order_by(row.kind, row.merchant, row.code))
        return [entry_from_row(r) for r in rows]

    async def entry(self, kind: ReferenceKind, merchant: str, code: str) -> ReferenceEntry | None:
        found = await self.entries_by_key([(kind.value, merchant, code)])
        return found.get((kind.value, merchant, code))

    async def entries_by_key(self, keys: Sequence[EntryKey]) -> dict[EntryKey, ReferenceEntry]:
        """One statement for any number of (kind, merchant, code) keys (DataLoader batch)."""
        if not keys:
            return {}
        row = ReferenceEntryRow
        rows = await self._session.scalars(
            select(row).where(
                row.tenant_id == self._tenant,
                tuple_(row.kind, row.merchant, row.code).in_(list(keys)),
            )
        )
        return {(r.kind, r.merchant, r.code): entry_from_row(r) for r in rows}

    async def save_entry(self, entry: ReferenceEntry, *, new: bool) -> None:
        now = datetime.now(UTC)
        key = {"merchant": entry.merchant, "kind": entry.kind.value, "code": entry.code}
        created = {"created_at": now} if new else {}
        await self._save(
            ReferenceEntryRow,
            key,
            entry_values(entry) | {"updated_at": now},
            new=new,
            on_insert=created,
        )

    async def remove_entry(self, kind: ReferenceKind, merchant: str, code: str) -> None:
        await self._remove(
            ReferenceEntryRow, {"merchant": merchant, "kind": kind.value, "code": code}
        )

    # ------------------------------------------------------------------ settings

    async def settings(self, merchant: str) -> ReturnSettings | None:
        row = await self._session.scalar(
            select(ReturnSettingsRow).where(*self._match(ReturnSettingsRow, {"merchant": merchant}))
        )
        return settings_from_row(row) if row else None

    async def save_settings(self, settings: ReturnSettings) -> None:
        """One atomic upsert, so concurrent first saves for a merchant all apply."""
        now = datetime.now(UTC)
        values = settings_values(settings) | {"updated_at": now}
        dialect = self._session.bind.dialect.name
        upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = upsert(ReturnSettingsRow).values(
            values | {"tenant_id": self._tenant, "created_at": now}
        )
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["tenant_id", "merchant"], set_=values)
        )

    async def remove_settings(self, merchant: str) -> None:
        await self._remove(ReturnSettingsRow, {"merchant": merchant})

    # ------------------------------------------------------------------ locations, options

    async def locations(self, merchant: str) -> list[PickupLocation]:
        row = PickupLocationRow
        rows = await self._session.scalars(
            select(row).where(*self._match(row, {"merchant": merchant})).order_by(row.code)
        )
        return [
            PickupLocation(r.merchant, r.code, r.name, address_from_json(r.address))  # type: ignore[arg-type]
            for r in rows
        ]

    async def save_location(self, location: PickupLocation, *, new: bool) -> None:
        await self._save(
            PickupLocationRow,
            {"merchant": location.merchant, "code": location.code},
            {"name": location.name, "address": address_to_json(location.address)},
            new=new,
        )

    async def remove_location(self, merchant: str, code: str) -> None:
        await self._remove(PickupLocationRow, {"merchant": merchant, "code": code})

    async def delivery_options(self, merchant: str) -> list[DeliveryOption]:
        row = DeliveryOptionRow
        rows = await self._session.scalars(
            select(row).where(*self._match(row, {"merchant": merchant})).order_by(row.option_id)
        )
        return [DeliveryOption(r.merchant, r.option_id, r.name, r.carrier) for r in rows]

    async def save_delivery_option(self, option: DeliveryOption, *, new: bool) -> None:
        await self._save(
            DeliveryOptionRow,
            {"merchant": option.merchant, "option_id": option.id},
            {"name": option.name, "carrier": option.carrier},
            new=new,
        )

    async def remove_delivery_option(self, merchant: str, option_id: str) -> None:
        await self._remove(DeliveryOptionRow, {"merchant": merchant, "option_id": option_id})

    # ------------------------------------------------------------------ shared writes

    def _match(self, table: Any, key: dict[str, Any]) -> list[Any]:
        """The WHERE clause of one configuration row: the tenant plus its natural key."""
        return [
            table.tenant_id == self._tenant,
            *(getattr(table, column) == value for column, value in key.items()),
        ]

    async def _save(
        self,
        table: Any,
        key: dict[str, Any],
        values: dict[str, Any],
        *,
        new: bool,
        on_insert: dict[str, Any] | None = None,
    ) -> None:
        if new:
            try:
                await self._session.execute(
                    insert(table).values(
                        values | key | (on_insert or {}) | {"tenant_id": self._tenant}
                    )
                )
            except IntegrityError:
                # A concurrent writer created the same key first (PostgreSQL; SQLite's
                # writers queue). The transaction is spoilt either way: report the clash.
                raise DomainError(
                    f"{' '.join(str(v) for v in key.values())} already exists",
                    field="code",
                    code=ErrorCode.ALREADY_EXISTS,
                ) from None
        else:
            await self._session.execute(
                update(table).where(*self._match(table, key)).values(values)
            )

    async def _remove(self, table: Any, key: dict[str, Any]) -> None:
        await self._session.execute(delete(table).where(*self._match(table, key)))

    # ------------------------------------------------------------------ usage

    async def live_requests_using(
        self, kind: ReferenceKind | None, merchant: str, code: str
    ) -> int:
        request = ReturnRequestRow
        live = [
            request.tenant_id == self._tenant,
            request.merchant == merchant,
            request.status.in_(LIVE_STATUSES),
        ]
        if kind is None or kind == ReferenceKind.RETURN_COMMENT:
            return await self._count_in_json(kind, live, code)
        item = ReturnItemRow
        matches: dict[ReferenceKind, list[Any]] = {
            ReferenceKind.RETURN_REASON: [item.reason_code == code],
            ReferenceKind.ITEM_CONDITION: [item.item_condition == code],
            ReferenceKind.RESOLUTION: [item.resolution == code, request.resolution == code],
            ReferenceKind.REFUND_TYPE: [
                item.refund_type == code,
                request.id.in_(
                    select(RefundRow.return_request_id).where(
                        RefundRow.tenant_id == self._tenant, RefundRow.refund_type == code
                    )
                ),
            ],
            ReferenceKind.REJECTION_REASON: [
                item.rejection_reason == code,
                request.rejection_reason == code,
            ],
        }
        total = await self._session.scalar(
            select(func.count(func.distinct(request.id)))
            .select_from(request)
            .join(item, item.return_request_id == request.id)
            .where(*live, or_(*matches[kind]))
        )
        return int(total or 0)

    async def _count_in_json(self, kind: ReferenceKind | None, live: list[Any], code: str) -> int:
        """Codes inside JSON columns: read the live candidates and look in Python, the same
        way on SQLite and PostgreSQL."""
        request = ReturnRequestRow
        if kind is None:
            rows = await self._session.execute(
                select(request.id, request.pickup, request.dropoff).where(*live)
            )
            return sum(
                1
                for _, pickup, dropoff in rows
                if code
                in (
                    (pickup or {}).get("partner_location_id"),
                    (dropoff or {}).get("partner_location_id"),
                )
            )
        rows = await self._session.execute(
            select(ReturnItemRow.return_request_id, ReturnItemRow.comment_codes)
            .join(request, request.id == ReturnItemRow.return_request_id)
            .where(*live)
        )
        return len({rid for rid, codes in rows if code in (codes or [])})


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
    }


def entry_from_row(row: ReferenceEntryRow) -> ReferenceEntry:
    return ReferenceEntry(
        kind=ReferenceKind(row.kind),
        merchant=row.merchant,
        code=row.code,
        name=row.name,
        translations=dict(row.translations or {}),
        allowed_return_reasons=tuple(row.allowed_return_reasons or ()),
        require_comments=row.require_comments,
        require_images=row.require_images,
        require_item_condition=row.require_item_condition,
        reverse_shipment_create_enabled=row.reverse_shipment_create_enabled,
        auto_approve=row.auto_approve,
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


def settings_from_row(row: ReturnSettingsRow) -> ReturnSettings:
    return ReturnSettings(
        merchant=row.merchant,
        allowed_days_for_return=row.allowed_days_for_return,
        default_dropoff_locations=dict(row.default_dropoff_locations or {}),
        allow_undelivered_items=row.allow_undelivered_items,
        allow_pickup_location_selection=row.allow_pickup_location_selection,
        notification_users=tuple(
            NotificationUser(u["email"], u.get("name")) for u in row.notification_users or []
        ),
        order_lookup_methods=tuple(row.order_lookup_methods or ()),
        auto_close_days=row.auto_close_days,
        shopify_integration_enabled=row.shopify_integration_enabled,
        shopify_connector_id=row.shopify_connector_id,
    )

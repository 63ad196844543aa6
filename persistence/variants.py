"""The merchant's exchange catalogue: variants and exchange settings. The write side
(`SqlExchangeRepository`, on the unit of work) upserts variants in bulk and hands a request's
use case its Catalogue; the read side (`VariantReads`) pages variants for GraphQL and the
portal, one statement a page (and one for the count) whatever the page size."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.variants import MAX_EXCHANGE_OPTIONS, Catalogue, ExchangeSettings, Variant
from persistence.exchange_mappers import (
    settings_from_row,
    settings_values,
    variant_from_row,
    variant_values,
)
from persistence.statements import POSTGRESQL, Statements, delete_where, one_of, where
from persistence.tables import ExchangeSettingsRow, VariantRow

VARIANTS: Table = VariantRow.__table__  # type: ignore[attr-defined]
SETTINGS: Table = ExchangeSettingsRow.__table__  # type: ignore[attr-defined]
_VARIANT_COLUMNS = tuple(c.name for c in VARIANTS.columns if c.name != "id")
_SETTINGS_COLUMNS = tuple(c.name for c in SETTINGS.columns if c.name != "id")


async def exchange_settings(reads: Statements, tenant_id: str, merchant: str) -> ExchangeSettings:
    """The merchant's settings, or the defaults when it set none."""
    rows = await reads.rows(_SETTINGS, {"tenant": tenant_id, "merchant": merchant})
    return settings_from_row(rows[0]) if rows else ExchangeSettings(merchant)


class VariantReads:
    """Variants as clients read them (not locked: what is committed)."""

    def __init__(self, reads: Statements, tenant_id: str) -> None:
        self._sql = reads
        self._tenant = tenant_id

    async def by_skus(self, merchant: str, skus: Iterable[str]) -> dict[str, Variant]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        rows = await self._sql.rows(
            _by_skus(self._sql.dialect_name),
            {"tenant": self._tenant, "merchant": merchant, "skus": wanted},
        )
        return {row["sku"]: variant_from_row(row) for row in rows}

    async def page(
        self,
        merchant: str,
        *,
        group_key: str | None = None,
        sku: str | None = None,
        after: str | None = None,
        first: int = 50,
    ) -> list[Variant]:
        """Up to `first` variants by sku after the sku `after`, of a group or one sku."""
        statement = _page(group_key is not None, sku is not None, after is not None)
        params = {
            "tenant": self._tenant,
            "merchant": merchant,
            "group_key": group_key,
            "sku": sku,
            "after": after,
            "first": first,
        }
        return [variant_from_row(row) for row in await self._sql.rows(statement, params)]

    async def count(
        self, merchant: str, *, group_key: str | None = None, sku: str | None = None
    ) -> int:
        statement = _count(group_key is not None, sku is not None)
        params = {"tenant": self._tenant, "merchant": merchant, "group_key": group_key, "sku": sku}
        return int(await self._sql.scalar(statement, params) or 0)

    async def for_group(self, merchant: str, group_key: str | None) -> list[Variant]:
        """The variants a line of that group may become: its group's, or (None, when the
        merchant allows any product) all of the merchant's; the first MAX_EXCHANGE_OPTIONS
        by sku."""
        return await self.page(merchant, group_key=group_key, first=MAX_EXCHANGE_OPTIONS)


class SqlExchangeRepository:
    """Variants and settings inside the unit of work's transaction."""

    def __init__(self, statements: Statements, tenant_id: str, now: Callable[[], datetime]):
        self._sql = statements
        self._tenant = tenant_id
        self._now = now
        self.reads = VariantReads(statements, tenant_id)

    async def settings(self, merchant: str) -> ExchangeSettings:
        return await exchange_settings(self._sql, self._tenant, merchant)

    async def save_settings(self, settings: ExchangeSettings) -> None:
        values = settings_values(settings, self._tenant, self._now())
        await self._sql.execute(_upsert(self._sql.dialect_name, SETTINGS), values)

    async def catalogue(self, merchant: str, skus: Iterable[str]) -> Catalogue:
        """What judging these skus needs: two statements."""
        return Catalogue(await self.settings(merchant), await self.reads.by_skus(merchant, skus))

    async def upsert_variants(self, variants: Sequence[Variant]) -> tuple[int, list[Variant]]:
        """Write the variants (all of one merchant); how many were new, and the variants as
        stored. Two statements for the whole batch."""
        if not variants:
            return 0, []
        merchant = variants[0].merchant
        known = await self.reads.by_skus(merchant, (v.sku for v in variants))
        now = self._now()
        stored = [_stamped(v, now) for v in variants]
        await self._sql.execute_many(
            _upsert(self._sql.dialect_name, VARIANTS),
            [variant_values(v, self._tenant) for v in stored],
        )
        return sum(1 for v in variants if v.sku not in known), stored

    async def delete_variant(self, merchant: str, sku: str) -> bool:
        """False when the merchant has no such variant."""
        return bool(
            await self._sql.execute(
                delete_where(VARIANTS, ("tenant_id", "merchant", "sku")),
                where({}, tenant_id=self._tenant, merchant=merchant, sku=sku),
            )
        )


def _stamped(variant: Variant, at: datetime) -> Variant:
    return replace(variant, updated_at=at)


# --------------------------------------------------------------------------- statements


@functools.cache
def _upsert(dialect_name: str, table: Table) -> Any:
    insert = postgresql_insert if dialect_name == POSTGRESQL else sqlite_insert
    columns = _VARIANT_COLUMNS if table is VARIANTS else _SETTINGS_COLUMNS
    keys = ["tenant_id", "merchant", "sku"] if table is VARIANTS else ["tenant_id", "merchant"]
    statement = insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in columns}
    )
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in columns if name not in keys},
    )


_SETTINGS = select(SETTINGS).where(
    SETTINGS.c.tenant_id == bindparam("tenant"), SETTINGS.c.merchant == bindparam("merchant")
)


@functools.cache
def _by_skus(dialect_name: str) -> Any:
    c = VARIANTS.c
    return select(VARIANTS).where(
        c.tenant_id == bindparam("tenant"),
        c.merchant == bindparam("merchant"),
        one_of(c.sku, "skus", dialect_name),
    )


def _filters(by_group: bool, by_sku: bool) -> list[Any]:
    c = VARIANTS.c
    found = [c.tenant_id == bindparam("tenant"), c.merchant == bindparam("merchant")]
    if by_group:
        found.append(c.group_key == bindparam("group_key"))
    if by_sku:
        found.append(c.sku == bindparam("sku"))
    return found


@functools.cache
def _page(by_group: bool, by_sku: bool, after: bool) -> Any:
    c = VARIANTS.c
    conditions = _filters(by_group, by_sku)
    if after:
        conditions.append(c.sku > bindparam("after"))
    return select(VARIANTS).where(*conditions).order_by(c.sku).limit(bindparam("first"))


@functools.cache
def _count(by_group: bool, by_sku: bool) -> Any:
    return select(func.count()).select_from(VARIANTS).where(*_filters(by_group, by_sku))

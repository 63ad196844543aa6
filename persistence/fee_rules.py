"""Merchants' fee rules in SQL: read with the merchant's other rules for every write that
judges fees (approve, receive, quote), written by the fee-rule mutations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, delete, func, insert, select

from domain.fees import FeeRule
from persistence.mappers import fee_rule_from_row, fee_rule_values
from persistence.statements import Statements
from persistence.tables import FeeRuleRow

FEE_RULES: Table = FeeRuleRow.__table__  # type: ignore[attr-defined]
_OF_MERCHANT = (
    FEE_RULES.c.tenant_id == bindparam("tenant"),
    FEE_RULES.c.merchant == bindparam("merchant"),
)
# A merchant's rules in the order they apply (`tenant`, `merchant`).
FEE_RULES_OF_MERCHANT = _RULES = (
    select(FEE_RULES).where(*_OF_MERCHANT).order_by(FEE_RULES.c.position)
)
_LAST = select(func.coalesce(func.max(FEE_RULES.c.position), 0)).where(*_OF_MERCHANT)
_REMOVE = delete(FEE_RULES).where(*_OF_MERCHANT, FEE_RULES.c.id == bindparam("rule_id"))


class SqlFeeRuleRepository:
    def __init__(self, sql: Statements, tenant_id: str) -> None:
        self._sql = sql
        self._tenant = tenant_id

    async def rules(self, merchant: str) -> list[FeeRule]:
        """The merchant's rules in the order they were made, which is the order fees apply."""
        rows = await self._sql.rows(_RULES, {"tenant": self._tenant, "merchant": merchant})
        return [fee_rule_from_row(row) for row in rows]

    async def add(self, rule: FeeRule, *, at: datetime) -> None:
        last = await self._sql.scalar(_LAST, {"tenant": self._tenant, "merchant": rule.merchant})
        values = fee_rule_values(rule) | {
            "tenant_id": self._tenant,
            "created_at": at,
            "position": int(last) + 1,
        }
        await self._sql.execute(insert(FEE_RULES), values)

    async def remove(self, merchant: str, rule_id: str) -> bool:
        params = {"tenant": self._tenant, "merchant": merchant, "rule_id": rule_id}
        return await self._sql.execute(_REMOVE, params) > 0

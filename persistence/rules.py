"""Where a merchant's eligibility rules come from.

Today every merchant gets the base rules; merchant configuration (return window, reason
requirements, allowed codes) will load its settings here, in one place, for both the write
side (unit of work) and the read side (`returnableItems`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.eligibility import BaseRules, MerchantRules


async def merchant_rules(session: AsyncSession, tenant_id: str, merchant: str) -> MerchantRules:
    return BaseRules()

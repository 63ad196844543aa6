"""Where a merchant's eligibility rules come from: its settings, reference codes, pickup
locations and fee rules, read in one statement on PostgreSQL (four on SQLite), for the write
side (unit of work) and the read side (`returnableItems`, the quote) alike."""

from __future__ import annotations

from domain.configured_rules import ConfiguredRules
from domain.eligibility import MerchantRules
from persistence.configuration import SqlConfigurationRepository
from persistence.statements import Statements


async def merchant_rules(sql: Statements, tenant_id: str, merchant: str) -> MerchantRules:
    config = SqlConfigurationRepository(sql, tenant_id)
    *sources, fee_rules = await config.rule_sources_and_fees(merchant)
    return ConfiguredRules(merchant, *sources, fee_rules=fee_rules)

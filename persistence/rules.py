"""Where a merchant's eligibility rules come from: its settings, reference codes and pickup
locations, read in one statement on PostgreSQL (three on SQLite), and its fee rules in one
more, for the write side (unit of work) and the read side (`returnableItems`, the quote)
alike."""

from __future__ import annotations

from domain.configured_rules import ConfiguredRules
from domain.eligibility import MerchantRules
from persistence.configuration import SqlConfigurationRepository
from persistence.fee_rules import SqlFeeRuleRepository
from persistence.statements import Statements


async def merchant_rules(sql: Statements, tenant_id: str, merchant: str) -> MerchantRules:
    config = SqlConfigurationRepository(sql, tenant_id)
    fee_rules = await SqlFeeRuleRepository(sql, tenant_id).rules(merchant)
    return ConfiguredRules(merchant, *await config.rule_sources(merchant), fee_rules=fee_rules)

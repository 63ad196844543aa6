"""Where a merchant's eligibility rules come from: its settings, reference codes and pickup
locations, read in one statement on PostgreSQL (three on SQLite), for the write side (unit
of work) and the read side (`returnableItems`) alike."""

from __future__ import annotations

from domain.configured_rules import ConfiguredRules
from domain.eligibility import MerchantRules
from persistence.configuration import SqlConfigurationRepository
from persistence.statements import Statements


async def merchant_rules(sql: Statements, tenant_id: str, merchant: str) -> MerchantRules:
    config = SqlConfigurationRepository(sql, tenant_id)
    return ConfiguredRules(merchant, *await config.rule_sources(merchant))

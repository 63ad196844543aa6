"""The store-credit expiry job: in every tenant, remove what is left of credit lots whose
expiry has passed (an EXPIRATION entry per lot, a StoreCreditExpired event), and nothing
that a debit already used. Several servers may run it at once: each account is expired
under its row lock on fresh state, so a lot expires once."""

from __future__ import annotations

import logging

from core.periodic import Job
from domain import store_credit_services as credit
from domain.errors import DomainError
from domain.values import Actor
from persistence import store_credit_reads
from persistence.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)
EXPIRY_ACTOR = Actor(source="SYSTEM", user="store-credit-expiry")
BATCH = 500


async def expire_store_credit(units: UnitsOfWork) -> int:
    """Expire every lapsed lot; returns how many ledger entries it wrote."""
    clock = units.clock
    async with units.db.reading() as reads:
        accounts = await store_credit_reads.expiring_accounts(reads, clock.now(), BATCH)
    written = 0
    for tenant_id, account_id in accounts:
        try:
            expired = await credit.expire_store_credit(
                account_id, uow=units(tenant_id), clock=clock, actor=EXPIRY_ACTOR
            )
        except DomainError as error:
            log.info("store-credit expiry skipped %s: %s", account_id, error.message)
            continue
        written += len(expired)
    return written


def store_credit_expiry_job(units: UnitsOfWork, interval_seconds: float) -> Job:
    """Expiry as the server runs it, every `interval_seconds` (0: never)."""

    async def run() -> None:
        written = await expire_store_credit(units)
        if written:
            log.info("expired %d store-credit lots", written)

    return Job("store-credit-expiry", interval_seconds, run)

"""Unit of work: one transaction per command, its events stored with the change.

Leaving the block without `commit()` (an error, a refused rule) rolls everything back, so a
failed command writes nothing: no half-saved aggregate and no event for a change that did not
happen. Events leave one way: the outbox holds them, and `Database.events_committed` tells
its listeners (the subscription hub) the position they reached, after the commit.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import TracebackType

from domain.eligibility import MerchantRules
from domain.ports import Clock, SystemClock
from persistence import insight_rollups
from persistence.configuration import SqlConfigurationRepository
from persistence.customer_messages import route_messages
from persistence.database import Database, WriteTransaction
from persistence.fee_rules import SqlFeeRuleRepository
from persistence.idempotency import KeyClaim, record_commit
from persistence.outbox import append_events, sequence_events
from persistence.repositories import (
    Held,
    SqlNotificationRepository,
    SqlOrderRepository,
    SqlReturnRepository,
)
from persistence.rules import merchant_rules
from persistence.store_credit import SqlStoreCreditRepository
from persistence.tables import DEFAULT_TENANT
from persistence.variants import SqlExchangeRepository
from persistence.webhook_endpoints import SqlWebhookEndpointRepository
from persistence.webhooks import route_deliveries

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    returns: SqlReturnRepository
    orders: SqlOrderRepository
    configuration: SqlConfigurationRepository
    notifications: SqlNotificationRepository
    webhooks: SqlWebhookEndpointRepository
    fee_rules: SqlFeeRuleRepository
    store_credit: SqlStoreCreditRepository
    exchanges: SqlExchangeRepository

    def __init__(
        self,
        db: Database,
        *,
        tenant_id: str = DEFAULT_TENANT,
        clock: Clock | None = None,
        idempotency: KeyClaim | None = None,
        approval_settle: timedelta = timedelta(0),
    ) -> None:
        """`idempotency`: the key whose work this is; its commit is recorded with the work.
        `approval_settle`: how long an approval's customer e-mail waits for the label."""
        self._db = db
        self._approval_settle = approval_settle
        self.tenant_id = tenant_id
        self._clock = clock or SystemClock()
        self._idempotency = idempotency
        self._transaction: WriteTransaction | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._db.writers is not None:
            await self._db.writers.acquire()
        try:
            self._transaction = await self._db.begin_write()
        except BaseException:
            if self._db.writers is not None:
                self._db.writers.release()
            raise
        sql = self._transaction.statements
        self._counts = insight_rollups.Pending()
        held: Held = {}  # read by the orders repository for the returns repository
        self.returns = SqlReturnRepository(sql, self.tenant_id, self._counts, held)
        self.orders = SqlOrderRepository(sql, self.tenant_id, self._clock.now, self._counts, held)
        self.configuration = SqlConfigurationRepository(sql, self.tenant_id)
        self.notifications = SqlNotificationRepository(sql, self.tenant_id)
        self.webhooks = SqlWebhookEndpointRepository(sql, self.tenant_id)
        self.fee_rules = SqlFeeRuleRepository(sql, self.tenant_id)
        self.store_credit = SqlStoreCreditRepository(sql, self.tenant_id, self._clock.now)
        self.exchanges = SqlExchangeRepository(sql, self.tenant_id, self._clock.now)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is None:
            return
        try:
            await transaction.close()
        finally:
            if self._db.writers is not None:
                self._db.writers.release()

    async def rules_for(self, merchant: str) -> MerchantRules:
        return await merchant_rules(self._require().statements, self.tenant_id, merchant)

    async def commit(self) -> None:
        transaction = self._require()
        sql = transaction.statements
        if self._idempotency is not None:
            await record_commit(sql, self._idempotency, self._clock.now())
        events = [
            (request.merchant, event)
            for request in self.returns.seen
            for event in request.pull_events()
        ] + [
            (account.merchant, event)
            for account in self.store_credit.seen
            for event in account.pull_events()
        ]
        appended = await append_events(sql, self.tenant_id, events)
        stored = appended.events
        now = self._clock.now()
        deliveries = (
            await route_deliveries(sql, self.tenant_id, stored, now, appended.endpoints)
            if stored
            else []
        )
        messages = (
            await route_messages(sql, self.tenant_id, stored, now, settle=self._approval_settle)
            if stored
            else []
        )
        # Last before the commit, in one statement with the deliveries and messages on
        # PostgreSQL: every writer of a merchant adds to the same rollup rows (today's, this
        # month's), and holds their row locks (PostgreSQL) from this statement to its
        # commit, so nothing else may run in between.
        await sql.write_all([*deliveries, *messages, *self._counts.writes(self.tenant_id)])
        routed = sum(len(write.rows) for write in deliveries)
        await transaction.commit()
        if not stored:
            return
        newest = appended.newest  # numbered by the INSERT (SQLite)
        if newest is None:  # PostgreSQL: number after the commit, on the same connection
            try:
                newest = await sequence_events(sql, self.tenant_id)
            except Exception:
                # Committed: the command succeeded. The tenant's next commit numbers these
                # events; until then subscribers and webhooks have not seen them.
                log.exception("numbering the committed events of %s failed", self.tenant_id)
                return
        self._db.events_committed(self.tenant_id, newest)
        if routed:
            self._db.deliveries_routed(self.tenant_id, newest)
        if any(write.rows for write in messages):
            self._db.messages_routed(self.tenant_id, stored[-1].position)

    def _require(self) -> WriteTransaction:
        if self._transaction is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._transaction


class UnitsOfWork:
    """Makes the units of work of one database and clock. The composition root
    (ops/bootstrap.py) builds one; everything that writes (requests, background
    jobs, the demo seeder) is handed it, so a unit of work is configured in one place."""

    def __init__(
        self, db: Database, clock: Clock, *, approval_settle: timedelta = timedelta(0)
    ) -> None:
        self.db = db
        self.clock = clock
        self.approval_settle = approval_settle

    def __call__(self, tenant_id: str, *, idempotency: KeyClaim | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db,
            tenant_id=tenant_id,
            clock=self.clock,
            idempotency=idempotency,
            approval_settle=self.approval_settle,
        )

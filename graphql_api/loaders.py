"""DataLoaders, one set per request, named for what they return and by what key.

Batch functions return results in key order (None for a missing key) and cost a fixed number
of SQL statements whatever the number of keys.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.orders import Order
from domain.reference import ReferenceEntry
from domain.returns import ReturnRequest
from persistence import event_log, queries
from persistence.configuration import EntryKey, SqlConfigurationRepository
from persistence.database import Database
from persistence.outbox import StoredEvent

OrderKey = tuple[str, str]  # (merchant, reference)


class Loaders:
    def __init__(self, db: Database, tenant_id: str) -> None:
        self._db = db
        self._tenant = tenant_id
        self.return_request_by_id: DataLoader[str, ReturnRequest | None] = DataLoader(
            load_fn=self._return_requests
        )
        self.order_by_reference: DataLoader[OrderKey, Order | None] = DataLoader(
            load_fn=self._orders
        )
        self.reference_by_code: DataLoader[EntryKey, ReferenceEntry | None] = DataLoader(
            load_fn=self._references
        )
        self.events_by_request: DataLoader[str, list[StoredEvent]] = DataLoader(
            load_fn=self._events
        )

    async def _return_requests(self, ids: Sequence[str]) -> list[ReturnRequest | None]:
        """Whole aggregates (items, notes, refunds, shipments, history) for a page at once."""
        async with self._db.read_session() as session:
            found = await queries.load_return_requests(session, self._tenant, ids)
        return [found.get(rid) for rid in ids]

    async def _orders(self, keys: Sequence[OrderKey]) -> list[Order | None]:
        async with self._db.read_session() as session:
            found = await queries.load_orders(session, self._tenant, keys)
        return [found.get(key) for key in keys]

    async def _references(self, keys: Sequence[EntryKey]) -> list[ReferenceEntry | None]:
        """Reasons, conditions, resolutions… of a whole page in one statement."""
        async with self._db.read_session() as session:
            found = await SqlConfigurationRepository(session, self._tenant).entries_by_key(keys)
        return [found.get(key) for key in keys]

    async def _events(self, ids: Sequence[str]) -> list[list[StoredEvent]]:
        """The history of every request on a page in one statement."""
        async with self._db.read_session() as session:
            found = await event_log.events_of_requests(session, self._tenant, ids)
        return [found[rid] for rid in ids]

    def remember(self, request: ReturnRequest) -> None:
        """Let later fields of this operation see the aggregate a mutation just wrote."""
        self.return_request_by_id.prime(request.id, request, force=True)

    def remember_reference(self, entry: ReferenceEntry) -> None:
        self.reference_by_code.prime(
            (entry.kind.value, entry.merchant, entry.code), entry, force=True
        )

    def forget_reference(self, key: EntryKey) -> None:
        self.reference_by_code.prime(key, None, force=True)

    def remember_order(self, order: Order) -> None:
        self.order_by_reference.prime((order.merchant, order.reference), order, force=True)

"""DataLoaders, one set per request, named for what they return and by what key.

Batch functions return results in key order (None for a missing key) and cost a fixed number
of SQL statements whatever the number of keys. A query reads only what it selects: a page
of requests costs its own statement, plus one per kind of child it shows (items, notes…).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from strawberry.dataloader import DataLoader

from domain.orders import Order
from domain.reference import ReferenceEntry
from domain.returns import ReturnRequest
from domain.store_credit import StoreCreditAccount
from domain.variants import Variant
from persistence import event_log, mappers, queries, read_model, store_credit_reads
from persistence.configuration import EntryKey, SqlConfigurationRepository
from persistence.database import Database
from persistence.outbox import StoredEvent
from persistence.statements import Row, Statements
from persistence.variants import VariantReads

OrderKey = tuple[str, str]  # (merchant, reference)
RowsKey = tuple[str, frozenset[str] | None]  # (return request id, the columns to read)


class Loaders:
    """Each loader is made on first use: a request uses one or two of them, and making all
    of them cost a tenth of a small REST read."""

    def __init__(self, db: Database, tenant_id: str) -> None:
        self._db = db
        self._tenant = tenant_id
        self._child_loaders: dict[read_model.Child, DataLoader[RowsKey, list[Row]]] = {}
        # Rows of aggregates this operation wrote (mutation payloads show them as written).
        self._written: dict[str, tuple[Row, dict[type, list[Row]]]] = {}

    @cached_property
    def return_request_by_id(self) -> DataLoader[str, ReturnRequest | None]:
        return DataLoader(load_fn=self._return_requests)

    @cached_property
    def order_by_reference(self) -> DataLoader[OrderKey, Order | None]:
        return DataLoader(load_fn=self._orders)

    @cached_property
    def reference_by_code(self) -> DataLoader[EntryKey, ReferenceEntry | None]:
        return DataLoader(load_fn=self._references)

    @cached_property
    def store_credit_by_customer(self) -> DataLoader[tuple[str, str], list[StoreCreditAccount]]:
        """A (merchant, customer key)'s store-credit accounts: a page's in one statement."""
        return DataLoader(load_fn=self._store_credit)

    @cached_property
    def variant_by_sku(self) -> DataLoader[tuple[str, str], Variant | None]:
        """A (merchant, sku)'s variant: a page's exchange lines in one statement a merchant."""
        return DataLoader(load_fn=self._variants)

    @cached_property
    def events_by_request(self) -> DataLoader[str, list[StoredEvent]]:
        return DataLoader(load_fn=self._events)

    @cached_property
    def _request_rows(self) -> DataLoader[RowsKey, Row | None]:
        return DataLoader(load_fn=self._load_request_rows)

    def _child_rows(self, child: read_model.Child) -> DataLoader[RowsKey, list[Row]]:
        loader = self._child_loaders.get(child)
        if loader is None:
            loader = self._child_loaders[child] = self._children(child)
        return loader

    async def _return_requests(self, ids: Sequence[str]) -> list[ReturnRequest | None]:
        """Whole aggregates (items, notes, refunds, shipments, history) for a page at once:
        for what only the aggregate can say (allowed actions, refund totals)."""
        async with self._db.reading() as reads:
            found = await read_model.load_return_requests(reads, self._tenant, ids)
        return [found.get(rid) for rid in ids]

    async def return_request_now(self, rid: str) -> ReturnRequest | None:
        """One whole aggregate, read now rather than in the loader's next batch (a REST
        GET reads one and nothing else: the batch's scheduling cost more than its wait
        saved), and remembered by the loader for the rest of the operation."""
        loader = self.return_request_by_id
        if loader.cache_map.get(rid) is not None:  # read or written before in this operation
            return await loader.load(rid)
        (request,) = await self._return_requests([rid])
        loader.prime(rid, request)
        return request

    async def request_row(self, rid: str, columns: frozenset[str] | None = None) -> Row | None:
        """A return request's own row (only `columns` of it, when given)."""
        written = self._written.get(rid)
        if written is not None:
            return written[0]
        return await self._request_rows.load((rid, columns))

    async def child_rows(
        self, child: read_model.Child, rid: str, columns: frozenset[str] | None = None
    ) -> list[Row]:
        """A return request's child rows of one kind, in order (only `columns` of them)."""
        written = self._written.get(rid)
        if written is not None:
            return written[1][child.row_class]
        return await self._child_rows(child).load((rid, columns))

    async def request_and_children_now(
        self,
        reads: Statements,
        rid: str,
        child: read_model.Child,
        columns: frozenset[str],
        child_columns: frozenset[str],
    ) -> Row | None:
        """A return request's row and its children of one kind read at once on the
        caller's connection (one statement on PostgreSQL), remembered for the rest of the
        operation like loaded ones."""
        written = self._written.get(rid)
        if written is not None:
            return written[0]
        row, children = await read_model.request_and_children(
            reads, self._tenant, rid, child, columns=columns, child_columns=child_columns
        )
        self._request_rows.prime((rid, columns), row)
        if row is not None:
            self._child_rows(child).prime((rid, child_columns), children)
        return row

    async def prefetch_children(
        self,
        reads: Statements,
        child: read_model.Child,
        ids: Sequence[str],
        columns: frozenset[str],
    ) -> None:
        """Read the child rows of these requests now, on the caller's connection, and hand
        them to the children's loader: a page that shows its requests' items then costs one
        more statement and no round of loads (its resolver looks at its selection)."""
        wanted = [rid for rid in ids if rid not in self._written]
        found = await read_model.child_rows(reads, self._tenant, child, wanted, columns)
        loader = self._child_rows(child)
        for rid in wanted:
            loader.prime((rid, columns), found[rid])

    def rows_of(self, request: ReturnRequest, child: read_model.Child) -> list[Row]:
        """An aggregate's child rows of one kind, as the read side would read them."""
        return mappers.children_values(request, self._tenant)[child.row_class]  # type: ignore[return-value]

    async def _load_request_rows(self, keys: Sequence[RowsKey]) -> list[Row | None]:
        found: dict[RowsKey, Row] = {}
        async with self._db.reading() as reads:
            for columns, ids in _by_columns(keys).items():
                rows = await read_model.request_rows(reads, self._tenant, ids, columns=columns)
                found |= {(row["id"], columns): row for row in rows}
        return [found.get(key) for key in keys]

    def _children(self, child: read_model.Child) -> DataLoader[RowsKey, list[Row]]:
        """A loader of one kind of child rows, by request (and columns): one statement per
        batch and set of columns."""

        async def load(keys: Sequence[RowsKey]) -> list[list[Row]]:
            found: dict[RowsKey, list[Row]] = {}
            async with self._db.reading() as reads:
                for columns, ids in _by_columns(keys).items():
                    rows = await read_model.child_rows(reads, self._tenant, child, ids, columns)
                    found |= {(rid, columns): rows[rid] for rid in ids}
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)

    async def _orders(self, keys: Sequence[OrderKey]) -> list[Order | None]:
        async with self._db.reading() as reads:
            found = await queries.load_orders(reads, self._tenant, keys)
        return [found.get(key) for key in keys]

    async def _references(self, keys: Sequence[EntryKey]) -> list[ReferenceEntry | None]:
        """Reasons, conditions, resolutions… of a whole page in one statement."""
        async with self._db.reading() as reads:
            found = await SqlConfigurationRepository(reads, self._tenant).entries_by_key(keys)
        return [found.get(key) for key in keys]

    async def _store_credit(
        self, keys: Sequence[tuple[str, str]]
    ) -> list[list[StoreCreditAccount]]:
        async with self._db.reading() as reads:
            found = await store_credit_reads.accounts_of_customers(reads, self._tenant, keys)
        return [found[key] for key in keys]

    async def _variants(self, keys: Sequence[tuple[str, str]]) -> list[Variant | None]:
        by_merchant: dict[str, list[str]] = {}
        for merchant, sku in keys:
            by_merchant.setdefault(merchant, []).append(sku)
        found: dict[tuple[str, str], Variant] = {}
        async with self._db.reading() as reads:
            for merchant, skus in by_merchant.items():
                variants = await VariantReads(reads, self._tenant).by_skus(merchant, skus)
                found |= {(merchant, sku): v for sku, v in variants.items()}
        return [found.get(key) for key in keys]

    async def _events(self, ids: Sequence[str]) -> list[list[StoredEvent]]:
        """The history of every request on a page in one statement."""
        async with self._db.read_session() as session:
            found = await event_log.events_of_requests(session, self._tenant, ids)
        return [found[rid] for rid in ids]

    def remember(self, request: ReturnRequest) -> None:
        """Let later fields of this operation see the aggregate a mutation just wrote, as
        the rows it maps to, rather than read it back (and perhaps a newer change with it)."""
        self.return_request_by_id.prime(request.id, request, force=True)
        self._written[request.id] = (
            mappers.request_values(request, self._tenant),
            mappers.children_values(request, self._tenant),  # type: ignore[dict-item]
        )

    def remember_reference(self, entry: ReferenceEntry) -> None:
        self.reference_by_code.prime(
            (entry.kind.value, entry.merchant, entry.code), entry, force=True
        )

    def forget_reference(self, key: EntryKey) -> None:
        self.reference_by_code.prime(key, None, force=True)

    def remember_order(self, order: Order) -> None:
        self.order_by_reference.prime((order.merchant, order.reference), order, force=True)


def _by_columns(keys: Sequence[RowsKey]) -> dict[frozenset[str] | None, list[str]]:
    """The ids of a batch grouped by the columns asked of them (usually one group)."""
    groups: dict[frozenset[str] | None, list[str]] = {}
    for rid, columns in keys:
        groups.setdefault(columns, []).append(rid)
    return groups

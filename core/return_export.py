"""A filtered list of return requests as CSV lines, page after page of the read model, so
an export of any size is streamed with the memory of one page. The same filter and order
as the list the operator sees (`returnRequests`), so the file matches the screen."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from persistence import read_model
from persistence.database import Database
from persistence.mappers import value_from_thousandths
from persistence.queries import load_orders
from persistence.read_model import ReturnFilter, ReturnSort, SortPosition

EXPORT_PAGE = 500
HEADER = (
    "return_request_id", "merchant", "order_reference", "status", "customer_name",
    "customer_email", "units", "value", "currency", "assigned_to", "created_at", "updated_at",
)  # fmt: skip
_COLUMNS = frozenset(
    {"id", "merchant", "order_reference", "status", "value_thousandths", "currency",
     "assigned_to_user", "created_at", "updated_at"}
)  # fmt: skip


async def csv_chunks(
    db: Database, tenant_id: str, flt: ReturnFilter, sort: ReturnSort = ReturnSort.NEWEST
) -> AsyncIterator[bytes]:
    """The header, then one chunk of lines per page (each page: its requests, their items'
    units and their orders' customers, four statements whatever the page's size)."""
    yield _lines([HEADER])
    after: SortPosition | None = None
    key = sort.value[0]
    while True:
        async with db.reading() as reads:
            page = await read_model.page_return_requests(
                reads, tenant_id, flt, first=EXPORT_PAGE, after=after, columns=_COLUMNS, sort=sort
            )
            ids = [row["id"] for row in page.rows]
            items = await read_model.child_rows(
                reads, tenant_id, read_model.ITEMS, ids, frozenset({"quantity"})
            )
            orders = await load_orders(
                reads, tenant_id, sorted({(r["merchant"], r["order_reference"]) for r in page.rows})
            )
        lines = []
        for row in page.rows:
            order = orders.get((row["merchant"], row["order_reference"]))
            customer = order.customer if order else None
            lines.append((
                row["id"], row["merchant"], row["order_reference"], row["status"],
                customer.name if customer else "", customer.email if customer else "",
                sum(item["quantity"] for item in items.get(row["id"], [])),
                value_from_thousandths(row["value_thousandths"]), row["currency"] or "",
                row["assigned_to_user"] or "", row["created_at"].isoformat(),
                row["updated_at"].isoformat(),
            ))  # fmt: skip
        if lines:
            yield _lines(lines)
        if not page.has_next:
            return
        last = page.rows[-1]
        after = SortPosition(last[key], last["id"])


def _lines(rows: list[tuple[object, ...]]) -> bytes:
    """CSV text; a cell that a spreadsheet would run as a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_inert(value) for value in row])
    return out.getvalue().encode()


def _inert(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

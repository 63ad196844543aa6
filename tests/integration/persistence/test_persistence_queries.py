"""The read side: keyset pages newest first, every filter, counts, and batch loaders whose
statement count does not grow with the number of keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from domain.eligibility import ANY_CODE
from domain.lifecycle import ReturnStatus
from domain.request_details import RequestDetails
from domain.returns import ReturnRequest
from persistence import queries, read_model, tables
from persistence.read_model import PagePosition, ReturnFilter
from persistence.statements import POSTGRESQL

ORDERS = {
    ("acme", "ORD-1"): {"SKU-A": (99, 99, Decimal("10.00")), "SKU-B": (99, 99, Decimal("2.5"))},
    ("acme", "ORD-2"): {"SKU-A": (99, 99, Decimal("10.00"))},
    ("globex", "ORD-1"): {"SKU-A": (99, 99, Decimal("7.00"))},
}


@dataclass(frozen=True)
class Seeded:
    id: str
    created_at: datetime
    merchant: str
    order_reference: str
    status: ReturnStatus
    assigned_to: str | None


def shape(index: int) -> tuple[str, str, ReturnStatus, str | None]:
    """Request number `index`: its merchant, order, status and assignee."""
    merchant, reference = ("globex", "ORD-1") if index % 5 == 0 else ("acme", "ORD-1")
    if index % 3 == 0 and merchant == "acme":
        reference = "ORD-2"
    status = [ReturnStatus.PENDING, ReturnStatus.ON_HOLD, ReturnStatus.APPROVED][index % 3]
    if index % 7 == 0:
        status = ReturnStatus.CANCELLED
    assignee = "ops@acme.example" if index % 4 == 0 else None
    return merchant, reference, status, assignee


async def seed(world, count: int, *, tenant_id: str = "default") -> list[Seeded]:
    """`count` requests built by domain methods and added in one unit of work; two requests
    share each creation instant, so pages must break ties by id."""
    for (merchant, reference), lines in ORDERS.items():
        await world.order(reference, lines, merchant=merchant, tenant_id=tenant_id)
    seeded = []
    async with world.uow(tenant_id) as uow:
        for index in range(count):
            at = world.clock.now() + timedelta(minutes=index // 2)
            merchant, reference, status, assignee = shape(index)
            request = await build(uow, world, merchant, reference, at, status, assignee)
            await uow.returns.add(request)
            seeded.append(Seeded(request.id, at, merchant, reference, status, assignee))
        await uow.commit()
    return seeded


async def build(uow, world, merchant, reference, at, status, assignee) -> ReturnRequest:
    order = await uow.orders.get(merchant, reference)
    rules = await uow.rules_for(merchant)
    request = ReturnRequest.create(
        order=order,
        items=world.items({"SKU-A": 1}),
        already_requested=await uow.returns.live_quantities(merchant, reference),
        rules=rules,
        at=at,
        actor=world.actor,
        details=RequestDetails(pickup=world.pickup, dropoff=world.dropoff),
    )
    if assignee:
        request.assign(assignee, at=at, actor=world.actor)
    if status == ReturnStatus.ON_HOLD:
        request.hold(at=at, actor=world.actor)
    elif status == ReturnStatus.APPROVED:
        request.approve(at=at, actor=world.actor, rules=rules)
    elif status == ReturnStatus.CANCELLED:
        request.cancel(at=at, actor=world.actor)
    return request


def newest_first(seeded: list[Seeded], keep: Callable[[Seeded], bool] = lambda s: True):
    chosen = sorted((s for s in seeded if keep(s)), key=lambda s: (s.created_at, s.id))
    return [(s.id, s.created_at) for s in reversed(chosen)]


async def all_pages(world, flt: ReturnFilter, first: int, tenant_id: str = "default"):
    pages, after = [], None
    async with world.db.reading() as reads:
        while True:
            page = await read_model.page_return_requests(
                reads, tenant_id, flt, first=first, after=after
            )
            pages.append(page)
            if not page.has_next:
                return pages
            last_id, last_created = page.entries[-1]
            after = PagePosition(last_created, last_id)


async def count(world, flt: ReturnFilter, tenant_id: str = "default") -> int:
    async with world.db.reading() as reads:
        return await read_model.count_return_requests(reads, tenant_id, flt)


# --------------------------------------------------------------------------- pages


async def test_keyset_pages_walk_newest_first_without_gaps_or_duplicates(world):
    seeded = await seed(world, 25)

    pages = await all_pages(world, ReturnFilter(), first=10)

    assert [len(p.entries) for p in pages] == [10, 10, 5]
    assert [p.has_next for p in pages] == [True, True, False]
    walked = [entry for page in pages for entry in page.entries]
    assert walked == newest_first(seeded)
    assert len({rid for rid, _ in walked}) == 25
    assert all(created.utcoffset() == timedelta(0) for _, created in walked)
    assert await count(world, ReturnFilter()) == 25


async def test_a_page_that_ends_exactly_at_the_last_row_has_no_next(world):
    seeded = await seed(world, 20)

    pages = await all_pages(world, ReturnFilter(), first=10)

    assert [(len(p.entries), p.has_next) for p in pages] == [(10, True), (10, False)]
    assert [e for p in pages for e in p.entries] == newest_first(seeded)


FILTERS: dict[str, tuple[Callable[[list[Seeded]], ReturnFilter], Callable[..., bool]]] = {
    "merchant": (lambda s: ReturnFilter(merchant="globex"), lambda s, _: s.merchant == "globex"),
    "one-status": (
        lambda s: ReturnFilter(statuses=(ReturnStatus.ON_HOLD,)),
        lambda s, _: s.status == ReturnStatus.ON_HOLD,
    ),
    "statuses": (
        lambda s: ReturnFilter(statuses=(ReturnStatus.APPROVED, ReturnStatus.CANCELLED)),
        lambda s, _: s.status in (ReturnStatus.APPROVED, ReturnStatus.CANCELLED),
    ),
    "order-reference": (
        lambda s: ReturnFilter(order_reference="ORD-1"),
        lambda s, _: s.order_reference == "ORD-1",
    ),
    "merchant-and-order": (
        lambda s: ReturnFilter(merchant="acme", order_reference="ORD-1"),
        lambda s, _: (s.merchant, s.order_reference) == ("acme", "ORD-1"),
    ),
    "created-after": (
        lambda s: ReturnFilter(created_after=s[10].created_at),
        lambda s, all_: s.created_at > all_[10].created_at,
    ),
    "created-before": (
        lambda s: ReturnFilter(created_before=s[10].created_at),
        lambda s, all_: s.created_at < all_[10].created_at,
    ),
    "created-between": (
        lambda s: ReturnFilter(created_after=s[4].created_at, created_before=s[20].created_at),
        lambda s, all_: all_[4].created_at < s.created_at < all_[20].created_at,
    ),
    "assigned-to": (
        lambda s: ReturnFilter(assigned_to="ops@acme.example"),
        lambda s, _: s.assigned_to == "ops@acme.example",
    ),
    "everything-at-once": (
        lambda s: ReturnFilter(
            merchant="acme",
            statuses=(ReturnStatus.PENDING, ReturnStatus.CANCELLED),
            created_before=s[22].created_at,
            assigned_to="ops@acme.example",
        ),
        lambda s, all_: (
            s.merchant == "acme"
            and s.status in (ReturnStatus.PENDING, ReturnStatus.CANCELLED)
            and s.created_at < all_[22].created_at
            and s.assigned_to == "ops@acme.example"
        ),
    ),
    "nothing-matches": (lambda s: ReturnFilter(merchant="initech"), lambda s, _: False),
}


@pytest.mark.parametrize("name", FILTERS)
async def test_each_filter_pages_and_counts_exactly_its_requests(world, name):
    seeded = await seed(world, 25)
    make_filter, keep = FILTERS[name]
    flt = make_filter(seeded)
    expected = newest_first(seeded, lambda s: keep(s, seeded))

    pages = await all_pages(world, flt, first=4)

    assert [e for p in pages for e in p.entries] == expected
    assert [p.has_next for p in pages] == [True] * (len(pages) - 1) + [False]
    assert await count(world, flt) == len(expected)
    if name != "nothing-matches":
        assert 0 < len(expected) < 25, "the filter must actually filter"


async def test_pages_and_counts_are_tenant_scoped(world):
    ours = await seed(world, 5)
    await seed(world, 3, tenant_id="other")

    pages = await all_pages(world, ReturnFilter(), first=10)

    assert [e for p in pages for e in p.entries] == newest_first(ours)
    assert await count(world, ReturnFilter()) == 5
    assert await count(world, ReturnFilter(), tenant_id="other") == 3
    assert await count(world, ReturnFilter(), tenant_id="nobody") == 0


# --------------------------------------------------------------------------- batch loaders


async def seed_full(world, count: int) -> list[str]:
    """Requests with a row in every child table: items, items update, note, refund, shipment."""
    await world.order(lines={"SKU-A": (99, 99, Decimal("10.00")), "SKU-B": (99, 99, Decimal(1))})
    ids = []
    async with world.uow() as uow:
        order = await uow.orders.get("acme", "ORD-1")
        rules = await uow.rules_for("acme")
        at, actor = world.clock.now(), world.actor
        for _ in range(count):
            held = await uow.returns.live_quantities("acme", "ORD-1")
            request = ReturnRequest.create(
                order=order,
                items=world.items({"SKU-A": 1}),
                already_requested=held,
                rules=rules,
                at=at,
                actor=actor,
                details=RequestDetails(pickup=world.pickup, dropoff=world.dropoff),
            )
            request.update(
                at=at,
                actor=actor,
                items=world.items({"SKU-A": 1, "SKU-B": 1}),
                order=order,
                already_requested=held,
                rules=rules,
            )
            request.add_note(text="checked", at=at, actor=actor)
            request.approve(at=at, actor=actor, rules=rules)
            request.add_refund(
                rules=ANY_CODE, amount=Decimal("1.5"), currency="AED", at=at, actor=actor
            )
            await uow.returns.add(request)
            ids.append(request.id)
        await uow.commit()
    return ids


async def test_loading_1_or_50_requests_costs_the_same_statements(world, statements):
    ids = await seed_full(world, 50)

    async with world.db.reading() as reads:
        statements.reset()
        one = await read_model.load_return_requests(reads, "default", ids[:1])
        for_one = statements.count
        statements.reset()
        fifty = await read_model.load_return_requests(reads, "default", ids)
        for_fifty = statements.count

    # PostgreSQL reads children as arrays of their row type in the request's own statement.
    expected = 1 if world.db.engine.dialect.name == POSTGRESQL else 8  # one per table
    assert for_one == for_fifty == expected, statements.statements
    assert list(one) == ids[:1] and set(fifty) == set(ids)
    whole = fifty[ids[-1]]
    assert [len(whole.items), len(whole.items_updates), len(whole.notes)] == [2, 1, 1]
    assert [len(whole.refunds), len(whole.shipments)] == [1, 1]


async def test_a_locking_load_finds_the_same_aggregates_as_a_read(world, statements):
    """Writers lock, and after a lock wait PostgreSQL rechecks only the locked row: their
    loads take the locks in one statement and read the aggregates in the next (2), or read
    table by table (6, SQLite), and must build what reads build."""
    ids = await seed_full(world, 3)

    async with world.db.reading() as reads:
        read = await read_model.load_return_requests(reads, "default", ids)
    transaction = await world.db.begin_write()
    try:
        statements.reset()
        locked = await read_model.load_return_requests(
            transaction.statements, "default", ids, lock=True
        )
        expected = 2 if world.db.engine.dialect.name == POSTGRESQL else 8
        assert statements.count == expected, statements.statements
    finally:
        await transaction.close()

    assert {rid: vars(request) for rid, request in read.items()} == {
        rid: vars(request) for rid, request in locked.items()
    }


async def test_a_locking_load_that_waited_for_a_writer_sees_what_it_committed(world):
    """The children are read after the lock is taken: a load that queued behind another
    writer of the request builds the aggregate that writer left, not the one from before."""
    if world.db.engine.dialect.name != POSTGRESQL:
        pytest.skip("SQLite has one writer at a time: a second writer never waits on a row")
    [rid] = await seed_full(world, 1)
    first = await world.db.begin_write()
    try:
        [request] = (
            await read_model.load_return_requests(first.statements, "default", [rid], lock=True)
        ).values()
        await first.statements.execute(
            insert(tables.ReturnNoteRow.__table__),
            {
                "id": "N-WAITED",
                "tenant_id": "default",
                "return_request_id": rid,
                "position": 1,
                "text": "written while the other waited",
                "user": None,
                "created_at": world.clock.now(),
            },
        )
        second = await world.db.begin_write()
        try:
            waiting = asyncio.create_task(
                read_model.load_return_requests(second.statements, "default", [rid], lock=True)
            )
            await asyncio.sleep(0.2)
            assert not waiting.done()  # queued behind the first writer's lock
            await first.commit()
            found = (await asyncio.wait_for(waiting, 10))[rid]
        finally:
            await second.close()
    finally:
        await first.close()

    assert [note.text for note in found.notes] == [
        *(note.text for note in request.notes),
        "written while the other waited",
    ]


async def test_loader_skips_missing_and_foreign_ids(world):
    ids = await seed_full(world, 2)

    async with world.db.reading() as reads:
        found = await read_model.load_return_requests(reads, "default", [*ids, "RR-MISSING1"])
        foreign = await read_model.load_return_requests(reads, "other", ids)
        nothing = await read_model.load_return_requests(reads, "default", [])

    assert set(found) == set(ids)
    assert foreign == nothing == {}


async def test_loading_orders_costs_the_same_statements_for_1_or_many(world, statements):
    for number in range(12):
        await world.order(f"ORD-{number}")
    keys = [("acme", f"ORD-{number}") for number in range(12)]

    async with world.db.reading() as reads:
        statements.reset()
        one = await queries.load_orders(reads, "default", keys[:1])
        for_one = statements.count
        statements.reset()
        many = await queries.load_orders(reads, "default", [*keys, ("acme", "ORD-NONE")])
        for_many = statements.count

    assert for_one == for_many == 2, statements.statements
    assert list(one) == keys[:1] and set(many) == set(keys)
    assert all(len(order.lines) == 2 for order in many.values())


async def test_a_request_read_with_its_items_matches_its_rows_read_table_by_table(world):
    [rid] = await seed_full(world, 1)

    async with world.db.reading() as reads:
        row, items = await read_model.request_and_children(reads, "default", rid, read_model.ITEMS)
        [alone] = await read_model.request_rows(reads, "default", [rid])
        by_table = await read_model.child_rows(reads, "default", read_model.ITEMS, [rid])
        missing = await read_model.request_and_children(
            reads, "default", "RR-NONE", read_model.ITEMS
        )

    assert dict(row) == dict(alone.items())
    assert [dict(item) for item in items] == [dict(item.items()) for item in by_table[rid]]
    assert [item["sku"] for item in items] == [item["sku"] for item in by_table[rid]]
    assert missing == (None, [])

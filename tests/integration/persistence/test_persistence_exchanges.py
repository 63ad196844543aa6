"""Exchanges through the real use cases on both databases (issue 27): the catalogue's reads
and writes, the aggregate's exchange lines and payments round-tripping through both loaders,
the automatic release triggers, sequences of decisions keeping the invariants as stored, and
two operators racing to release one request."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from domain import commands as c
from domain import exchange_services as xs
from domain import services
from domain.configuration_services import create_reference
from domain.errors import DomainError, ErrorCode
from domain.exchange_lines import ExchangeItem
from domain.exchange_lines import ExchangeLineStatus as S
from domain.lifecycle import APPROVED_FAMILY
from domain.parts import RefundOutcome
from domain.reference import ReferenceEntry, ReferenceKind
from domain.request_details import RequestDetails
from domain.variants import ExchangeRelease, Variant
from persistence.variants import VariantReads
from tests.drawn import drawn
from tests.integration.persistence.test_persistence_concurrency import outcomes

MERCHANT = "acme"


def variant(sku: str, group: str = "SHIRT", price: str = "100.00", **kw: Any) -> Variant:
    return Variant(
        merchant=MERCHANT,
        sku=sku,
        group_key=group,
        title=f"Shirt {sku}",
        price=Decimal(price),
        currency="AED",
        options=(("size", sku[-1]), ("colour", "Blue")),
        **kw,
    )


CATALOGUE = [
    variant("SKU-A"),
    variant("SHIRT-S"),
    variant("SHIRT-L", price="120.00"),
    variant("SKU-B", "MUG", "49.50"),
    variant("MUG-BLUE", "MUG", "40.00"),
]


async def stock(world, *variants: Variant, **settings: Any) -> None:
    await world.run(
        xs.upsert_variants,
        c.UpsertVariants(merchant=MERCHANT, variants=list(variants or CATALOGUE)),
    )
    if settings:
        await world.run(
            xs.update_exchange_settings, c.UpdateExchangeSettings(merchant=MERCHANT, **settings)
        )


async def create(world, exchange: list[ExchangeItem], items: dict[str, int] | None = None):
    cmd = c.CreateReturn(
        actor=world.actor,
        merchant=MERCHANT,
        order_reference="ORD-1",
        items=world.items(items or {"SKU-A": 2, "SKU-B": 1}),
        details=RequestDetails(pickup=world.pickup, dropoff=world.dropoff),
        exchange_items=exchange,
    )
    return await world.run(services.create_return, cmd)


# ------------------------------------------------------------------ catalogue


async def test_variants_upsert_in_bulk_and_page_by_group(world):
    created, updated, stored = await world.run(
        xs.upsert_variants, c.UpsertVariants(merchant=MERCHANT, variants=CATALOGUE)
    )
    assert (created, updated, len(stored)) == (5, 0, 5)
    again = await world.run(
        xs.upsert_variants,
        c.UpsertVariants(merchant=MERCHANT, variants=[variant("SHIRT-S", available=False)]),
    )
    assert again[:2] == (0, 1)

    async with world.db.reading() as reads:
        found = VariantReads(reads, "default")
        first = await found.page(MERCHANT, group_key="SHIRT", first=2)
        rest = await found.page(MERCHANT, group_key="SHIRT", after=first[-1].sku, first=2)
        total = await found.count(MERCHANT, group_key="SHIRT")
        one = await found.by_skus(MERCHANT, ["SHIRT-S", "NOPE"])
    assert [v.sku for v in first + rest] == ["SHIRT-L", "SHIRT-S", "SKU-A"]
    assert total == 3
    assert one["SHIRT-S"].options == (("size", "S"), ("colour", "Blue"))
    assert not one["SHIRT-S"].exchangeable
    assert one["SHIRT-S"].updated_at == world.clock.now()

    await world.run(xs.delete_variant, c.DeleteVariant(merchant=MERCHANT, sku="SHIRT-S"))
    try:
        await world.run(xs.delete_variant, c.DeleteVariant(merchant=MERCHANT, sku="SHIRT-S"))
    except DomainError as error:
        assert error.code == ErrorCode.NOT_FOUND
    else:  # pragma: no cover
        raise AssertionError("a second delete finds nothing")


async def test_settings_default_then_change_one_at_a_time(world):
    async with world.uow() as uow:
        assert (await uow.exchanges.settings(MERCHANT)).release_on == ExchangeRelease.RECEIPT
    await stock(world, release_on=ExchangeRelease.APPROVAL)
    changed = await world.run(
        xs.update_exchange_settings,
        c.UpdateExchangeSettings(merchant=MERCHANT, allow_any_product=True),
    )
    assert (changed.release_on, changed.allow_any_product) == (ExchangeRelease.APPROVAL, True)


# ------------------------------------------------------------------ the aggregate


async def test_exchange_lines_and_payments_round_trip_through_both_loaders(world):
    await world.order()
    await stock(world)
    request = await create(world, [ExchangeItem("SHIRT-L", 1, "SKU-A")], {"SKU-A": 1})
    rid = request.id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    await world.run(
        xs.record_exchange_payment,
        c.RecordExchangePayment(
            return_request_id=rid, amount=Decimal("20.00"), currency="AED", reference="P1"
        ),
    )
    await world.run(xs.release_exchange, c.ReleaseExchange(return_request_id=rid))
    done = await world.run(
        xs.mark_exchange_fulfilled,
        c.MarkExchangeFulfilled(return_request_id=rid, tracking_number="TRK-1", carrier="dhl"),
    )

    loaded = await world.load(rid)
    read = (await world.read([rid]))[rid]
    for got in (loaded, read):
        assert got.exchange_lines == done.exchange_lines
        assert got.exchange_payments == done.exchange_payments
    [line] = loaded.exchange_lines
    assert line.status == S.FULFILLED and line.fulfilment.tracking_number == "TRK-1"
    assert loaded.balance()[0].difference_due == Decimal("20.00")
    assert loaded.balance()[0].unpaid == 0
    types = [e.event_type for e in await world.outbox(rid)]
    assert types.count("ExchangeReleased") == 1
    assert {"ExchangeRequested", "ExchangePaymentRecorded", "ExchangeFulfilled"} <= set(types)


async def test_release_on_approval_and_on_receipt(world):
    await world.order(lines={"SKU-A": (4, 4, Decimal("100.00")), "SKU-B": (2, 2, Decimal("49.50"))})
    await stock(world, release_on=ExchangeRelease.APPROVAL)
    instant = await create(world, [ExchangeItem("SHIRT-S", 1, "SKU-A")], {"SKU-A": 1})
    approved = await world.run(
        services.approve_return, c.ApproveReturn(return_request_id=instant.id)
    )
    assert approved.exchange_lines[0].status == S.RELEASED

    await stock(world, release_on=ExchangeRelease.RECEIPT)
    later = await create(world, [ExchangeItem("SHIRT-S", 1, "SKU-A")], {"SKU-A": 1})
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=later.id))
    received = await world.run(
        services.receive_return,
        c.ReceiveReturn(return_request_id=later.id, quantities={"SKU-A": 1}),
    )
    assert received.exchange_lines[0].status == S.RELEASED
    types = [e.event_type for e in await world.outbox(later.id)]
    assert types.count("ExchangeReleased") == 1


async def test_two_operators_releasing_one_request_release_it_once(world):
    await world.order()
    await stock(world)
    rid = (await create(world, [ExchangeItem("SHIRT-S", 2, "SKU-A")])).id
    await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))

    async def operator(_: int):
        cmd = c.ReleaseExchange(return_request_id=rid)
        return await xs.release_exchange(cmd, uow=world.uow(), clock=world.clock)

    results = await asyncio.gather(*(operator(n) for n in range(4)), return_exceptions=True)

    wins, losses = outcomes(results)
    assert len(wins) == 1, losses
    assert all(error.code == ErrorCode.INVALID_TRANSITION for error in losses)
    types = [e.event_type for e in await world.outbox(rid)]
    assert types.count("ExchangeReleased") == 1


# ------------------------------------------------------------------ sequences

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("approve"), st.integers(0, 2), st.integers(0, 1)),
        st.tuples(st.just("reject")),
        st.tuples(st.just("cancel")),
        st.tuples(st.just("split"), st.sampled_from(["SKU-A", "SKU-B"]), st.integers(1, 2)),
        st.tuples(st.just("receive"), st.sampled_from(["SKU-A", "SKU-B"]), st.integers(1, 2)),
        st.tuples(st.just("release")),
        st.tuples(st.just("pay")),
        st.tuples(st.just("convert"), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=8,
)
ASKS = st.lists(
    st.tuples(st.sampled_from(["SHIRT-S", "SHIRT-L", "MUG-BLUE"]), st.integers(1, 2)),
    max_size=2,
)

SCENARIOS = st.tuples(STEPS, ASKS, st.sampled_from(list(ExchangeRelease)))


class Run:
    def __init__(self, world, rid: str) -> None:
        self.world, self.ids = world, [rid]

    async def step(self, index: int, name: str, *args: Any) -> None:
        rid = self.ids[index % len(self.ids)]
        with contextlib.suppress(DomainError):
            await getattr(self, name)(rid, *args)

    async def approve(self, rid: str, a: int, b: int) -> None:
        cmd = c.ApproveReturn(
            return_request_id=rid, quantities={"SKU-A": a, "SKU-B": b}, rejection_reason="worn"
        )
        await self.world.run(services.approve_return, cmd)

    async def reject(self, rid: str) -> None:
        await self.world.run(
            services.reject_return, c.RejectReturn(return_request_id=rid, reason="no")
        )

    async def cancel(self, rid: str) -> None:
        await self.world.run(services.cancel_return, c.CancelReturn(return_request_id=rid))

    async def split(self, rid: str, sku: str, qty: int) -> None:
        cmd = c.SplitReturn(return_request_id=rid, quantities={sku: qty})
        _, new = await self.world.run(services.split_return, cmd)
        self.ids.append(new.id)

    async def receive(self, rid: str, sku: str, qty: int) -> None:
        cmd = c.ReceiveReturn(return_request_id=rid, quantities={sku: qty})
        await self.world.run(services.receive_return, cmd)

    async def release(self, rid: str) -> None:
        await self.world.run(xs.release_exchange, c.ReleaseExchange(return_request_id=rid))

    async def pay(self, rid: str) -> None:
        request = await self.world.load(rid)
        for balance in request.balance():
            if balance.unpaid > 0:
                cmd = c.RecordExchangePayment(
                    return_request_id=rid, amount=balance.unpaid, currency=balance.currency
                )
                await self.world.run(xs.record_exchange_payment, cmd)

    async def convert(self, rid: str, n: int) -> None:
        cmd = c.ConvertExchange(
            return_request_id=rid, line_id=f"XL-{n}", outcome=RefundOutcome.MONEY
        )
        await self.world.run(xs.convert_exchange, cmd)

    async def check(self) -> None:
        stored = await self.world.read(self.ids)
        released: Counter = Counter()
        for rid in self.ids:
            request = stored[rid]
            counted = request.counted_units()
            live: Counter = Counter()
            for line in request.exchange_lines:
                if line.is_live:
                    live[line.replaces_sku] += line.quantity
            assert all(q <= counted.get(sku, 0) for sku, q in live.items()), request
            for balance in request.balance():
                exchange = sum((x.total for x in request.exchange_lines if x.is_live), Decimal(0))
                returned = sum(
                    (i.unit_price * counted.get(i.sku, 0) for i in request.items), Decimal(0)
                )
                fees = balance.fees if request.status in APPROVED_FAMILY else 0
                expected = exchange - (returned - fees) if exchange else Decimal(0)
                assert balance.difference_due == round(expected, 2)
            for event in await self.world.outbox(rid):
                if event.event_type == "ExchangeReleased":
                    for line in event.payload["lines"]:
                        released[(rid, line[0])] += 1
        assert all(count == 1 for count in released.values()), released


async def test_any_sequence_of_decisions_keeps_the_exchange_invariants_as_stored(world):
    await world.order(
        lines={"SKU-A": (40, 40, Decimal("100.00")), "SKU-B": (40, 40, Decimal("49.50"))}
    )
    await stock(world, allow_any_product=True)
    for steps, asks, release_on in drawn(SCENARIOS, 12):
        await stock(world, release_on=release_on)
        exchange = [
            ExchangeItem(sku, qty, "SKU-A" if sku.startswith("SHIRT") else "SKU-B")
            for sku, qty in asks
        ]
        try:
            request = await create(world, exchange)
        except DomainError:
            request = await create(world, [])
        run = Run(world, request.id)
        for index, (name, *args) in enumerate(steps):
            await run.step(index, name, *args)
            await run.check()


async def test_release_on_the_carriers_first_scan_once(world):
    await world.order()
    await stock(world, release_on=ExchangeRelease.FIRST_SCAN)
    rid = (await create(world, [ExchangeItem("SHIRT-S", 1, "SKU-A")])).id
    approved = await world.run(services.approve_return, c.ApproveReturn(return_request_id=rid))
    assert approved.exchange_lines[0].status == S.RESERVED

    scanned, first = await world.run(
        services.record_first_scan, c.RecordFirstScan(return_request_id=rid)
    )
    again, second = await world.run(
        services.record_first_scan, c.RecordFirstScan(return_request_id=rid)
    )

    assert (first, second) == (True, False)
    assert scanned.exchange_lines[0].status == again.exchange_lines[0].status == S.RELEASED
    types = [e.event_type for e in await world.outbox(rid)]
    assert types.count("ExchangeReleased") == 1
    [released] = [e for e in await world.outbox(rid) if e.event_type == "ExchangeReleased"]
    assert released.payload["ship_to"]["address1"] == world.pickup.address1
    assert released.payload["lines"] == [["XL-1", "SHIRT-S", 1, "SKU-A", "100.00", "AED"]]


async def test_asking_for_an_exchange_takes_the_merchants_exchange_resolution(world):
    await world.order()
    await stock(world)
    marked = ReferenceEntry(
        kind=ReferenceKind.RESOLUTION, merchant=MERCHANT, code="EXCH", name="Exchange",
        is_exchange=True,
    )  # fmt: skip
    await create_reference(marked, uow=world.uow())

    exchanging = await create(world, [ExchangeItem("SHIRT-S", 1, "SKU-A")], {"SKU-A": 1})
    plain = await create(world, [], {"SKU-B": 1})

    assert (await world.load(exchanging.id)).details.resolution == "EXCH"
    assert (await world.load(plain.id)).details.resolution is None

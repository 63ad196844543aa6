"""The insights' rollups (`insight_days`) are a read model kept by the writes: after any
sequence of the real use cases (orders upserted again with other lines, returns created,
edited, approved, split, held, rejected, refunded and refunds deleted, with time passing
across midnight), the stored rows equal a recount from the source rows, on both databases.
And a rebuild writes exactly that recount."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from domain import commands as c
from domain import services
from domain.errors import DomainError
from domain.lifecycle import ReturnStatus
from domain.parts import ItemRequest
from persistence import insight_rollups, insights
from persistence.statements import SqlAlchemyStatements
from tests.drawn import drawn
from tests.integration.persistence.conftest import ACTOR, MERCHANT, World

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = 30
SKUS = ("SKU-A", "SKU-B", "SKU-C")
REASONS = (None, "DAMAGED", "SIZE")
QUANTITIES = st.dictionaries(st.sampled_from(SKUS), st.integers(1, 3), min_size=1)
STEPS = st.one_of(
    st.tuples(
        st.just("order"),
        st.integers(0, 2),
        st.dictionaries(st.sampled_from(SKUS), st.integers(1, 6), min_size=1),
    ),
    st.tuples(st.just("create"), st.integers(0, 2), QUANTITIES, st.sampled_from(REASONS)),
    st.tuples(st.just("edit"), st.integers(0, 9), QUANTITIES, st.sampled_from(REASONS)),
    st.tuples(st.just("approve"), st.integers(0, 9)),
    st.tuples(st.just("split"), st.integers(0, 9), QUANTITIES),
    st.tuples(st.just("status"), st.integers(0, 9), st.sampled_from(["ON_HOLD", "REJECTED"])),
    st.tuples(
        st.just("refund"),
        st.integers(0, 9),
        st.sampled_from([None, "CARD", "CASH"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99"), places=2),
    ),
    st.tuples(st.just("unrefund"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.integers(1, 40)),  # hours: days roll over
)


class Scenario:
    """Runs steps through the real use cases on its own tenant; a step the domain refuses
    writes nothing (and must leave the rollups as they were)."""

    def __init__(self, world: World, tenant: str) -> None:
        self.world, self.tenant = world, tenant
        self.requests: list[str] = []

    def pick(self, index: int) -> str | None:
        return self.requests[index % len(self.requests)] if self.requests else None

    async def run(self, use_case: Any, cmd: Any) -> Any:
        with contextlib.suppress(DomainError):
            return await self.world.run(use_case, cmd, tenant_id=self.tenant)
        return None

    async def step(self, step: tuple[Any, ...]) -> None:
        kind, *args = step
        if kind == "order":
            lines = {sku: (n, n, Decimal("10.00")) for sku, n in args[1].items()}
            with contextlib.suppress(DomainError):
                await self.world.order(f"ORD-{args[0]}", lines, tenant_id=self.tenant)
            return
        if kind == "wait":
            self.world.clock.advance(hours=args[0])
            return
        if kind == "create":
            items = [
                ItemRequest(sku=s, quantity=n, reason_code=args[2]) for s, n in args[1].items()
            ]
            with contextlib.suppress(DomainError):
                created = await self.world.create(f"ORD-{args[0]}", items, tenant_id=self.tenant)
                self.requests.append(created.id)
            return
        rid = self.pick(args[0])
        if rid is None:
            return
        if kind == "edit":
            items = [
                ItemRequest(sku=s, quantity=n, reason_code=args[2]) for s, n in args[1].items()
            ]
            await self.run(
                services.update_return,
                c.UpdateReturn(actor=ACTOR, return_request_id=rid, items=items),
            )
        elif kind == "approve":
            await self.run(
                services.approve_return, c.ApproveReturn(actor=ACTOR, return_request_id=rid)
            )
        elif kind == "split":
            parts = await self.run(
                services.split_return,
                c.SplitReturn(actor=ACTOR, return_request_id=rid, quantities=args[1]),
            )
            if parts is not None:
                self.requests.append(parts[1].id)
        elif kind == "status":
            cmd = c.SetReturnStatus(
                actor=ACTOR, return_request_id=rid, status=ReturnStatus(args[1])
            )
            await self.run(services.set_return_status, cmd)
        elif kind == "refund":
            cmd = c.AddRefund(
                actor=ACTOR, return_request_id=rid, amount=args[2], currency="AED",
                refund_type=args[1],
            )  # fmt: skip
            await self.run(services.add_refund, cmd)
        elif kind == "unrefund":
            request = await self.world.load(rid, tenant_id=self.tenant)
            if request.refunds:
                cmd = c.DeleteRefund(
                    actor=ACTOR, return_request_id=rid, refund_id=request.refunds[0].id
                )
                await self.run(services.delete_refund, cmd)

    async def check(self) -> None:
        async with self.world.db.reading() as reads:
            stored = await insight_rollups.stored(reads, self.tenant)
            recounted = await insight_rollups.recount(reads, self.tenant)
        assert stored == recounted


PRELUDE = [
    *[("order", n, dict.fromkeys(SKUS, 6)) for n in range(3)],
    ("create", 0, {"SKU-A": 2, "SKU-B": 1}, "SIZE"),
    ("approve", 0),
]


async def test_the_rollups_equal_a_recount_after_any_history(world: World) -> None:
    histories = 0
    for number, steps in enumerate(drawn(st.lists(STEPS, min_size=1, max_size=20), EXAMPLES)):
        scenario = Scenario(world, tenant=f"roll-{number}")
        for step in [*PRELUDE, *steps]:
            await scenario.step(step)
        await scenario.check()
        histories += len(scenario.requests) > 1
    assert histories >= EXAMPLES // 3  # many histories did more than the prelude


async def test_splits_refunds_and_status_changes_keep_the_rollups(world: World) -> None:
    scenario = Scenario(world, tenant="roll-known")
    world.clock.advance(hours=11)  # 23:00: the next steps cross midnight UTC
    for step in [
        ("order", 0, {"SKU-A": 4, "SKU-B": 2}),
        ("create", 0, {"SKU-A": 3, "SKU-B": 1}, "SIZE"),
        ("approve", 0),
        ("split", 0, {"SKU-A": 1}),
        ("wait", 2),
        ("refund", 0, "CARD", Decimal("10.50")),
        ("refund", 1, None, Decimal("3.25")),
        ("status", 1, "ON_HOLD"),
        ("unrefund", 0),
        ("order", 0, {"SKU-A": 5, "SKU-C": 1}),
    ]:
        await scenario.step(step)
        await scenario.check()
    async with world.db.reading() as reads:
        stored = await insight_rollups.stored(reads, "roll-known")
    charts = {key[1] for key in stored}
    assert {"returned", "ordered", "reasons", "refunds", "delays"} <= charts


async def test_a_rebuild_writes_the_recount(world: World) -> None:
    scenario = Scenario(world, tenant="roll-rebuilt")
    for step in [
        ("order", 0, {"SKU-A": 4}),
        ("create", 0, {"SKU-A": 2}, "DAMAGED"),
        ("approve", 0),
        ("wait", 30),
        ("refund", 0, "CARD", Decimal("7.00")),
    ]:
        await scenario.step(step)
    async with world.db.write_session() as session, session.begin():
        await insight_rollups.rebuild(SqlAlchemyStatements.of(session), "roll-rebuilt")
    await scenario.check()
    async with world.db.reading() as reads:
        delays = {
            key: value
            for key, value in (await insight_rollups.stored(reads, "roll-rebuilt")).items()
            if key[1] == "delays"
        }
    assert sorted(key[2] for key in delays) == ["day", "month"]
    assert list(delays.values()) == [(1, 30 * 3600)] * 2


def test_a_period_splits_into_whole_days_and_partial_edges() -> None:
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    values = insight_rollups.period_values(start, start + timedelta(days=3))
    assert (values["head_end"] - start, values["tail_start"] - start) == (
        timedelta(hours=4),
        timedelta(days=2, hours=4),
    )
    assert (values["first_day"].day, values["last_day"].day) == (2, 4)
    within = insight_rollups.period_values(start, start + timedelta(hours=2))
    assert within["head_end"] == within["tail_start"] == within["end"]
    assert within["first_day"] == within["last_day"]


def from_source_only(start: datetime, end: datetime) -> dict[str, Any]:
    """Period values that count all of [start, end) from the source rows (no rollup row)."""
    day = start.astimezone(UTC).date()
    moments = {"start": start, "head_end": end, "tail_start": end, "end": end}
    return moments | dict.fromkeys(insight_rollups._DAYS, day)


async def test_each_chart_over_months_days_and_partial_days_equals_the_source_count(
    world: World,
) -> None:
    """Months from month rows, days from day rows, the partial first and last days from
    the source rows: the same figures as counting every source row of the period."""
    scenario = Scenario(world, tenant="roll-periods")
    await scenario.step(("order", 0, dict.fromkeys(SKUS, 40)))
    for n in range(12):  # 2025-03-01 12:00 and every 5 days 7 hours: into May
        sku = SKUS[n % 3]
        await scenario.step(("create", 0, {sku: 1 + n % 2}, REASONS[n % 3]))
        await scenario.step(("approve", n))
        await scenario.step(("wait", 7 + 24 * (n % 4)))
        await scenario.step(("refund", n, ("CARD", None)[n % 2], Decimal("5.25") + n))
        await scenario.step(("wait", 5 * 24 + 7 - (7 + 24 * (n % 4))))
    dubai = timezone(timedelta(hours=4))
    periods = [
        (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        (datetime(2025, 3, 1, tzinfo=dubai), datetime(2025, 6, 1, tzinfo=dubai)),
        (datetime(2025, 3, 9, 13, 30, tzinfo=UTC), datetime(2025, 4, 20, 2, tzinfo=UTC)),
        (datetime(2025, 3, 9, 13, 30, tzinfo=UTC), datetime(2025, 5, 2, 2, tzinfo=UTC)),
        (datetime(2025, 3, 20, 1, tzinfo=UTC), datetime(2025, 3, 20, 23, tzinfo=UTC)),
        (datetime(2025, 3, 31, 20, tzinfo=UTC), datetime(2025, 5, 1, 3, tzinfo=UTC)),
    ]
    async with world.db.reading() as reads:
        for start, end in periods:
            period = insights.Period("roll-periods", MERCHANT, start, end)
            for chart in (
                insights._products, insights._reasons, insights._outcomes, insights._delays,
                insights._weekly,
            ):  # fmt: skip
                statement = chart(reads.dialect_name)
                values = {"tenant": period.tenant_id, "merchant": MERCHANT}
                split = await reads.rows(
                    statement, values | insight_rollups.period_values(start, end)
                )
                whole = await reads.rows(statement, values | from_source_only(start, end))
                assert [dict(row) for row in split] == [dict(row) for row in whole], (chart, start)
        everything = await insights.products(reads, insights.Period(
            "roll-periods", MERCHANT, *periods[0]))  # fmt: skip
    assert sum(product.returns for product in everything) == 12


def test_the_cli_rebuilds_a_tenants_rollups(tmp_path: Path) -> None:
    """`returns-api rebuild-insights --tenant` writes the rollups again from the rows: after
    the demo's seeding kept them, and after they were lost."""
    path = tmp_path / "cli.db"
    env = os.environ | {"DATABASE_URL": f"sqlite+aiosqlite:///{path}"}

    def run(*args: str) -> str:
        command = [sys.executable, "-m", "ops.cli", *args]
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=True
        )
        return done.stdout

    def rows() -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            return connection.execute(
                "SELECT * FROM insight_days ORDER BY 1, 2, 3, 4, 5, 6, 7"
            ).fetchall()

    run("seed-demo")
    kept = rows()
    assert kept
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DELETE FROM insight_days")
    assert "rollups of tenant dev rebuilt" in run("rebuild-insights", "--tenant", "dev")
    assert [row for row in rows() if row[-2:] != (0, 0)] == [
        row for row in kept if row[-2:] != (0, 0)
    ]


async def test_a_save_of_an_aggregate_the_repository_did_not_load_counts_from_the_rows(
    world: World,
) -> None:
    """What the request counted is then read from the database: the rollups stay exact."""
    scenario = Scenario(world, tenant="roll-unloaded")
    for step in [*PRELUDE, ("refund", 0, "CARD", Decimal("3.00"))]:
        await scenario.step(step)
    rid = scenario.requests[0]
    request = (await world.read([rid], tenant_id="roll-unloaded"))[rid]
    request.items[0].quantity = 1
    request.items[0].reason_code = "DAMAGED"
    async with world.uow("roll-unloaded") as uow:
        await uow.returns.save(request)
        await uow.commit()
    await scenario.check()
    async with world.db.reading() as reads:
        stored = await insight_rollups.stored(reads, "roll-unloaded")
    assert any(key[1] == "reasons" and key[5] == "DAMAGED" for key in stored)

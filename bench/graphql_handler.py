"""CPU per call of POST /graphql's handler alone, in process: no HTTP client, no
middlewares, the request built beforehand. Two reads: `one` (bench/compare.py's one-return
read over SQLite) and `viewer` (no database: the GraphQL machinery alone, parse cache,
policies, context, plan, encoding). Best and median of rounds; compare two checkouts by
running it from each one's root, alternating (this machine is noisy).

    .venv/bin/python bench/graphql_handler.py viewer 3000 7
    cd /tmp/base && /path/to/.venv/bin/python /path/to/bench/graphql_handler.py viewer
    PROFILE=tottime .venv/bin/python bench/graphql_handler.py one 1000 1   # where it goes
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from typing import Any
from unittest import mock

sys.path[:0] = [os.getcwd(), os.path.join(os.getcwd(), "bench")]  # the checkout measured

from aiohttp import streams, web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request  # noqa: E402
from compare import OURS_ONE  # noqa: E402

from core.settings import Settings  # noqa: E402
from edge.auth import PRINCIPAL_KEY, identify  # noqa: E402
from ops.app import create_app  # noqa: E402
from persistence import migrate  # noqa: E402
from persistence.database import Database  # noqa: E402
from persistence.tables import DEFAULT_TENANT  # noqa: E402
from tests.clocks import FixedClock  # noqa: E402
from tests.e2e.conftest import credentials, graphql_view  # noqa: E402
from tests.e2e.graphql.conftest import (  # noqa: E402
    CREATE_RETURN,
    DROPOFF,
    PICKUP,
    UPSERT_ORDER,
    order_lines,
)

VIEWER = "query V { viewer { tenantId clientId role mayWrite } }"


async def seeded(client: TestClient) -> str:
    """One order and one return request; the request's global id."""

    async def post(query: str, variables: dict[str, Any]) -> Any:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        return await response.json()

    order = {"merchant": "acme", "reference": "SO-1", "currency": "AED", "lines": order_lines()}
    await post(UPSERT_ORDER, {"input": order})
    created = {"merchant": "acme", "orderReference": "SO-1", "pickup": PICKUP, "dropoff": DROPOFF}
    created["items"] = [{"sku": "SHIRT-M", "quantity": 2}]
    body = await post(CREATE_RETURN, {"input": created})
    return str(body["data"]["createReturn"]["returnRequest"]["id"])


async def main(read: str, calls: int, rounds: int) -> None:
    folder = tempfile.mkdtemp()
    db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
    await migrate.upgrade(db)
    clock = FixedClock()
    headers = await credentials(db, clock, DEFAULT_TENANT)
    settings = Settings(
        migrate_on_start=False, webhook_interval_seconds=0, graphql_compare_executors=False
    )
    app = create_app(settings, db=db, clock=clock)
    async with TestClient(TestServer(app), headers=headers) as client:
        rid = await seeded(client)
        view = graphql_view(client)
        query, variables = (OURS_ONE, {"id": rid}) if read == "one" else (VIEWER, {})
        body = json.dumps({"query": query, "variables": variables}).encode()
        loop = asyncio.get_running_loop()

        def request() -> web.Request:
            payload = streams.StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=loop)
            payload.feed_data(body)
            payload.feed_eof()
            return make_mocked_request(
                "POST",
                "/graphql",
                headers={**headers, "Content-Type": "application/json"},
                payload=payload,
                app=app,
            )

        principal = await identify(request(), view.wiring)

        def ready() -> web.Request:
            built = request()
            built[PRINCIPAL_KEY] = principal
            return built

        first = await view(ready())
        assert b'"errors"' not in first.body and b'"data":{' in first.body, first.body
        for _ in range(300):
            await view(ready())
        cpu: list[float] = []
        for _ in range(rounds):
            batch = [ready() for _ in range(calls)]
            profile = cProfile.Profile() if os.environ.get("PROFILE") else None
            if profile:
                profile.enable()
            started = time.process_time()
            for each in batch:
                await view(each)
            cpu.append((time.process_time() - started) / calls * 1e6)
            if profile:
                profile.disable()
                pstats.Stats(profile).sort_stats(os.environ["PROFILE"]).print_stats(40)
        print(
            f"{read}: best {min(cpu):.0f} µs CPU/call, median {statistics.median(cpu):.0f} µs,"
            f" rounds {[round(c) for c in cpu]}"
        )
    await db.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            args[0] if args else "one",
            int(args[1]) if len(args) > 1 else 1000,
            int(args[2]) if len(args) > 2 else 7,
        )
    )

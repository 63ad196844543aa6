"""What metrics add to one request, in microseconds:

- the middleware (labels, context variable, counter, histogram) around a handler that does
  nothing, against the same handler called bare, for requests matched by the app's real
  router: a named GraphQL operation, a REST route, and a path no route matches;
- the GraphQL policy that notes the operation name, from `{ __typename }` executed by
  the real schema with it (20 times over, to rise above the noise) and without it.

    .venv/bin/python bench/metrics_overhead.py [rounds]

Prints one line per case: the best of five runs, per request, with and without, and the
difference.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from core.request_record import current_record
from core.settings import Settings
from graphql_api.limits import GraphQLLimits
from graphql_api.operation_metrics import OperationRecorder
from graphql_api.schema import build_schema, standard_policies
from ops.app import create_app
from ops.metrics.registry import METRICS_KEY

RUNS = 5
AMPLIFY = 20
OK = web.Response(status=200)


async def handler(request: web.Request) -> web.StreamResponse:
    record = current_record()
    if record is not None and request.path == "/graphql":
        record.executed, record.operation_name = True, "Count"  # what the extension notes
    return OK


async def per_call(call: Callable[[], Awaitable[object]], rounds: int, runs: int = RUNS) -> float:
    """Best of `runs`, in microseconds per call."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(rounds):
            await call()
        best = min(best, (time.perf_counter() - started) / rounds * 1e6)
    return best


async def middleware_cases(app: web.Application, rounds: int) -> None:
    middleware = app[METRICS_KEY].middleware
    for method, path in (
        ("POST", "/graphql"),
        ("GET", "/returns/reasons"),
        ("GET", "/no/such/path"),
    ):
        request = make_mocked_request(method, path, app=app)
        request._match_info = await app.router.resolve(request)  # as the server does
        bare = await per_call(lambda r=request: handler(r), rounds)
        wrapped = await per_call(lambda r=request: middleware(r, handler), rounds)
        report(f"middleware {method} {path}", bare, wrapped)


async def extension_case(rounds: int) -> None:
    """One policy's cost drowns in the noise of a whole execution: run the recorder
    AMPLIFY times over, alternating with a schema without it, and divide."""
    others = [
        policy
        for policy in standard_policies(GraphQLLimits())
        if not isinstance(policy, OperationRecorder)
    ]
    without = build_schema(policies=others)
    amplified = build_schema(policies=[*(OperationRecorder() for _ in range(AMPLIFY)), *others])
    bare, wrapped = float("inf"), float("inf")
    for _ in range(RUNS * 6):
        bare = min(bare, await per_call(lambda: without.execute("{ __typename }"), rounds, 1))
        wrapped = min(
            wrapped, await per_call(lambda: amplified.execute("{ __typename }"), rounds, 1)
        )
    report("GraphQL policy, { __typename }", bare, bare + (wrapped - bare) / AMPLIFY)


def report(case: str, bare: float, wrapped: float) -> None:
    print(
        f"{case:40} without {bare:7.2f} µs   with {wrapped:7.2f} µs   "
        f"added {wrapped - bare:6.2f} µs/request",
        flush=True,
    )


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(Settings(database_url=url))  # nothing connects: no query runs
        await middleware_cases(app, rounds)
        await extension_case(max(1, rounds // 500))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))

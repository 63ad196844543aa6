"""Where a read's time goes: serve returns-api on the database bench/compare.py loaded, put
one read under wrk load, sample the server with py-spy and print the functions that hold the
most samples, inclusive and self. Run `bench/compare.py --mode reads` once first.

    .venv/bin/python bench/profile_reads.py one          # returnRequest with items
    .venv/bin/python bench/profile_reads.py page         # newest 100 with items
    .venv/bin/python bench/profile_reads.py rest         # GET /returns/requests/{id}

Needs py-spy (`.venv/bin/pip install py-spy`) and wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import tempfile
from pathlib import Path

import aiohttp
from compare import OURS_ONE, OURS_PAGE, PEERS, Target, graphql_target, run_wrk, sample_ids
from harness import Server, credentials, record_stacks, say

from persistence.database import Database


def target_for(read: str, server: Server, headers: dict[str, str]) -> Target:
    gql = f"{server.url}/graphql"
    if read == "one":
        return graphql_target("returns-api", server.pid, gql, OURS_ONE, headers, True)
    if read == "page":
        return graphql_target("returns-api", server.pid, gql, OURS_PAGE, headers, False)
    return Target("returns-api", server.pid, "GET", f"{server.url}/returns/requests/@ID@", headers)


def frame_name(frame: str) -> str:
    """`function (path/to/file.py:12)` → `function file.py`: lines apart, one entry."""
    function, _, where = frame.partition(" (")
    return f"{function} {where.split(':')[0].rsplit('/', 1)[-1]}"


def top(raw: Path, limit: int) -> None:
    """Inclusive and self sample counts per function from py-spy's collapsed stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame_name(frame) for frame in stack.split(";")]
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n{title} (% of {total} samples)")
        for frame, n in counter.most_common(limit):
            print(f"{100 * n / total:6.1f}%  {frame}")


async def main(args: argparse.Namespace) -> None:
    url = f"{args.postgres}/returns_bench_compare{args.db_suffix}"
    ids = await sample_ids(url, 1000)
    db = Database(url)
    headers = await credentials(db)
    await db.dispose()
    server = Server(url, PEERS / "logs" / "profile.log")
    async with aiohttp.ClientSession() as http:
        await server.start(http)
    try:
        target = target_for(args.read, server, headers)
        await run_wrk(target, ids, args, 2)
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "stacks.txt"
            spy = await record_stacks(server.pid, args.seconds, raw, native=args.native)
            requests, failed, elapsed = await run_wrk(target, ids, args, args.seconds)
            await spy.wait()
            say(f"{requests / elapsed:.1f} req/s, {failed} failed")
            top(raw, args.limit)
    finally:
        await server.stop()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("read", choices=["one", "page", "rest"])
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10, help="wrk's --timeout in seconds")
    parser.add_argument("--db-suffix", default="", help="as bench/compare.py's --db-suffix")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument(
        "--native", action="store_true", help="sample C and Cython frames too (slower)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))

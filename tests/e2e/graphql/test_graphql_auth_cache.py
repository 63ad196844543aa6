"""A process remembers whose each bearer token is for RETURNS_AUTH_CACHE_SECONDS, so calls
cost no database round trip to authenticate; a revoked API client is refused by every process
once that time has passed, and the API key, tenant and expiry are checked on every call."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient

from persistence.access import AccessStore
from persistence.database import Database
from tests.clocks import FixedClock
from tests.conftest import StatementCounter
from tests.e2e.conftest import credentials

ROOT = Path(__file__).resolve().parents[3]
TENANT = "cache-co"
COUNT = "{ returnRequests(first: 1) { totalCount } }"


async def status(client: TestClient, headers: dict[str, str]) -> int:
    response = await client.post("/graphql", json={"query": COUNT}, headers=headers)
    return response.status


async def revoke(db: Database, clock: FixedClock, headers: dict[str, str]) -> None:
    """Revoke the client behind `headers` as the CLI does."""
    identity = await AccessStore(db).identity(_token_hash(headers))
    assert identity is not None
    assert await AccessStore(db).revoke_client(identity.client_id, clock.now())


def _token_hash(headers: dict[str, str]) -> str:
    from domain.access import secret_hash

    return secret_hash(headers["Authorization"].removeprefix("Bearer "))


async def test_a_known_token_costs_no_statement(served, db: Database, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    client = await served(60)
    headers = await credentials(db, clock, TENANT)
    assert await status(client, headers) == 200
    counter = StatementCounter(db)
    assert await status(client, headers) == 200
    read = [s for s in counter.statements if "access_tokens" in s or "api_clients" in s]
    assert read == []


async def test_a_revoked_client_is_refused_once_the_cache_time_has_passed(  # type: ignore[no-untyped-def]
    served, db: Database, clock: FixedClock
) -> None:
    client = await served(0.3)
    headers = await credentials(db, clock, TENANT)
    assert await status(client, headers) == 200
    await revoke(db, clock, headers)
    await asyncio.sleep(0.4)
    assert await status(client, headers) == 401


async def test_without_a_cache_time_revocation_takes_effect_at_once(  # type: ignore[no-untyped-def]
    served, db: Database, clock: FixedClock
) -> None:
    client = await served(0)
    headers = await credentials(db, clock, TENANT)
    assert await status(client, headers) == 200
    await revoke(db, clock, headers)
    assert await status(client, headers) == 401


async def test_key_tenant_and_expiry_are_checked_on_every_call(  # type: ignore[no-untyped-def]
    served, db: Database, clock: FixedClock
) -> None:
    client = await served(60)
    headers = await credentials(db, clock, TENANT, lifetime=timedelta(minutes=5))
    other = await credentials(db, clock, "other-co")
    assert await status(client, headers) == 200  # remembered from here on
    assert await status(client, {**headers, "x-api-key": other["x-api-key"]}) == 401
    assert await status(client, {**headers, "tenant-id": "other-co"}) == 401
    clock.advance(minutes=6)
    assert await status(client, headers) == 401


def test_the_cli_revokes_a_client_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'returns.db'}"
    run = _cli(url)
    assert run("create-tenant", "acme-co").returncode == 0
    created = run("create-api-key", "--tenant", "acme-co")
    client_id = next(
        line.split()[-1] for line in created.stdout.splitlines() if "client_id:" in line
    )
    revoked = run("revoke-api-key", client_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    unknown = run("revoke-api-key", "rc_nobody")
    assert unknown.returncode == 2
    assert "NOT_FOUND" in unknown.stderr

    async def is_revoked() -> bool:
        db = Database(url)
        try:
            store = AccessStore(db)
            now = FixedClock().now()
            return await store.issue_token(client_id, "any-secret", now) is None
        finally:
            await db.dispose()

    assert asyncio.run(is_revoked())


def _cli(url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    env["DATABASE_URL"] = url

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ops.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run

"""Connections lent for reads: a read cancelled mid-statement (a GraphQL query past its time
limit) must not hand the next reader a connection that is still busy cancelling."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from persistence.database import Database


async def test_a_read_cancelled_mid_statement_leaves_no_busy_connection(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL: asyncpg cancels a statement on the server")
    for _ in range(3):
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                async with db.reading() as reads:
                    await reads.scalar(text("SELECT pg_sleep(2)"))

    # Every connection the pool can lend (it lends the oldest idle one first) answers.
    for _ in range(40):
        async with db.reading() as reads:
            assert await reads.scalar(text("SELECT 1")) == 1

"""A failed statement's error names the SQL, never the values bound to it: its traceback is
logged, and the values can be a webhook secret."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

SECRET = "a-webhook-secret-bound-to-a-failing-statement"
FAILING = text("SELECT secret FROM no_such_table WHERE secret = :secret")


async def test_a_failed_statement_does_not_show_its_parameters(db) -> None:
    with pytest.raises(DBAPIError) as failed:
        async with db.engine.connect() as connection:
            await connection.execute(FAILING, {"secret": SECRET})
    assert "no_such_table" in str(failed.value)
    assert SECRET not in str(failed.value)

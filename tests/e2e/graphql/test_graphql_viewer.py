"""`viewer`: a dashboard learns whether its key may write, and when its token expires."""

from __future__ import annotations

from domain.access import Role
from tests.e2e.conftest import credentials

VIEWER = "{ viewer { tenantId clientId role mayWrite tokenExpiresAt } }"


async def test_a_full_key_may_write_and_its_token_expiry_is_given(graphql):
    viewer = (await graphql.data(VIEWER))["viewer"]

    assert viewer["tenantId"] == "default"
    assert viewer["role"] == "FULL" and viewer["mayWrite"] is True
    assert viewer["clientId"] and viewer["tokenExpiresAt"].endswith("+00:00")


async def test_a_read_only_key_is_told_it_may_not_write(graphql, db, clock):
    headers = await credentials(db, clock, "default", Role.READ_ONLY)

    viewer = (await graphql.data(VIEWER, headers=headers))["viewer"]

    assert viewer["role"] == "READ_ONLY" and viewer["mayWrite"] is False

"""`POST /oauth/revoke` (RFC 7009, issue 21): a token its holder or its client revokes is
refused with 401 from then on, at once by the process that revoked it and by every other
once its auth cache time has passed; a stranger cannot revoke another client's token, and an
unknown token answers 200 as the RFC says."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from domain.access import IssuedCredentials
from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.graphql.conftest import Serve
from tests.e2e.graphql.test_graphql_auth import (
    api_headers,
    basic,
    new_client,
    oauth_error,
    token_for,
)

COUNT = "query Count { returnRequests(first: 1) { totalCount } }"
REVOKE = "/oauth/revoke"


async def status(client: TestClient, token: str, issued: IssuedCredentials) -> int:
    response = await client.post(
        "/graphql", json={"query": COUNT}, headers=api_headers(token, issued)
    )
    return response.status


async def test_a_token_revoked_by_its_holder_is_refused_at_once(
    served: Serve, db: Database, clock: FixedClock
) -> None:
    client = await served(60)
    issued = await new_client(db, clock)
    token = await token_for(client, issued)
    assert await status(client, token, issued) == 200  # remembered for 60 s from here on

    response = await client.post(REVOKE, data={"token": token, "token_type_hint": "access_token"})

    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    assert await status(client, token, issued) == 401


async def test_another_process_refuses_the_revoked_token_within_its_cache_time(
    served: Serve, db: Database, clock: FixedClock
) -> None:
    here, there = await served(60), await served(0.3)
    issued = await new_client(db, clock)
    token = await token_for(here, issued)
    assert await status(there, token, issued) == 200

    assert (await here.post(REVOKE, json={"token": token})).status == 200
    await asyncio.sleep(0.4)

    assert await status(there, token, issued) == 401


async def test_a_client_revokes_its_own_token_with_its_credentials(
    served: Serve, db: Database, clock: FixedClock
) -> None:
    client = await served(60)
    issued = await new_client(db, clock)
    token = await token_for(client, issued)
    by_basic = await client.post(
        REVOKE,
        data={"token": token},
        headers=basic(issued.client.client_id, issued.client_secret),
    )
    second = await token_for(client, issued)
    in_body = await client.post(
        REVOKE,
        json={
            "token": second,
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
        },
    )

    assert by_basic.status == in_body.status == 200
    assert await status(client, token, issued) == 401
    assert await status(client, second, issued) == 401


async def test_a_stranger_cannot_revoke_another_clients_token(
    served: Serve, db: Database, clock: FixedClock
) -> None:
    client = await served(0)
    victim, stranger = await new_client(db, clock), await new_client(db, clock)
    token = await token_for(client, victim)

    as_stranger = await client.post(
        REVOKE,
        data={"token": token},
        headers=basic(stranger.client.client_id, stranger.client_secret),
    )
    wrong_secret = await client.post(
        REVOKE,
        data={"token": token},
        headers=basic(victim.client.client_id, stranger.client_secret),
    )

    assert as_stranger.status == 200  # as for an unknown token: nothing said about this one
    await oauth_error(wrong_secret, 401, "invalid_client")
    assert await status(client, token, victim) == 200


@pytest.mark.parametrize(
    "token",
    ["rat_never-issued", "x" * 5000, "caf\u00e9", "nul\x00byte"],
    ids=["unknown", "too-long", "not-ascii", "nul"],
)
async def test_an_unknown_token_answers_200_as_rfc_7009_says(
    served: Serve, db: Database, clock: FixedClock, token: str
) -> None:
    client = await served(60)

    response = await client.post(REVOKE, json={"token": token})

    assert response.status == 200, await response.text()


async def test_a_revocation_without_a_token_is_an_invalid_request(
    served: Serve, db: Database, clock: FixedClock
) -> None:
    client = await served(60)

    no_token = await client.post(REVOKE, json={"token_type_hint": "access_token"})
    not_text = await client.post(REVOKE, json={"token": 42})
    no_body = await client.post(REVOKE, data=b"token=x", headers={"Content-Type": "text/plain"})

    await oauth_error(no_token, 400, "invalid_request")
    await oauth_error(not_text, 400, "invalid_request")
    await oauth_error(no_body, 400, "invalid_request")

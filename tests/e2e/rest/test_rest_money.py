"""The Carriyo shim takes amounts as JSON numbers, as the seed sends them, read exactly and in
plain notation; every other spelling is a 400 INVALID_INPUT and nothing is stored
(issue 12, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.rest.carriyo_client import Carriyo

REQUESTS = "/returns/requests"
REFUNDS = "{ returnRequests(first: 1) { edges { node { refunds { amount } } } } }"


async def add_refund(carriyo: Carriyo, amount: str) -> tuple[int, Any]:
    """`amount` is spliced into the JSON as it stands, to send numbers json.dumps never
    writes (1e1, 49.90 with its trailing zero)."""
    rid = (await carriyo.approved())["return_request_id"]
    response = await carriyo.http.post(
        f"{REQUESTS}/{rid}/refunds",
        data=f'{{"currency": "AED", "amount": {amount}}}',
        headers={"Content-Type": "application/json"},
    )
    return response.status, await response.json()


async def stored_refunds(carriyo: Carriyo) -> list[dict[str, str]]:
    response = await carriyo.http.post("/graphql", json={"query": REFUNDS})
    data = (await response.json())["data"]
    return data["returnRequests"]["edges"][0]["node"]["refunds"]


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("49.9", "49.9"), ("49.90", "49.90"), ("10", "10"), ("0.125", "0.125")],
)
async def test_a_json_number_is_stored_exactly_as_written(
    carriyo: Carriyo, amount: str, stored: str
) -> None:
    status, answer = await add_refund(carriyo, amount)

    assert status == 200, answer
    assert await stored_refunds(carriyo) == [{"amount": stored}]


@pytest.mark.parametrize(
    "amount",
    [
        "1e1",
        "4.99E1",
        "1E-1",
        "-0.0",
        "1.0000",
        "1." + "0" * 45,  # was 1 to the rules, and 47 characters for a 40-character column
        '"49.90"',
        '"\u0663"',
        "true",
    ],
)
async def test_any_other_spelling_is_refused_and_nothing_stored(
    carriyo: Carriyo, amount: str
) -> None:
    status, answer = await add_refund(carriyo, amount)

    assert status == 400, answer
    [error] = answer["errors"]
    assert error["code"] == "INVALID_INPUT", error
    assert await stored_refunds(carriyo) == []

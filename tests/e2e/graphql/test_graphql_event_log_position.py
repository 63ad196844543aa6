"""`eventLogPosition`: read before a list, it is where a subscription resumes without losing
what commits after the read."""

from __future__ import annotations

ONE = [{"sku": "SHIRT-M", "quantity": 1}]
POSITION = "{ eventLogPosition }"
LAST_EVENT = """
query ($after: EventPosition) { returnEvents(first: 100, after: $after) { edges { cursor } } }
"""


async def test_an_empty_log_stands_at_zero(graphql):
    assert (await graphql.data(POSITION))["eventLogPosition"] == "0"


async def test_the_position_is_the_newest_event_and_nothing_follows_it(api, graphql):
    await api.pending_return(items=ONE)
    await api.approved_return(items=ONE)

    position = (await graphql.data(POSITION))["eventLogPosition"]
    cursors = [e["cursor"] for e in (await graphql.data(LAST_EVENT))["returnEvents"]["edges"]]
    after = (await graphql.data(LAST_EVENT, {"after": position}))["returnEvents"]["edges"]

    assert position == cursors[-1]
    assert after == []

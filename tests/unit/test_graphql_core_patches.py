"""graphql-core 3.3 keeps a memo entry per subscription event in the subscription's
executor; with our patch (applied when the schema module loads) memory stays flat however
many events one subscription delivers."""

from __future__ import annotations

from graphql import build_schema, parse
from graphql.execution.executor import Executor

import graphql_api.schema  # noqa: F401  (applies the patch)

SCHEMA = build_schema(
    """
    type Query { dummy: String }
    type Event { position: String kind: String }
    type Subscription { event: Event }
    """
)


def test_a_long_subscription_does_not_grow_its_executor():
    executor = Executor.build(SCHEMA, parse("subscription { event { position kind } }"))

    for position in range(500):
        event = executor.build_per_event_executor({"event": {"position": str(position)}})
        result = event.execute_operation(False)
        assert result.data == {"event": {"position": str(position), "kind": None}}

    assert len(executor._relevant_sub_fields) <= 1

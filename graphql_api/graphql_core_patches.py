"""A workaround for graphql-core 3.3's subscriptions, applied once at import.

Each subscription event runs on a shallow copy of the subscription's executor
(`build_per_event_executor`), so every copy shares the parent's `_relevant_sub_fields`
memo. That memo is keyed by the identity of lists built afresh for every event: it gains
entries on each event and never shrinks while the subscription lives. Measured with
bench/subscription_latency.py: about 1.7 KB per delivered event per subscriber, and full
garbage collections eating a quarter of the server's time at 1,000 subscribers.

Giving each per-event executor its own memo keeps memory flat. Remove this module once
graphql-core releases a fix (the test in tests/unit/test_graphql_core_patches.py then
passes without it).
"""

from __future__ import annotations

from typing import Any

from graphql.execution.executor import Executor

_build_per_event_executor = getattr(Executor, "build_per_event_executor", None)


def _per_event_executor_with_own_memo(self: Executor, payload: Any) -> Executor:
    executor = _build_per_event_executor(self, payload)  # type: ignore[misc]
    if hasattr(executor, "_relevant_sub_fields"):
        executor._relevant_sub_fields = {}
    return executor


def apply() -> None:
    if _build_per_event_executor is not None:
        Executor.build_per_event_executor = _per_event_executor_with_own_memo  # type: ignore[method-assign]

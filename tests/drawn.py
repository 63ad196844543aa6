"""Examples of a hypothesis strategy drawn once, the same on every run.

Hypothesis cannot drive an async test that holds a database fixture, so the property tests
that go through the real database draw their scenarios here first and then run each one
against that database."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

T = TypeVar("T")


def drawn(strategy: SearchStrategy[T], count: int) -> list[T]:
    """Up to `count` examples of `strategy`, derandomized (the same list every run)."""
    found: list[T] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        found.append(example)

    collect()
    return found[:count]

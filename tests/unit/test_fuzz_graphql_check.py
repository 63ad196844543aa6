"""The fuzzer's GraphQL check has teeth: a 5xx and a resolver's error without a stable code
(a masked failure) fail it; refusals with our codes and validation errors do not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from fuzz.hooks import graphql_refusals_only


@dataclass
class Answer:
    body: Any
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return self.body


def _error(**extra: Any) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": "m", "locations": [], **extra}]}


@pytest.mark.parametrize(
    "answer",
    [
        Answer({"data": None}, status_code=500),
        Answer(_error(path=["returnInsights"])),  # "Unexpected error.": masked, no code
        Answer(_error(path=["returnInsights"], extensions={"code": "INTERNAL_SERVER_ERROR"})),
    ],
)
def test_a_server_failure_fails_the_check(answer: Answer) -> None:
    with pytest.raises(AssertionError):
        graphql_refusals_only(None, answer, None)


@pytest.mark.parametrize(
    "answer",
    [
        Answer({"data": {"returnInsights": {"merchant": "m"}}}),
        Answer(_error(path=["returnInsights"], extensions={"code": "INVALID_INPUT"})),
        Answer(_error()),  # refused before execution: no path
    ],
)
def test_a_refusal_with_a_stable_code_passes(answer: Answer) -> None:
    graphql_refusals_only(None, answer, None)

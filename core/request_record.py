"""What code deep inside a request tells the metrics: the error codes it answers and the
GraphQL operation it executes.

The request middleware puts a `RequestRecord` in a context variable; these functions fill
it. Outside a request (background senders, the CLI, tests of lower layers) there is no
record and they do nothing, so no caller has to know whether metrics are on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

ErrorCounter = Callable[[str, str], None]  # (face, code)
INTERNAL = "INTERNAL"  # a masked server failure
GRAPHQL = "GRAPHQL"  # GraphQL's own syntax and validation errors, which carry no code


@dataclass(slots=True)
class RequestRecord:
    face: str
    count_error: ErrorCounter
    operation_name: str | None = None
    executed: bool = False
    noted_error: bool = False


_RECORD: ContextVar[RequestRecord | None] = ContextVar("metrics_request", default=None)


def current_record() -> RequestRecord | None:
    return _RECORD.get()


def start_record(record: RequestRecord) -> object:
    """Make `record` the current request's; returns the token `end_record` needs."""
    return _RECORD.set(record)


def end_record(token: object) -> None:
    _RECORD.reset(token)  # type: ignore[arg-type]


def note_error(code: str) -> None:
    """The request answers an error with this code (a userError, a REST error body, a
    GraphQL error). Counted at once, so a long-lived websocket's errors are not held back."""
    record = _RECORD.get()
    if record is not None:
        record.noted_error = True
        record.count_error(record.face, code)


def note_operation(name: str | None) -> None:
    """The request executes the GraphQL operation `name` (None when it has none)."""
    record = _RECORD.get()
    if record is not None:
        record.executed = True
        record.operation_name = name


@contextmanager
def unrecorded() -> Iterator[None]:
    """Work done within is no request's (a test's second run of a request, for comparison):
    its errors and operation are not counted again."""
    token = _RECORD.set(None)
    try:
        yield
    finally:
        _RECORD.reset(token)

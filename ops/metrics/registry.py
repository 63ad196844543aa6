"""The series /metrics exports, on a registry of the app's own, and the middleware that
counts and times every request.

Every label is bounded. A face is one of a fixed list of path prefixes; an operation is the
route's template (never the path as sent) or, on /graphql, the executed operation's name,
admitted only while fewer than `MAX_OPERATION_NAMES` distinct names have been seen; an error
code is one of `ErrorCode`'s or INTERNAL, GRAPHQL, OTHER. No client can grow the number of
series beyond these bounds, however many names or paths it invents.

Per request the middleware costs two clock reads, a context variable, a dict lookup for the
route's labels and one for its series, a counter increment and a histogram observation."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from aiohttp import hdrs, web
from aiohttp.abc import AbstractMatchInfo
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)

from core.request_record import (
    GRAPHQL,
    INTERNAL,
    RequestRecord,
    end_record,
    start_record,
)
from domain.errors import ErrorCode

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# What the GraphQL schema reports of its own counters (graphql_api/schema.py `usage`).
GraphQLUsage = Callable[[], Mapping[str, Mapping[str, int]]]

GRAPHQL_FACE = "graphql"
OTHER_FACE = "other"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_OPERATION_NAMES = 100
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")  # a GraphQL Name, ≤ 64 long
NOT_EXECUTED = "none"  # a /graphql request refused before any operation ran
ANONYMOUS = "anonymous"
OTHER = "other"
UNMATCHED = "unmatched"  # no route: the path is not a label
ERROR_CODES = frozenset({code.value for code in ErrorCode} | {INTERNAL, GRAPHQL})
CLIENT_CLOSED = 499  # the handler was cancelled: the client went away
# Answers that carry no code in their body are counted by their status.
STATUS_CODES = {
    400: ErrorCode.INVALID_INPUT.value,
    401: ErrorCode.UNAUTHENTICATED.value,
    403: ErrorCode.FORBIDDEN.value,
    404: ErrorCode.NOT_FOUND.value,
    405: ErrorCode.INVALID_INPUT.value,
    413: ErrorCode.LIMIT_EXCEEDED.value,
    429: ErrorCode.TOO_MANY_REQUESTS.value,
    503: ErrorCode.UNAVAILABLE.value,
}


class OperationNames:
    """The first `limit` distinct well-formed names get a series each; any other name, and
    every name after that, is counted as `other`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self._limit = limit
        self._admitted: set[str] = set()

    def label(self, name: str | None) -> str:
        if name is None:
            return ANONYMOUS
        if name in self._admitted:
            return name
        if len(self._admitted) >= self._limit or not OPERATION_NAME.fullmatch(name):
            return OTHER
        self._admitted.add(name)
        return name


class Faces:
    """Which face of the service a path belongs to: the first matching prefix wins. The root
    prefix "/", which every path starts with, names the root page alone."""

    def __init__(self, prefixes: Sequence[tuple[str, str]]) -> None:
        self._root = next((face for prefix, face in prefixes if prefix == "/"), OTHER_FACE)
        self._prefixes = tuple((prefix, face) for prefix, face in prefixes if prefix != "/")

    def of(self, path: str) -> str:
        if path == "/":
            return self._root
        for prefix, face in self._prefixes:
            if path.startswith(prefix):
                return face
        return OTHER_FACE


class Metrics:
    def __init__(self, faces: Faces, *, max_operation_names: int = MAX_OPERATION_NAMES) -> None:
        self.registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.requests = Counter(
            "returns_http_requests",
            "HTTP requests answered, by face, operation and status class.",
            ["face", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "returns_http_request_duration_seconds",
            "Time from receiving a request to its handler returning, by face and operation "
            "(websocket connections are not timed).",
            ["face", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "returns_errors",
            "Errors answered (REST error bodies, GraphQL errors and userErrors, refusals), "
            "by face and code.",
            ["face", "code"],
            registry=self.registry,
        )
        self.webhook_attempts = Counter(
            "returns_webhook_attempts",
            "Webhook sending attempts of this process, by outcome (delivered, retrying, failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.websockets_open = 0
        self.graphql_usage: GraphQLUsage | None = None  # handed in once /graphql is served
        self._faces = faces
        self._operations = OperationNames(max_operation_names)
        self._routes: dict[object, tuple[str, str]] = {}
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        face, operation = self._labels(request)
        record = RequestRecord(face, self.count_error)
        token = start_record(record)
        websocket = face == GRAPHQL_FACE and _upgrades_to_websocket(request)
        if websocket:
            self.websockets_open += 1
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED
            raise
        finally:
            end_record(token)
            if websocket:
                self.websockets_open -= 1
            else:
                self._observe(record, operation, status, time.perf_counter() - started)

    def count_error(self, face: str, code: str) -> None:
        self.errors.labels(face, code if code in ERROR_CODES else OTHER).inc()

    def webhook_attempt(self, outcome: str) -> None:
        self.webhook_attempts.labels(outcome).inc()

    def _labels(self, request: web.Request) -> tuple[str, str]:
        """(face, operation) of the request's route, worked out once per route."""
        route = request.match_info.route
        labels = self._routes.get(route)
        if labels is None:
            labels = _route_labels(request.match_info, request.path, self._faces)
            if route.resource is not None:  # unmatched requests get a new route each
                self._routes[route] = labels
        return labels

    def _observe(self, record: RequestRecord, operation: str, status: int, seconds: float) -> None:
        face = record.face
        if face == GRAPHQL_FACE and record.executed:
            operation = self._operations.label(record.operation_name)
        key = (face, operation, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self.requests.labels(face, operation, f"{status // 100}xx"),
                self.latency.labels(face, operation),
            )
        series[0].inc()
        series[1].observe(seconds)
        if status >= 400 and status != CLIENT_CLOSED and not record.noted_error:
            self.count_error(face, STATUS_CODES.get(status, INTERNAL if status >= 500 else OTHER))


METRICS_KEY = web.AppKey("metrics", Metrics)


def _route_labels(match_info: AbstractMatchInfo, path: str, faces: Faces) -> tuple[str, str]:
    resource = match_info.route.resource
    if resource is None:
        return faces.of(path), UNMATCHED
    face = faces.of(resource.canonical)
    if face == GRAPHQL_FACE:
        return face, NOT_EXECUTED
    return face, f"{match_info.route.method} {resource.canonical}"


def _upgrades_to_websocket(request: web.Request) -> bool:
    return request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"

"""The short way through for a query the server has already checked once.

Dashboards and integrations send the same few query texts over and over. strawberry's view
takes every one of them through its whole machinery: request adapters, an execution context
and nine extension instances built afresh, each hook entered and left, then graphql-core's
own `execute`. For one small read that costs more CPU than reading the database does.

A `PreparedQuery` is what that machinery concludes about a query text once: the parsed
document, valid against the schema and the depth, alias, token and introspection limits,
and its operation, a query. The next request with the same text and operation name goes
straight to the compiled plan (graphql_api/planned_executor.py) with what must still be
decided per request done here too: the variables coerced, the cost priced with them, the
time bounded, the operation named for the metrics.

Everything else takes the long way, unchanged: mutations and subscriptions, documents that
fail to parse or validate, a cost over the ceiling, variables that do not coerce, and any
answer holding an error (a query reads only, so running it again through strawberry is
safe, and the client gets exactly the errors, masking and logging of the long way).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Final, Protocol

from aiohttp import web
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    specified_rules,
    validate,
)
from graphql.execution.middleware import MiddlewareManager
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.execution.is_awaitable import optimized_is_awaitable

from core.request_record import note_operation
from graphql_api.bounded_cache import text_bytes
from graphql_api.documents import parse_document
from graphql_api.limits import (
    GraphQLLimits,
    cost_varies,
    limit_rules,
    operation_cost,
    query_timeout_error,
)
from graphql_api.planned_executor import MISMATCHES


class ReturnsGraphQLView(Protocol):
    """What the prepared path uses of strawberry's view (graphql_api/view.py): its body
    checks, its context, its answer encoding, and the long way for a comparison."""

    def parse_json(self, data: str | bytes) -> Any: ...

    async def get_context(self, request: web.Request, response: Any) -> Any: ...

    def create_response(self, response_data: Any, sub_response: web.Response) -> web.Response: ...

    async def run(self, request: web.Request) -> web.StreamResponse: ...


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    document: DocumentNode
    operation_name: str | None  # as the client sent it (graphql-core picks the operation)
    name: str | None  # the chosen operation's own name, for the metrics
    # Priced once when no variable can change it (`cost_varies`); None: per request.
    fixed_cost: int | None


log = logging.getLogger(__name__)
_LONG_WAY: Final = object()  # cached verdict: this text always takes strawberry's way
_STREAMING = ("multipart/mixed", "text/event-stream")


class PreparedQueries:
    """The prepared queries of one schema, the most recently used within the bounds of
    `limits.query_cache`. A text too large to keep, or over the size limit, takes the long
    way, which refuses it or parses it for its request only."""

    def __init__(
        self, schema: Any, limits: GraphQLLimits, *, enabled: bool = True, compare: bool = False
    ) -> None:
        self.enabled = enabled
        self.compare = compare  # tests: every prepared answer is checked against the long way
        self.hits = self.misses = 0
        self._schema = schema
        self._core = schema._schema
        self._limits = limits
        rules = [*specified_rules, *limit_rules(limits)]
        if not limits.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self._rules = tuple(rules)
        self.entries = limits.query_cache()  # (query, operationName) -> PreparedQuery | _LONG_WAY

    async def answer(
        self, view: ReturnsGraphQLView, request: web.Request
    ) -> web.StreamResponse | None:
        """The answer to a prepared query, or None: the request takes the long way."""
        if not self.enabled:
            return None
        if request.method != "POST" or request.content_type != "application/json":
            return None
        accept = request.headers.get("Accept", "")
        if any(kind in accept for kind in _STREAMING):
            return None
        body = view.parse_json(await request.read())  # the long way's checks, and refusals
        wanted = _wanted(body)
        if wanted is None:
            return None
        query, operation_name, variables = wanted
        prepared = self._prepared(query, operation_name)
        if prepared is None or not self._affordable(prepared, variables):
            return None
        answer = await self._run(view, request, prepared, variables)
        if answer is not None and self.compare:
            await _compare(view, request, answer, self._limits.timeout_seconds)
        return answer

    def _prepared(self, query: str, operation_name: str | None) -> PreparedQuery | None:
        size = text_bytes(query, operation_name)
        if not self.entries.keeps(size):
            return None
        key = (query, operation_name)
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            entry = self._prepare(query, operation_name)
            self.entries.put(key, entry, size)
        else:
            self.hits += 1
        return entry if isinstance(entry, PreparedQuery) else None

    def _prepare(self, query: str, operation_name: str | None) -> PreparedQuery | object:
        """The verdict strawberry's parser, validation and limits would reach."""
        try:
            document = parse_document(query, max_tokens=self._limits.max_tokens)
        except GraphQLError:
            return _LONG_WAY
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return _LONG_WAY
        if validate(self._core, document, self._rules):
            return _LONG_WAY
        fixed_cost = None
        if not cost_varies(document):
            fixed_cost = self._cost(document, operation_name, {})
            if fixed_cost is None:
                return _LONG_WAY
        return PreparedQuery(document, operation_name, _name(operation), fixed_cost)

    def _affordable(self, prepared: PreparedQuery, variables: dict[str, Any]) -> bool:
        cost = prepared.fixed_cost
        if cost is None:
            cost = self._cost(prepared.document, prepared.operation_name, variables)
        return cost is not None and cost <= self._limits.max_cost

    def _cost(
        self, document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
    ) -> int | None:
        try:
            return operation_cost(document, operation_name, variables, schema=self._core)
        except GraphQLError:  # a page size or cursor no page can have
            return None

    async def _run(
        self,
        view: ReturnsGraphQLView,
        request: web.Request,
        prepared: PreparedQuery,
        variables: dict[str, Any],
    ) -> web.StreamResponse | None:
        sub_response = web.Response()
        context = await view.get_context(request, response=sub_response)
        executor = self._schema.execution_context_class.build(
            self._core,
            prepared.document,
            None,
            context,
            variables,
            prepared.operation_name,
            middleware=MiddlewareManager(),
            is_awaitable=optimized_is_awaitable,
            operation_extensions=None,
        )
        if isinstance(executor, list):  # variables that do not coerce: the long way says so
            return None
        note_operation(prepared.name)
        seconds = self._limits.timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                result = executor.execute_operation()
                if optimized_is_awaitable(result):
                    result = await result
        except TimeoutError:
            error = query_timeout_error(seconds)
            self._schema.process_errors([error])
            return view.create_response({"data": None, "errors": [error.formatted]}, sub_response)
        if not isinstance(result, ExecutionResult) or result.errors:
            return None
        return view.create_response({"data": result.data}, sub_response)


async def _compare(
    view: ReturnsGraphQLView, request: web.Request, answer: Any, seconds: float
) -> None:
    """The differential test of the two ways (compare mode, tests only). A long way that ran
    out of time proves nothing about the answers (a CI machine can stall for seconds)."""
    expected = await view.run(request=request)
    want, got = getattr(expected, "body", None), answer.body
    timed_out = query_timeout_error(seconds).message
    if isinstance(want, bytes) and timed_out.encode() in want and want != got:
        log.warning("the long way ran out of time; answers not compared: %s", got)
        return
    if (expected.status, want) != (answer.status, got):
        log.error("prepared answer differs from strawberry's: %s != %s", got, want)
        MISMATCHES.append(f"prepared {answer.status} {got!r}\n!=\n{expected.status} {want!r}")


def _wanted(body: Any) -> tuple[str, str | None, dict[str, Any]] | None:
    """(query, operationName, variables) of a plain single request; None for a batch, a
    persisted-query extension or anything malformed, which the long way answers."""
    if not isinstance(body, dict) or body.get("extensions") is not None:
        return None
    query, name, variables = body.get("query"), body.get("operationName"), body.get("variables")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        return None
    return query, name, variables


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name else None

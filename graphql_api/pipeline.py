"""POST /graphql from its bytes to its answer: the one way queries and mutations run.

    body → parse, validate (cached) → context → policies → planned executor → masking → JSON

Each step is the one strawberry's view would take, in its order and with its answers
(tests/e2e/graphql compare the two on every query they send), without its per-request
machinery: request adapters, an execution context and an extension instance per policy
built afresh, each hook entered and left. For one small read that machinery cost more CPU
than reading the database does.

- The body: JSON, no NUL, UTF-8 strings, not nested too deeply (`decode_body`; refusals
  are HTTP 400s, worded as strawberry words them).
- The document: parsed and validated once per query text, in the schema's bounded cache
  (graphql_api/documents.py), shared with strawberry's GET and websocket path.
- The policies: the schema's one list (graphql_api/policies.py), which strawberry runs as
  extensions on its path: the same checks, in the same order, on both.
- Execution: a query of plain fields the database can write answered with its JSON text
  (graphql_api/sql_json.py), spliced into the answer as it comes; else graphql-core's
  `execute` with the schema's planned executor (graphql_api/planned_executor.py): a query
  runs on its compiled plan, and on graphql-core within the same execution when the plan
  gives up, no resolver run twice.
- The answer: errors logged and counted (the schema's `process_errors`), masked, encoded by
  orjson.

strawberry's view keeps GET, GraphiQL's page and websockets (graphql_api/view.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from cross_web import HTTPException
from graphql import DocumentNode, ExecutionResult, GraphQLError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.utils.operation import get_first_operation, get_operation_type

from core.context import GRAPHQL_SOURCE, Context
from core.request_record import unrecorded
from core.wiring import Wiring
from edge.auth import PRINCIPAL_KEY
from edge.idempotency_header import NO_STORE
from edge.json_input import encodes_as_utf8
from edge.request_context import request_context
from graphql_api.limits import TIMED_OUT
from graphql_api.permissions import carries_secret
from graphql_api.planned_executor import MISMATCHES, SQL, plan_already_checked
from graphql_api.policies import MUTATION, QUERY, Operation
from graphql_api.returns.sql_fields import ROOTS, TYPES
from graphql_api.schema import ReturnsSchema
from graphql_api.sql_json import SqlJson

log = logging.getLogger(__name__)
Reference = Callable[[web.Request], Awaitable[web.StreamResponse]]


# A run of digits orjson may read otherwise than json (an integer past 64 bits: a float).
_LONG_NUMBER = re.compile(rb"[0-9]{19}")
# A NUL written as JSON's escape, in either case, found without copying the body.
_ESCAPED_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def decode_body(data: str | bytes) -> Any:
    """The request's JSON. A body of `"x"`, `42` or `null` is a client mistake (400), not a
    server error; so is a NUL character, which no field accepts and PostgreSQL cannot store,
    and so are bytes that are not UTF-8.

    Most bodies are read by orjson, several times faster: what it reads, it reads as json
    does, and it refuses what is not UTF-8 or holds a lone surrogate. Anything it refuses
    (and a long number, which it may read otherwise) is read as before, with the refusals'
    own words."""
    if isinstance(data, bytes) and _LONG_NUMBER.search(data) is None:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            if b"\x00" in data or _ESCAPED_NUL.search(data):
                raise HTTPException(400, "NUL characters are not accepted")
            if not isinstance(parsed, dict | list):
                raise HTTPException(400, "The request body must be a JSON object")
            return parsed
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise HTTPException(400, "The request body is not UTF-8") from None
    if "\x00" in text or "\\u0000" in text.lower():
        raise HTTPException(400, "NUL characters are not accepted")
    try:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise HTTPException(400, "Unable to parse request body as JSON") from error
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        if not encodes_as_utf8(parsed):
            raise HTTPException(400, "Strings must be valid Unicode (no lone surrogates)")
    except RecursionError:
        raise HTTPException(400, "The request body is nested too deeply") from None
    return parsed


def http_context(request: web.Request, wiring: Wiring) -> Context:
    """The Context a GraphQL request over HTTP runs in, on either path."""
    principal = request.get(PRINCIPAL_KEY)
    return request_context(request, principal, source=GRAPHQL_SOURCE, wiring=wiring)


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a POST body asks for, its fields checked as strawberry checks them."""

    query: str
    operation_name: Any  # as sent; strawberry does not check its type either
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


SECRET_ANSWER = web.RequestKey("secret_answer", bool)  # its answer carries a secret


class PostPipeline:
    """Answers POST /graphql for one schema. `reference` (tests: compare mode) is
    strawberry's own way, run after every request but a mutation to check that both
    answer alike: data, errors, refusals."""

    def __init__(
        self, schema: ReturnsSchema, wiring: Wiring, *, reference: Reference | None = None
    ) -> None:
        self.schema = schema
        self.wiring = wiring
        self.reference = reference
        self._core = schema._schema
        self.sql = (
            SqlJson(self._core, schema, ROOTS, TYPES, wiring.db.engine.dialect.name)
            if wiring.settings.graphql_sql_json
            else None
        )

    async def answer(self, request: web.Request) -> web.Response:
        """The answer; a malformed request raises HTTPException (the view words it)."""
        if "application/json" not in request.content_type:  # as strawberry reads it
            raise HTTPException(400, "Unsupported content type")
        wanted = _wanted(decode_body(await request.read()))
        answer, kind = await self.run(request, wanted)
        response = web.Response(body=orjson.dumps(answer), content_type="application/json")
        if request.get(SECRET_ANSWER):
            response.headers["Cache-Control"] = NO_STORE
        if self.reference is not None and kind != MUTATION:  # what may safely run twice
            await self._compare(request, response)
        return response

    async def run(self, request: web.Request, wanted: Wanted) -> tuple[dict[str, Any], str | None]:
        """The answer's JSON, and the kind of operation that ran (None: none did)."""
        try:
            document = self.schema.documents.parsed(wanted.query)
        except GraphQLError as error:
            return self._failed([error], shown=False), None
        except Exception as error:  # what strawberry makes of a parser's own failure
            return self._failed([GraphQLError(str(error), original_error=error)]), None
        name, kind = _operation(document.document, wanted.operation_name)
        if kind == MUTATION and carries_secret(document.document, name):
            request[SECRET_ANSWER] = True
        errors = document.validated(self._core, self.schema.policies.validation_rules)
        if errors:
            return self._failed(errors), None
        operation = Operation(
            schema=self._core,
            document=document.document,
            name=name,
            kind=kind,
            variables=wanted.variables or {},
            context=http_context(request, self.wiring),
        )
        try:
            result = await self._execute(operation, wanted)
        except Exception as error:  # a policy's refusal, a deadline, or a fault
            return self._failed([_graphql_error(error)], shown=False), kind
        if not result.errors:
            return {"data": result.data}, kind
        self.schema._process_errors(result.errors)
        shown = self.schema.policies.shown(result.errors)
        return {"data": result.data, "errors": [error.formatted for error in shown]}, kind

    async def _execute(self, operation: Operation, wanted: Wanted) -> ExecutionResult:
        policies = self.schema.policies
        for policy in policies.checking:
            policy.before(operation)
        arounds = [a for p in policies.wrapping if (a := p.around(operation)) is not None]
        if not arounds:
            return await self._executed(operation, wanted)
        if len(arounds) == 1:
            async with arounds[0]:
                return await self._executed(operation, wanted)
        async with AsyncExitStack() as stack:
            for around in arounds:
                await stack.enter_async_context(around)
            return await self._executed(operation, wanted)

    async def _executed(self, operation: Operation, wanted: Wanted) -> ExecutionResult:
        if self.sql is not None and operation.kind == QUERY:
            data = await self._written_by_database(operation, wanted)
            if data is not None:
                return ExecutionResult(data)
        return await self._graphql_core(operation, wanted)

    async def _written_by_database(
        self, operation: Operation, wanted: Wanted
    ) -> dict[str, Any] | None:
        """The answer's data as the database writes it, or None: the executor answers. A
        failure here is a fault of this way alone (the executor reads the same rows), so
        the executor answers in its place (and compare mode records it)."""
        assert self.sql is not None
        try:
            data = await self.sql.answer(
                operation.document, operation.name, wanted.variables, operation.context
            )
        except Exception:
            log.exception("the database's JSON answer failed; the executor answers")
            if self.reference is not None:
                MISMATCHES.append("the database's JSON answer raised; see the log")
            return None
        if data is not None:
            self.schema.execution_counts[SQL] += 1
        return data

    async def _graphql_core(self, operation: Operation, wanted: Wanted) -> ExecutionResult:
        """graphql-core's `execute` (less its checks for @defer and @stream, which this
        schema does not have), with the schema's planned executor."""
        executor = self.schema.executor.build(
            self._core,
            operation.document,
            context_value=operation.context,
            raw_variable_values=wanted.variables,
            operation_name=operation.name,
            is_awaitable=optimized_is_awaitable,
            operation_extensions=wanted.extensions,
        )
        if isinstance(executor, list):  # variables that do not coerce
            return ExecutionResult(None, errors=executor)
        result = executor.execute_operation()
        if optimized_is_awaitable(result):
            result = await result
        return result  # type: ignore[no-any-return]

    def _failed(self, errors: list[GraphQLError], *, shown: bool = True) -> dict[str, Any]:
        """An answer without data: errors met before execution. Those strawberry meets in
        its extensions' hooks (a policy's refusal, the size limit) are not masked there."""
        self.schema._process_errors(errors)
        if shown:
            errors = self.schema.policies.shown(errors)
        return {"data": None, "errors": [error.formatted for error in errors]}

    async def _compare(self, request: web.Request, answer: web.Response) -> None:
        """The differential test of the two ways (compare mode, tests only). A way that ran
        out of time proves nothing about the answers (a CI machine can stall for seconds)."""
        assert self.reference is not None
        with unrecorded(), plan_already_checked():  # errors and operation counted once
            expected = await self.reference(request)
        want, got = getattr(expected, "body", None), answer.body
        if any(isinstance(body, bytes) and TIMED_OUT in body for body in (want, got)):
            if want != got:
                log.warning("a way ran out of time; answers not compared: %s", got)
            return
        if (expected.status, want) != (answer.status, got):
            log.error("the pipeline's answer differs from strawberry's: %s != %s", got, want)
            MISMATCHES.append(f"pipeline {answer.status} {got!r}\n!=\n{expected.status} {want!r}")


def _wanted(body: Any) -> Wanted:
    """strawberry's reading of the body, with its refusals (batching is off)."""
    if isinstance(body, list):
        raise HTTPException(400, "Batching is not enabled")
    query, variables, extensions = body.get("query"), body.get("variables"), body.get("extensions")
    if not isinstance(query, str | None):
        raise HTTPException(
            400, "The GraphQL operation's `query` must be a string or null, if provided."
        )
    if not isinstance(variables, dict | None):
        raise HTTPException(
            400, "The GraphQL operation's `variables` must be an object or null, if provided."
        )
    if not isinstance(extensions, dict | None):
        raise HTTPException(
            400, "The GraphQL operation's `extensions` must be an object or null, if provided."
        )
    if not query:
        raise HTTPException(400, "No GraphQL query found in the request")
    return Wanted(query, body.get("operationName"), variables, extensions)


def _operation(document: DocumentNode, provided: Any) -> tuple[str | None, str]:
    """(name, kind) of the operation to run: the one named, else the first (as strawberry
    picks it); a name the document lacks is a 400."""
    name = provided
    if name is None:
        first = get_first_operation(document)
        name = first.name.value if first is not None and first.name else None
    try:
        kind = get_operation_type(document, name)
    except RuntimeError:
        raise HTTPException(400, CannotGetOperationTypeError(name).as_http_error_reason()) from None
    return name, kind.value


def _graphql_error(error: Exception) -> GraphQLError:
    if isinstance(error, GraphQLError):
        return error
    return GraphQLError(str(error), original_error=error)

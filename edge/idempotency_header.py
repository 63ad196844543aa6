"""`Idempotency-Key` for POST /graphql and the REST shims' writes (POST, PUT, PATCH, DELETE):
a retry with the same key, target and body gets the original answer
(`Idempotency-Replayed: true`) without running the operation again; the same key with a
different request is refused (422, IDEMPOTENCY_MISMATCH); a retry while the first request
still runs gets 409 IDEMPOTENCY_IN_PROGRESS with `Retry-After`. The first request holds the
key as a lease: if its process dies, a retry after the lease takes the key over and runs the
work, unless the work had committed (its units of work record that on the key), in which
case the retry gets 410 IDEMPOTENCY_ANSWER_LOST and the work never runs twice. Keys live 24
hours, per tenant."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    parse,
    value_from_ast_untyped,
)

from core.error_answers import http_status
from domain.errors import ErrorCode
from domain.ports import Clock
from edge.app_keys import CLAIM_KEY
from persistence.idempotency import Claim, ClaimOutcome, IdempotencyStore, KeyClaim

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
MAX_KEY_LENGTH = 255

# An answer marked so carries a secret shown once: it is never kept for a replay; the key is
# released instead, so a retry runs the work again (a second secret, the first unused).
NO_STORE = "no-store"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ErrorRenderer = Callable[[int, ErrorCode, str], web.Response]


def fingerprint(body: bytes, client_id: str, target: str = "") -> str:
    """The same JSON sent again by the same client to the same target (method, path and
    query), whatever its key order or spacing, has the same print; another client reusing the
    key (even of the same tenant) does not, nor does the key reused on another REST call
    with the same (often empty) body, such as /approve after /cancel."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode(errors="replace")
    return hashlib.sha256(f"{client_id}\n{target}\n{canonical}".encode()).hexdigest()


async def run_idempotently(
    request: web.Request,
    handler: Handler,
    *,
    store: IdempotencyStore,
    clock: Clock,
    tenant_id: str,
    client_id: str,
    error: ErrorRenderer | None = None,
    input_key: str | None = None,
) -> web.StreamResponse:
    """`error` renders refusals in the caller's own error shape (GraphQL's by default);
    `input_key` is a key the request carries in its body (a mutation's `idempotencyKey`)."""
    refuse = error or graphql_refusal
    key = request.headers.get(HEADER)
    if key is not None and input_key is not None and key != input_key:
        return refuse(
            400,
            ErrorCode.INVALID_INPUT,
            f"the {HEADER} header and the input's idempotencyKey differ; send one key",
        )
    key = key if key is not None else input_key
    if key is None or request.method not in WRITE_METHODS:
        return await handler(request)
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        return refuse(
            400,
            ErrorCode.INVALID_INPUT,
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters",
        )
    target = f"{request.method} {request.path_qs}"
    claim = await store.claim(
        tenant_id, key, fingerprint(await request.read(), client_id, target), clock.now()
    )
    if claim.held is not None:
        return await _first_run(request, handler, store, claim.held, clock)
    if claim.outcome == ClaimOutcome.REPLAY:
        return web.Response(
            text=claim.response,
            status=claim.status_code or 200,
            content_type="application/json",
            headers={REPLAYED: "true"},
        )
    return _refusal(claim, key, refuse)


def _refusal(claim: Claim, key: str, refuse: ErrorRenderer) -> web.Response:
    """Why a request with this key does not run: each case has its own stable code."""
    code, message = {
        ClaimOutcome.MISMATCH: (
            ErrorCode.IDEMPOTENCY_MISMATCH,
            f"idempotency key {key!r} was used for a different request",
        ),
        ClaimOutcome.IN_PROGRESS: (
            ErrorCode.IDEMPOTENCY_IN_PROGRESS,
            f"a request with idempotency key {key!r} is still running; retry after "
            f"{claim.retry_after} s",
        ),
        ClaimOutcome.ANSWER_LOST: (
            ErrorCode.IDEMPOTENCY_ANSWER_LOST,
            f"the request with idempotency key {key!r} committed its changes, but the "
            "server stopped before its answer was stored; it will not run again: read the "
            "current state instead",
        ),
    }[claim.outcome]
    response = refuse(http_status(code), code, message)
    if claim.retry_after is not None:
        response.headers["Retry-After"] = str(claim.retry_after)
    return response


async def _first_run(
    request: web.Request, handler: Handler, store: IdempotencyStore, held: KeyClaim, clock: Clock
) -> web.StreamResponse:
    """Run the work as the key's claimant: its units of work see the claim (CLAIM_KEY)."""
    if held.taken_over:
        log.warning("idempotency key %r taken over from a request that stopped", held.key)
    request[CLAIM_KEY] = held
    try:
        response = await handler(request)
    except BaseException:
        await store.release(held, clock.now())
        raise
    keeps = NO_STORE not in response.headers.get("Cache-Control", "")
    if isinstance(response, web.Response) and response.status < 500 and response.text and keeps:
        await store.complete(held, response.status, response.text)
        response.headers[REPLAYED] = "false"
    else:
        await store.release(held, clock.now())
    return response


def graphql_refusal(status: int, code: ErrorCode, message: str) -> web.Response:
    """A request refused before GraphQL runs, in the shape of GraphQL's own errors."""
    return web.json_response(
        {"errors": [{"message": message, "extensions": {"code": code.value}}]}, status=status
    )


INPUT_FIELD = "idempotencyKey"


class ConflictingKeys(ValueError):
    """One request named two different idempotency keys."""


def key_in_mutation_input(body: bytes) -> str | None:
    """The `idempotencyKey` a GraphQL mutation request carries in its `input` argument,
    written inline or passed through variables; None when it has none. Cheap when absent:
    the document is parsed only if the name occurs in the body at all."""
    if INPUT_FIELD.encode() not in body:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the view answers a broken body itself
    requests = parsed if isinstance(parsed, list) else [parsed]
    keys = {key for item in requests if isinstance(item, dict) for key in _keys_of(item)}
    if len(keys) > 1:
        raise ConflictingKeys("one request may carry one idempotencyKey")
    return next(iter(keys), None)


def _keys_of(request: dict[str, object]) -> set[str]:
    query, variables = request.get("query"), request.get("variables")
    if not isinstance(query, str):
        return set()
    try:
        document = parse(query)
    except GraphQLError:
        return set()  # the view answers the syntax error itself
    values = variables if isinstance(variables, dict) else {}
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    keys: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.operation == (
            OperationType.MUTATION
        ):
            given = _with_defaults(definition, values)
            for field in _top_fields(definition.selection_set, fragments, set()):
                keys |= _key_in_field(field, given)
    return keys


def _with_defaults(
    operation: OperationDefinitionNode, variables: dict[str, object]
) -> dict[str, object]:
    """Variables as the operation sees them: a default fills in one the request left out."""
    given = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in given and definition.default_value is not None:
            given[name] = value_from_ast_untyped(definition.default_value)
    return given


def _top_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> list[FieldNode]:
    """The mutation fields of a selection set, through inline fragments and spreads."""
    fields: list[FieldNode] = []
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields += _top_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                seen.add(selection.name.value)
                fields += _top_fields(fragment.selection_set, fragments, seen)
    return fields


def _key_in_field(field: FieldNode, variables: dict[str, object]) -> set[str]:
    argument = next((a for a in field.arguments or () if a.name.value == "input"), None)
    if argument is None:
        return set()
    value = argument.value
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        key = given.get(INPUT_FIELD) if isinstance(given, dict) else None
        return {key} if isinstance(key, str) else set()
    if isinstance(value, ObjectValueNode):
        for item in value.fields:
            if item.name.value != INPUT_FIELD:
                continue
            if isinstance(item.value, StringValueNode):
                return {item.value.value}
            if isinstance(item.value, VariableNode):
                key = variables.get(item.value.name.value)
                return {key} if isinstance(key, str) else set()
    return set()

"""Limits that keep one GraphQL request from costing the server more than it should: the
size of the query text, depth, aliases, tokens, a cost ceiling from the sizes of every list
asked for, parser and validation caches bounded in entries and bytes, no field suggestions,
and introspection that production can switch off. Over a limit the request gets a clear
error and nothing executes."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from graphql import (
    ArgumentNode,
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from core.settings import Settings
from domain.errors import ErrorCode
from graphql_api.bounded_cache import BoundedCache
from graphql_api.documents import DocumentCache
from graphql_api.list_bounds import LIST_BOUNDS, PAGE_SIZE
from graphql_api.policies import QUERY, Operation, Policy
from graphql_api.returns.queries import MAX_PAGE, check_any_cursor

PAGE_ARGUMENT = "first"
AFTER_ARGUMENT = "after"


@dataclass(frozen=True)
class GraphQLLimits:
    max_depth: int = 15
    max_aliases: int = 100
    max_tokens: int = 10_000
    max_cost: int = 250_000
    max_query_bytes: int = 100_000
    cache_size: int = 256
    # The text the documents of one cache were made from, together; a document costs a few
    # times its text. A text over `cache_entry_bytes` is parsed for its request only.
    cache_bytes: int = 4 * 1024 * 1024
    cache_entry_bytes: int = 32 * 1024
    introspection: bool = True
    timeout_seconds: float = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphQLLimits:
        return cls(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_tokens=settings.graphql_max_tokens,
            max_query_bytes=settings.graphql_max_query_bytes,
            cache_bytes=settings.graphql_cache_bytes,
            cache_entry_bytes=settings.graphql_cache_entry_bytes,
            max_cost=settings.graphql_max_cost,
            timeout_seconds=settings.graphql_timeout_seconds,
            introspection=settings.graphql_introspection,
        )

    def query_cache(self) -> BoundedCache[Any, Any]:
        """An empty cache of things made from query texts, within these bounds."""
        return BoundedCache(
            max_entries=self.cache_size,
            max_bytes=self.cache_bytes,
            max_entry_bytes=self.cache_entry_bytes,
        )

    def document_cache(self) -> DocumentCache:
        return DocumentCache(
            self.query_cache(), max_query_bytes=self.max_query_bytes, max_tokens=self.max_tokens
        )


def limit_policies(limits: GraphQLLimits) -> list[Policy]:
    """The limits as policies (graphql_api/policies.py), their validation rules built once
    per schema (rules made afresh per request, as QueryDepthLimiter and MaxAliasesLimiter
    do, would be new rules to validate against on every request)."""
    policies: list[Policy] = [
        QueryShape(limit_rules(limits)),
        QueryCostLimiter(limits.max_cost),
        QueryTimeout(limits.timeout_seconds),
    ]
    if not limits.introspection:
        policies.append(QueryShape([NoSchemaIntrospectionCustomRule]))
    return policies


def limit_rules(limits: GraphQLLimits) -> list[type[ASTValidationRule]]:
    """The depth and alias rules, built once per schema."""
    return list(_limit_rules(limits.max_depth, limits.max_aliases))


@functools.cache
def _limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    """The same rule classes for the same limits, so that a text found valid by one schema
    is known valid by another with equal limits (graphql_api/documents.py)."""
    return depth_rule(max_depth, None), alias_rule(max_aliases)


class QueryShape(Policy):
    """Validation rules: a document breaking one is refused before anything executes, and
    the verdict is kept with the parsed document."""

    def __init__(self, rules: list[type[ASTValidationRule]]) -> None:
        self.rules = tuple(rules)


class QueryCostLimiter(Policy):
    """Refuses, before execution, an operation whose estimated cost passes the ceiling: the
    most field values its answer can hold (`operation_cost`). A document whose cost no
    variable changes (`cost_varies`) is priced once, while it is kept."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost
        # By the document's identity (a node's hash walks the whole tree), dropped with it.
        self._fixed: dict[int, tuple[weakref.ref[DocumentNode], dict[str | None, int]]] = {}

    def before(self, operation: Operation) -> None:
        cost = self._cost(operation)
        if cost > self.max_cost:
            raise GraphQLError(
                f"query cost {cost} exceeds the limit of {self.max_cost}; request "
                "smaller pages or fewer fields",
                extensions={"code": ErrorCode.LIMIT_EXCEEDED.value, "cost": cost},
            )

    def _cost(self, operation: Operation) -> int:
        document, name = operation.document, operation.name
        entry = self._fixed.get(id(document))
        if entry is not None and entry[0]() is document and name in entry[1]:
            return entry[1][name]
        cost = operation_cost(document, name, operation.variables, schema=operation.schema)
        if not cost_varies(document):
            if entry is None or entry[0]() is not document:
                entry = (weakref.ref(document, self._forget(id(document))), {})
                self._fixed[id(document)] = entry
            entry[1][name] = cost
        return cost

    def _forget(self, key: int) -> Callable[[Any], None]:
        def forget(_ref: Any) -> None:
            self._fixed.pop(key, None)

        return forget


def operation_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    schema: GraphQLSchema,
) -> int:
    """The most field values the operation's answer can hold. Every field costs 1; a list
    field multiplies itself and what is under it by the most elements it can hold (its
    page's `first` for a connection's edges, else its bound in `LIST_BOUNDS`), so nested
    lists multiply: `events { returnRequest { events … } } }` costs 50 x 50 x ….
    Introspection fields cost 1 each: graphql-core bounds their nesting, and production can
    switch them off."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if not chosen:
        return 0
    root = schema.get_root_type(chosen[0].operation)
    walk = _Walk(schema, fragments, variables)
    return _cost(chosen[0].selection_set, root, walk, _Scope(frozenset(), None))


def cost_varies(document: DocumentNode) -> bool:
    """Whether `operation_cost` reads variables: a page size or cursor given as one. When
    not, a document's cost is the same on every request and may be priced once."""
    return any(
        argument.name.value in (PAGE_ARGUMENT, AFTER_ARGUMENT)
        and isinstance(argument.value, VariableNode)
        for argument in _arguments(document)
    )


def _arguments(node: Node) -> Iterator[ArgumentNode]:
    for key in node.keys:
        value = getattr(node, key, None)
        children = value if isinstance(value, tuple | list) else (value,)
        for child in children:
            if isinstance(child, ArgumentNode):
                yield child
            elif isinstance(child, Node):
                yield from _arguments(child)


@dataclass(frozen=True)
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class _Scope:
    """Where a selection set sits: the fragments being expanded (a fragment never expands
    inside itself) and the page size of the connection it belongs to, if any."""

    visiting: frozenset[str]
    page: int | None


def _cost(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType | None,
    walk: _Walk,
    scope: _Scope,
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(selection, parent, walk, scope)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = walk.schema.get_type(condition.name.value) if condition else parent
            total += _cost(selection.selection_set, inner, walk, scope)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = walk.fragments.get(name)
            if fragment is not None and name not in scope.visiting:
                inner = walk.schema.get_type(fragment.type_condition.name.value)
                visiting = _Scope(scope.visiting | {name}, scope.page)
                total += _cost(fragment.selection_set, inner, walk, visiting)
    return total


def _field_cost(
    field: FieldNode, parent: GraphQLNamedType | None, walk: _Walk, scope: _Scope
) -> int:
    """1 for the field, plus what is under it, times the elements it can hold."""
    name = field.name.value
    if name.startswith("__"):
        return _introspection_cost(field.selection_set)
    definition = parent.fields.get(name) if isinstance(parent, _WITH_FIELDS) else None
    page = _page_size(field, walk)
    below_scope = _Scope(scope.visiting, page)  # a page bounds its own edges only
    if definition is None:  # validation refuses unknown fields before this runs
        return 1 + _cost(field.selection_set, None, walk, below_scope)
    below = _cost(field.selection_set, get_named_type(definition.type), walk, below_scope)
    return _elements(parent, name, definition, scope) * (1 + below)


_WITH_FIELDS = (GraphQLObjectType, GraphQLInterfaceType)


def _elements(
    parent: GraphQLNamedType | None, name: str, definition: GraphQLField, scope: _Scope
) -> int:
    """The most elements a field's value holds: 1 unless it is a list."""
    if not is_list_type(get_nullable_type(definition.type)):
        return 1
    bound = LIST_BOUNDS.get(f"{parent.name if parent else ''}.{name}", MAX_PAGE)
    if bound == PAGE_SIZE:
        return scope.page if scope.page is not None else MAX_PAGE
    return bound


def _introspection_cost(selection_set: SelectionSetNode | None) -> int:
    if selection_set is None:
        return 1
    return 1 + sum(
        _introspection_cost(getattr(selection, "selection_set", None))
        for selection in selection_set.selections
    )


def _page_size(field: FieldNode, walk: _Walk) -> int | None:
    """The page size a field asks for (None for fields that do not paginate), refusing
    sizes and cursors a page cannot have before anything runs."""
    _check_cursor(field.name.value, _argument(field, AFTER_ARGUMENT, walk))
    size = _argument(field, PAGE_ARGUMENT, walk)
    if size is None:
        return None
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE:
        raise GraphQLError(
            f"`first` must be between 1 and {MAX_PAGE}",
            extensions={"code": ErrorCode.LIMIT_EXCEEDED.value},
        )
    return size


def _argument(field: FieldNode, name: str, walk: _Walk) -> Any:
    argument = next((a for a in field.arguments or () if a.name.value == name), None)
    if argument is None:
        return None
    value = argument.value
    if isinstance(value, VariableNode):
        return walk.variables.get(value.name.value)
    if isinstance(value, IntValueNode):
        return int(value.value)
    return getattr(value, "value", None)


class QueryTimeout(Policy):
    """Stops a query that runs longer than `seconds` (LIMIT_EXCEEDED): lists longer than
    their declared bounds, or a slow database, must not hold the server for one client.
    Queries only: a mutation stopped between its commit and its answer would leave the
    client to retry work that was done; a subscription runs as long as it is wanted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def around(self, operation: Operation) -> _Deadline | None:
        return _Deadline(self.seconds) if operation.kind == QUERY else None


class _Deadline:
    """asyncio.timeout, its expiry told as GraphQL's error."""

    __slots__ = ("seconds", "timeout")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.timeout = asyncio.timeout(seconds)

    async def __aenter__(self) -> None:
        await self.timeout.__aenter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.timeout.__aexit__(kind, error, traceback)
        except TimeoutError:
            raise query_timeout_error(self.seconds) from None


TIMED_OUT = b"the query ran longer than "  # how a timed-out answer begins its error


def query_timeout_error(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"{TIMED_OUT.decode()}{seconds:g} s and was stopped; request smaller pages or fewer fields",
        extensions={"code": ErrorCode.LIMIT_EXCEEDED.value},
    )


# Opaque cursors, by the field that hands them out; other `after` arguments are typed
# scalars (an event position) that GraphQL validation already checks.
_CURSOR_DECODERS: dict[str, Callable[[str], object]] = {"returnRequests": check_any_cursor}


def _check_cursor(field_name: str, cursor: Any) -> None:
    decode = _CURSOR_DECODERS.get(field_name)
    if decode is not None and isinstance(cursor, str) and cursor:
        decode(cursor)  # raises a ClientError for a cursor we did not hand out

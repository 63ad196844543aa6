"""Limits that keep one GraphQL request from costing the server more than it should:
depth, aliases, tokens, a cost ceiling from requested page sizes, bounded parser and
validation caches, no field suggestions, and introspection that production can switch off.
Over a limit the request gets a clear error and nothing executes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from domain.errors import ErrorCode
from graphql_api.returns.queries import MAX_PAGE, decode_cursor

PAGE_ARGUMENT = "first"
AFTER_ARGUMENT = "after"


@dataclass(frozen=True)
class GraphQLLimits:
    max_depth: int = 15
    max_aliases: int = 100
    max_tokens: int = 10_000
    max_cost: int = 50_000
    cache_size: int = 256
    introspection: bool = True


def limit_extensions(limits: GraphQLLimits) -> list[Callable[[], Any]]:
    """Fresh extension instances per request, as strawberry wants them, around validation
    rules built once: the validation cache is keyed by the rule classes, so rules made
    afresh per request (as QueryDepthLimiter and MaxAliasesLimiter do) would never hit it."""
    rules = [depth_rule(limits.max_depth, None), alias_rule(limits.max_aliases)]
    extensions: list[Callable[[], Any]] = [
        lambda: ParserCache(maxsize=limits.cache_size),
        lambda: ValidationCache(maxsize=limits.cache_size),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: QueryCostLimiter(limits.max_cost),
    ]
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    return extensions


class QueryCostLimiter(SchemaExtension):
    """Refuses, before execution, an operation whose estimated cost passes the ceiling.

    Every field costs 1; a paginated field multiplies what is under it by its page size
    (`first`, with its variable value; `first` is required wherever it exists).
    """

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            cost = operation_cost(
                context.graphql_document,
                context.operation_name,
                context.variables or {},
            )
            if cost > self.max_cost:
                raise GraphQLError(
                    f"query cost {cost} exceeds the limit of {self.max_cost}; request "
                    "smaller pages or fewer fields",
                    extensions={"code": ErrorCode.LIMIT_EXCEEDED.value, "cost": cost},
                )
        yield


def operation_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
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
    return _cost(chosen[0].selection_set, _Walk(fragments, variables), frozenset())


@dataclass(frozen=True)
class _Walk:
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]


def _cost(selection_set: SelectionSetNode | None, walk: _Walk, visiting: frozenset[str]) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            below = _cost(selection.selection_set, walk, visiting)
            total += 1 + _page_size(selection, walk) * below
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, walk, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = walk.fragments.get(name)
            if fragment is not None and name not in visiting:
                total += _cost(fragment.selection_set, walk, visiting | {name})
    return total


def _page_size(field: FieldNode, walk: _Walk) -> int:
    """The page size a field asks for (1 for fields that do not paginate), refusing sizes
    and cursors a page cannot have before anything runs."""
    _check_cursor(field.name.value, _argument(field, AFTER_ARGUMENT, walk))
    size = _argument(field, PAGE_ARGUMENT, walk)
    if size is None:
        return 1
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


# Opaque cursors, by the field that hands them out; other `after` arguments are typed
# scalars (an event position) that GraphQL validation already checks.
_CURSOR_DECODERS: dict[str, Callable[[str], object]] = {"returnRequests": decode_cursor}


def _check_cursor(field_name: str, cursor: Any) -> None:
    decode = _CURSOR_DECODERS.get(field_name)
    if decode is not None and isinstance(cursor, str) and cursor:
        decode(cursor)  # raises a ClientError for a cursor we did not hand out

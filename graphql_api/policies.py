"""Every check a GraphQL operation passes, written once, in one list both ways in apply.

POST requests run the pipeline (graphql_api/pipeline.py); GET, GraphiQL's requests and
websocket operations run strawberry's view. Both read the schema's `Policies`: strawberry
gets each policy as one of its schema extensions (`Policies.extensions`), the pipeline calls
the same policy objects in the same order. So a new check (a permission, a limit) is a
`Policy` added to `standard_policies`, and it cannot be applied by one path and skipped by
the other: the schema accepts no extension that is not made from a policy
(tests/unit/test_graphql_policies.py).

A policy may add validation rules (checked once per document and cached with it), refuse
an operation before anything executes (`before`, raising a GraphQLError), wrap its execution
(`around`), and rewrite the errors the client is shown (`shown`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from itertools import chain
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, specified_rules
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.types import ExecutionContext

from graphql_api.documents import DocumentCache

QUERY, MUTATION, SUBSCRIPTION = "query", "mutation", "subscription"


@dataclass(slots=True)
class Operation:
    """What a policy sees of one operation about to execute, on either path."""

    schema: GraphQLSchema
    document: DocumentNode
    name: str | None  # the operation executed (the one named, else the first), if named
    kind: str  # QUERY, MUTATION or SUBSCRIPTION
    variables: Mapping[str, Any]  # as sent, not coerced
    context: Any


class Policy:
    """One check of every operation. Override what the check needs; the rest does nothing."""

    rules: tuple[type[ASTValidationRule], ...] = ()

    def before(self, operation: Operation) -> None:
        """Refuse `operation` (raise a GraphQLError) before anything of it executes."""

    def around(self, operation: Operation) -> AbstractAsyncContextManager[None] | None:
        """A context the execution runs in (a deadline, say), or None."""
        return None

    def shown(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        """The execution's errors as the client sees them (after they are logged)."""
        return errors

    def extension(self) -> Callable[[], SchemaExtension] | None:
        """The policy as strawberry's schema extension, a fresh instance per operation;
        None when it only adds validation rules (`Policies.extensions` adds those)."""
        wraps, shows = _overrides(self, "around"), _overrides(self, "shown")
        if not _overrides(self, "before") and not wraps and not shows:
            return None
        extension = _EXTENSIONS[wraps, shows]
        return lambda: extension(self)


def strawberry_operation(context: ExecutionContext) -> Operation:
    """A strawberry execution's operation, as policies see it."""
    assert context.graphql_document is not None, "policies run on a parsed document"
    kind = context.operation_type  # strawberry's OperationType: compare by value
    return Operation(
        schema=context.schema._schema,
        document=context.graphql_document,
        name=context.operation_name,
        kind=getattr(kind, "value", kind),
        variables=context.variables or {},
        context=context.context,
    )


class _Checks(SchemaExtension):
    """A policy's `before`, where strawberry runs checks: as execution starts."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def on_execute(self) -> Iterator[None]:
        self.policy.before(strawberry_operation(self.execution_context))
        yield


class _Wrapping(_Checks):
    """`before`, then the execution inside the policy's `around`."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        operation = strawberry_operation(self.execution_context)
        self.policy.before(operation)
        around = self.policy.around(operation)
        if around is None:
            yield
            return
        async with around:
            yield


class _Showing:
    """`shown` applied to the operation's result once it has one."""

    policy: Policy
    execution_context: ExecutionContext

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self.policy.shown(errors)  # type: ignore[union-attr]


class _ShowingChecks(_Showing, _Checks):
    pass


class _ShowingWrapping(_Showing, _Wrapping):
    pass


_EXTENSIONS: dict[tuple[bool, bool], type[_Checks]] = {
    (False, False): _Checks,
    (True, False): _Wrapping,
    (False, True): _ShowingChecks,
    (True, True): _ShowingWrapping,
}


class Policies(Sequence[Policy]):
    """The policies of one schema, in the order they apply."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        self._policies = tuple(policies)
        self.validation_rules: tuple[type[ASTValidationRule], ...] = (
            *specified_rules,
            *chain.from_iterable(policy.rules for policy in self._policies),
        )
        # Those that do something at each step, found once (the pipeline's hot path).
        self.checking = tuple(p for p in self._policies if _overrides(p, "before"))
        self.wrapping = tuple(p for p in self._policies if _overrides(p, "around"))
        self.showing = tuple(p for p in self._policies if _overrides(p, "shown"))

    def __getitem__(self, index: Any) -> Any:
        return self._policies[index]

    def __iter__(self) -> Iterator[Policy]:
        return iter(self._policies)

    def __len__(self) -> int:
        return len(self._policies)

    def extensions(self, documents: DocumentCache) -> list[Callable[[], SchemaExtension]]:
        """strawberry's extensions for these policies, after the cached parsing and
        validation that `documents` does (with the same rules as the pipeline)."""
        added = self.validation_rules[len(specified_rules) :]
        extensions = (policy.extension() for policy in self._policies)
        return [
            documents.extension(),
            lambda: AddValidationRules(list(added)),
            *(extension for extension in extensions if extension is not None),
        ]

    def shown(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        for policy in self.showing:
            errors = policy.shown(errors)
        return errors


def _overrides(policy: Policy, hook: str) -> bool:
    return getattr(type(policy), hook) is not getattr(Policy, hook)

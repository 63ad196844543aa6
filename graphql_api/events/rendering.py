"""Render once, send many: a subscription's selection executed once per event for every
subscriber that asked for the same thing.

What a subscriber receives for an event depends only on the selection under the
subscription's root field, the fragments and variables that selection uses, and the tenant;
the root field's arguments (`after`, filters) only choose which events arrive. So the key of
a rendering is that selection, printed as a document of its own, with the values of its
variables. Subscribers resuming from different positions, or filtering differently, still
share one rendering of each event they both receive.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    print_ast,
    visit,
)
from graphql.language import Visitor

from domain.ports import Clock
from graphql_api.context import Context, Info
from graphql_api.events.types import ReturnEventType
from persistence.database import Database
from persistence.outbox import StoredEvent


class SelectionRenderer:
    """Executes one selection for an event, as strawberry would for each subscriber (same
    extensions, error masking and error logging), and encodes the payload of the protocol's
    data message once."""

    def __init__(
        self,
        schema: strawberry.Schema,
        document: str,
        variables: dict[str, Any],
        *,
        db: Database,
        clock: Clock,
        tenant_id: str,
    ) -> None:
        self._schema = schema
        self._document = document
        self._variables = variables
        self._db, self._clock, self._tenant_id = db, clock, tenant_id

    async def render(self, event: StoredEvent) -> bytes:
        result = await self._schema.execute(
            self._document,
            variable_values=self._variables,
            context_value=self._context(),
            root_value=ReturnEventType.from_stored(event),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        return json.dumps(payload, separators=(",", ":")).encode()

    def _context(self) -> Context:
        """A context of the tenant with fresh DataLoaders: each event reads data as it is
        now, once for all the subscribers sharing this rendering."""
        return Context(
            db=self._db, clock=self._clock, tenant_id=self._tenant_id, renders_for_subscribers=True
        )


def rendering_key(info: Info, variables: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
    """The selection of this subscription as a document of its own, the variables it uses,
    and the key under which identical subscriptions of the tenant share a renderer."""
    document = selection_document(info)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    used = {definition.variable.name.value for definition in operation.variable_definitions}
    values = {name: value for name, value in variables.items() if name in used}
    text = print_ast(document)
    return text, values, (info.context.tenant_id, text, json.dumps(values, sort_keys=True))


def selection_document(info: Info) -> DocumentNode:
    """The operation with its root field's arguments removed, keeping only the variable
    definitions and fragments its selection still uses."""
    raw = info._raw_info  # graphql-core's resolve info: the operation's nodes as parsed
    roots = tuple(
        FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=(),
            directives=node.directives,
            selection_set=node.selection_set,
        )
        for node in raw.field_nodes
    )
    selection = SelectionSetNode(selections=roots)
    fragments = _fragments_used(selection, raw.fragments)
    used = _variables_in(selection, *fragments)
    definitions = tuple(
        definition
        for definition in raw.operation.variable_definitions or ()
        if definition.variable.name.value in used
    )
    operation = OperationDefinitionNode(
        operation=OperationType.SUBSCRIPTION,
        name=None,
        variable_definitions=definitions,
        directives=(),
        selection_set=selection,
    )
    return DocumentNode(definitions=(operation, *fragments))


def _fragments_used(
    selection: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    found: dict[str, FragmentDefinitionNode] = {}
    pending: list[Node] = [selection]
    while pending:
        for name in _spreads_in(pending.pop()):
            if name not in found and name in fragments:
                found[name] = fragments[name]
                pending.append(fragments[name])
    return [found[name] for name in sorted(found)]


def _spreads_in(node: Node) -> set[str]:
    names: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.add(spread.name.value)

    visit(node, Spreads())
    return names


def _variables_in(*nodes: Node) -> set[str]:
    names: set[str] = set()

    class Variables(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            names.add(variable.name.value)

    for node in nodes:
        visit(node, Variables())
    return names

"""Render once, send many: a subscription's document executed once per event for every
subscriber that sent the same one.

What a subscriber receives for an event depends on the document it sent, the selection under
the subscription's root field with the values of the variables that selection uses, and the
tenant; the root field's arguments (`after`, filters) only choose which events arrive. So
subscribers that send one document, with different values for those arguments' variables
(resuming from different positions, filtering differently), share one rendering of each event
they both receive. Rendering runs the client's own document, so even the `locations` of an
error are what a replay through strawberry gives.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    VariableNode,
    visit,
)
from graphql.language import Visitor

from core.context import Context
from graphql_api.context import Info
from graphql_api.events.types import ReturnEventType
from persistence.outbox import StoredEvent
from persistence.unit_of_work import UnitsOfWork


class SelectionRenderer:
    """Executes a subscription's document for an event, as strawberry would for each of its
    subscribers (same extensions, error masking and error logging), and encodes the payload
    of the protocol's data message once. The variables are the first subscriber's: those
    the others may differ in only feed the root field's arguments, which rendering ignores."""

    def __init__(
        self,
        schema: strawberry.Schema,
        document: str,
        variables: dict[str, Any],
        operation_name: str | None,
        *,
        units: UnitsOfWork,
        tenant_id: str,
    ) -> None:
        self._schema = schema
        self._document = document
        self._variables = variables
        self._operation_name = operation_name
        self._units, self._tenant_id = units, tenant_id

    async def render(self, event: StoredEvent) -> bytes:
        result = await self._schema.execute(
            self._document,
            variable_values=self._variables,
            context_value=self._context(),
            root_value=ReturnEventType.from_stored(event),
            operation_name=self._operation_name,
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
        return Context(units=self._units, tenant_id=self._tenant_id, renders_for_subscribers=True)


def rendering_key(
    info: Info, query: str, variables: dict[str, Any], operation_name: str | None
) -> Any:
    """The key under which identical subscriptions of a tenant share a renderer."""
    used = _selection_variables(info)
    values = {name: value for name, value in variables.items() if name in used}
    return (info.context.tenant_id, query, operation_name, json.dumps(values, sort_keys=True))


def _selection_variables(info: Info) -> set[str]:
    """The variables the root field's selection (its directives, sub-fields and fragments)
    uses: those, and not its arguments', shape what an event renders to."""
    raw = info._raw_info  # graphql-core's resolve info: the operation's nodes as parsed
    nodes: list[Node] = []
    for field in raw.field_nodes:
        nodes.extend(field.directives or ())
        if field.selection_set is not None:
            nodes.append(field.selection_set)
    fragments = _fragments_used(nodes, raw.fragments)
    return _variables_in(*nodes, *fragments)


def _fragments_used(
    nodes: list[Node], fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    found: dict[str, FragmentDefinitionNode] = {}
    pending = list(nodes)
    while pending:
        for name in _spreads_in(pending.pop()):
            if name not in found and name in fragments:
                found[name] = fragments[name]
                pending.append(fragments[name])
    return list(found.values())


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

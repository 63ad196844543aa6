"""What a live event renders to depends on the document a subscriber sent and on the
variables the root field's selection uses, not on those only its arguments use: subscribers
that resume or filter differently through variables share one rendering."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    parse,
)

from graphql_api.events.rendering import rendering_key

DOCUMENT = """
subscription Live($after: EventPosition, $merchant: String, $withRequest: Boolean!,
                  $live: Boolean!) {
  live: returnEvents(after: $after, filter: {merchant: $merchant}) @include(if: $live) {
    ...Facts
    returnRequest @include(if: $withRequest) { ...Request }
  }
}
subscription Other($other: Boolean!) {
  returnStatusChanged { ...Unrelated @include(if: $other) }
}
fragment Facts on ReturnEvent { position eventType }
fragment Request on ReturnRequest { status ...Deeper }
fragment Deeper on ReturnRequest { merchant }
fragment Unrelated on ReturnEvent { newStatus }
"""
VALUES = {"after": "1", "merchant": "a", "withRequest": True, "live": True}


def info_for(document: str, operation_name: str, tenant: str = "t1") -> Any:
    """What a resolver's `info` offers, for the named operation's root field."""
    parsed = parse(document)
    operation = next(
        d
        for d in parsed.definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == operation_name
    )
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    raw = SimpleNamespace(
        field_nodes=[operation.selection_set.selections[0]],
        fragments=fragments,
        operation=operation,
    )
    return SimpleNamespace(_raw_info=raw, context=SimpleNamespace(tenant_id=tenant))


def key(values: dict[str, Any], *, tenant: str = "t1", operation: str = "Live") -> Any:
    return rendering_key(info_for(DOCUMENT, operation, tenant), DOCUMENT, values, operation)


def test_variables_only_the_root_arguments_use_do_not_split_a_rendering():
    assert key(VALUES) == key(VALUES | {"after": "90", "merchant": "b"})


def test_variables_the_selection_uses_do():
    assert key(VALUES) != key(VALUES | {"withRequest": False})  # in a nested directive
    assert key(VALUES) != key(VALUES | {"live": False})  # on the root field itself


def test_tenants_and_operations_never_share():
    assert key(VALUES) != key(VALUES, tenant="t2")
    assert key(VALUES) != key({"other": True}, operation="Other")

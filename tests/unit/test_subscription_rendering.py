"""What a live event renders to depends only on the selection under the subscription's root
field: the rendering document drops the root field's arguments, and with them the variables
and fragments nothing else uses, so subscribers that resume or filter differently share it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    is_non_null_type,
    parse,
    print_ast,
)

from graphql_api.events.rendering import rendering_key, selection_document
from graphql_api.schema import schema

DOCUMENT = """
subscription Live($after: EventPosition, $merchant: String, $withRequest: Boolean!) {
  live: returnEvents(after: $after, filter: {merchant: $merchant}) {
    ...Facts
    returnRequest @include(if: $withRequest) { ...Request }
  }
}
subscription Other { returnStatusChanged { ...Unrelated } }
fragment Facts on ReturnEvent { position eventType }
fragment Request on ReturnRequest { status ...Deeper }
fragment Deeper on ReturnRequest { merchant }
fragment Unrelated on ReturnEvent { newStatus }
"""


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


def test_the_rendering_document_keeps_the_selection_and_what_it_uses_only():
    document = print_ast(selection_document(info_for(DOCUMENT, "Live")))

    assert document == print_ast(
        parse(
            """
            subscription ($withRequest: Boolean!) {
              live: returnEvents {
                ...Facts
                returnRequest @include(if: $withRequest) { ...Request }
              }
            }
            fragment Deeper on ReturnRequest { merchant }
            fragment Facts on ReturnEvent { position eventType }
            fragment Request on ReturnRequest { status ...Deeper }
            """
        )
    )


def test_subscribers_resuming_or_filtering_differently_share_a_rendering():
    info = info_for(DOCUMENT, "Live")
    _, variables, key = rendering_key(info, {"after": "1", "merchant": "a", "withRequest": True})
    _, _, same = rendering_key(info, {"after": "90", "merchant": "b", "withRequest": True})
    _, _, other_selection = rendering_key(info, {"withRequest": False})
    _, _, other_tenant = rendering_key(info_for(DOCUMENT, "Live", "t2"), {"withRequest": True})

    assert variables == {"withRequest": True}
    assert key == same
    assert len({key, other_selection, other_tenant}) == 3


def test_every_subscription_argument_is_optional_since_rendering_drops_them():
    subscription = schema._schema.subscription_type
    assert subscription is not None

    required = [
        f"{name}({argument})"
        for name, field in subscription.fields.items()
        for argument, definition in field.args.items()
        if is_non_null_type(definition.type)
    ]

    assert required == []

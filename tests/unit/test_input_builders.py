"""Every input type's builder (graphql_api/input_builders.py) makes what strawberry's own
conversion makes, for inputs with every field, with only the required ones, and with every
nullable field sent as null."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    coerce_input_value,
)
from strawberry.types.arguments import convert_argument

from graphql_api import input_builders
from graphql_api.schema import schema

SCALARS = {
    "String": "text",
    "ID": "RR-7K3P9Q2M",
    "Int": 2,
    "Float": 1.5,
    "Boolean": True,
    "Decimal": "49.90",
    "DateTime": "2026-01-02T03:04:05+00:00",
    "JSON": {"nested": [1, "two"]},
    "EventPosition": "7",
}
DEFINITIONS = input_builders._input_definitions(schema)


def raw(type_: Any, shape: str) -> Any:
    """A JSON value of `type_`: every field ("full"), the required ones ("required"), or
    the required ones plus every nullable one as null ("nulls")."""
    if isinstance(type_, GraphQLNonNull):
        return raw(type_.of_type, shape)
    if isinstance(type_, GraphQLList):
        return [raw(type_.of_type, shape), raw(type_.of_type, shape)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    assert isinstance(type_, GraphQLInputObjectType)
    value = {}
    for name, field in type_.fields.items():
        required = isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        if shape == "full" or required:
            value[name] = raw(field.type, shape)
        elif shape == "nulls" and not isinstance(field.type, GraphQLNonNull):
            value[name] = None
    return value


@contextmanager
def strawberrys_own_conversion() -> Iterator[None]:
    saved = [(definition, definition.from_input) for definition in DEFINITIONS]
    for definition, _ in saved:
        definition.from_input = None
    try:
        yield
    finally:
        for definition, builder in saved:
            definition.from_input = builder


def converted(definition: Any, value: Any) -> Any:
    return convert_argument(
        value, definition.origin, schema.schema_converter.scalar_registry, schema.config
    )


def test_every_input_type_of_the_schema_has_a_builder() -> None:
    assert len(DEFINITIONS) > 40
    assert all(definition.from_input is not None for definition in DEFINITIONS)


@pytest.mark.parametrize("shape", ["full", "required", "nulls"])
@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_a_builder_makes_what_strawberry_makes(definition: Any, shape: str) -> None:
    graphql_type = schema._schema.type_map[definition.name]
    value = coerce_input_value(raw(graphql_type, shape), graphql_type)
    assert value is not Undefined

    ours = converted(definition, value)
    with strawberrys_own_conversion():
        theirs = converted(definition, value)

    assert type(ours) is type(theirs)
    assert vars(ours) == vars(theirs)


def test_a_list_the_builder_returns_is_a_copy_of_the_value() -> None:
    """graphql-core hands every request that omits a list the same default object."""
    definition = next(d for d in DEFINITIONS if d.name == "CreateWebhookEndpointInput")
    value = {"url": "https://hooks.example.com/a", "eventTypes": ["NoteAdded"]}

    built = converted(definition, value)

    assert built.event_types == ["NoteAdded"] and built.event_types is not value["eventTypes"]

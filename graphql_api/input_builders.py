"""Input objects built the way strawberry builds them, from a plan made once per type.

strawberry converts a mutation's `input` field by field on every request, and for every
field asks again what its type is, what its GraphQL name is and whether it is a leaf: the
`createReturn` of the write benchmark (10 items) spent about half a millisecond there, a
tenth of the mutation. strawberry lets a type build its own instances from the input value
(`StrawberryObjectDefinition.from_input`, the hook its pydantic integration uses); this
module gives each of our input types a builder that decides those things once.

A builder does what strawberry's `convert_argument` does for the shapes our inputs have:
optional values, lists, scalars and enums (taken as graphql-core coerced them) and nested
input objects (their own builders); fields not sent keep the class's default, or None when
it has none. Any other shape is handed to strawberry's own conversion
(`InputContext.convert`), so a type this module does not know is still converted right.
tests/unit/test_input_builders.py checks every input type of the schema against
strawberry's conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Convert = Callable[[Any, InputContext], Any]
Builder = Callable[[type, Mapping[str, Any], InputContext], Any]


def install(schema: Any) -> int:
    """Give every input type of `schema` its builder; the number of types given one."""
    config, scalars = schema.config, schema.schema_converter.scalar_registry
    installed = 0
    for definition in _input_definitions(schema):
        if definition.from_input is None:
            definition.from_input = _builder(definition, config, scalars)
            installed += 1
    return installed


def _input_definitions(schema: Any) -> list[StrawberryObjectDefinition]:
    found = []
    for graphql_type in schema._schema.type_map.values():
        definition = (getattr(graphql_type, "extensions", None) or {}).get("strawberry-definition")
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_input:
            found.append(definition)
    return found


def _builder(definition: StrawberryObjectDefinition, config: Any, scalars: Any) -> Builder:
    plan: list[tuple[str, str, Convert]] | None = None  # made on first use: types resolve late
    unset = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }

    def build(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        nonlocal plan
        if plan is None:
            plan = [
                (
                    config.name_converter.from_field(field),
                    field.python_name,
                    _converter(field.resolve_type(type_definition=definition), scalars),
                )
                for field in definition.fields
            ]
        kwargs = dict(unset)
        for graphql_name, python_name, convert in plan:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name], context)
        return cls(**kwargs)

    return build


def _converter(type_: Any, scalars: Any) -> Convert:
    """How a value of `type_` becomes what strawberry's convert_argument would make of it."""
    if isinstance(type_, LazyType):
        return _converter(type_.resolve_type(), scalars)
    if isinstance(type_, StrawberryMaybe):
        return _strawberrys(type_)
    if isinstance(type_, StrawberryOptional):
        return _present(_converter(type_.of_type, scalars))
    if isinstance(type_, StrawberryList):
        return _present(_list(type_.of_type, scalars))
    if _is_leaf(type_, scalars):
        return _present(_as_is)
    if has_object_definition(type_) and type_.__strawberry_definition__.is_input:
        return _present(_nested(type_))
    return _strawberrys(type_)


def _is_leaf(type_: Any, scalars: Any) -> bool:
    if isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_):
        return True
    return type_ is not GlobalID and is_scalar(type_, scalars)  # a GlobalID is decoded


def _present(convert: Convert) -> Convert:
    """None and UNSET pass as they are, as strawberry lets them."""

    def converted(value: Any, context: InputContext) -> Any:
        if value is None or value is UNSET:
            return value
        return convert(value, context)

    return converted


def _as_is(value: Any, _context: InputContext) -> Any:
    return value


def _list(of_type: Any, scalars: Any) -> Convert:
    inner = of_type.of_type if isinstance(of_type, StrawberryOptional) else of_type
    if _is_leaf(inner, scalars):
        # Copied: graphql-core hands every request that omits a value the same default.
        return lambda value, _context: list(value)
    convert = _converter(of_type, scalars)
    return lambda value, context: [convert(item, context) for item in value]


def _nested(cls: type) -> Convert:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]

    def convert(value: Any, context: InputContext) -> Any:
        return definition.from_input(cls, value, context)

    return convert


def _strawberrys(type_: Any) -> Convert:
    return lambda value, context: context.convert(value, type_)

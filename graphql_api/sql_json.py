"""Queries the database answers in JSON: for a selection of plain fields, one statement per
root field writes that field's answer as text (persistence/json_reads.py), and the pipeline
(graphql_api/pipeline.py) splices the text into the response, no object built per row.

What a root field's selection may hold is declared, not guessed: per GraphQL type, the
fields the database writes exactly as the resolvers' path answers them (a column and how
its value is written, or a list of children), in graphql_api/returns/sql_fields.py; and
per root field, how its arguments become the statement's (`RootField`). A selection is
compiled once per validated document, operation and values of the variables its @skip and
@include read, and kept with the document like a plan (graphql_api/plans.py).

Anything else is answered by the planned executor, unchanged: a field not declared, an
argument on a field, a directive other than @skip and @include, a variable that does not
coerce, an argument the resolver would refuse (its error is the resolver's), a mutation,
a value the database cannot write exactly (`json_reads.DOUBT`), or any failure. The policies
have run before this, and it runs inside their `around`s (a deadline), as execution does.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_object_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments

from core.context import Context
from graphql_api.errors import ClientError
from graphql_api.plans import switch_variables
from persistence import json_reads
from persistence.json_reads import Children, Constant, JsonObject, Kind, Unsupported
from persistence.read_model import Child

_STRAWBERRY = "strawberry-definition"
_SKIP_INCLUDE = frozenset({"skip", "include"})
Details = list[FieldDetails]


@dataclass(frozen=True, slots=True)
class Value:
    """A field the database writes from a column of the object's row."""

    column: str
    kind: Kind
    prefix: str = ""  # Kind.GLOBAL_ID: the type name the id is encoded with
    names: tuple[tuple[str, str], ...] = ()  # Kind.ENUM: (stored value, GraphQL name)

    @classmethod
    def text(cls, column: str) -> Value:
        return cls(column, Kind.TEXT)

    @classmethod
    def integer(cls, column: str) -> Value:
        return cls(column, Kind.INTEGER)

    @classmethod
    def time(cls, column: str) -> Value:
        return cls(column, Kind.TIME)


@dataclass(frozen=True, slots=True)
class ChildList:
    """A field listing the object's children of one kind, in their order."""

    child: Child


Source = Value | ChildList
# Per GraphQL type name, the fields the database writes, by field name.
Declared = Mapping[str, Mapping[str, Source]]
# A compiled root field: given the request's context and the field's arguments (Python
# names, as its resolver gets them), the field's answer as JSON text; None: answer it
# the other way.
Reader = Callable[[Context, dict[str, Any]], Awaitable[str | None]]


class RootField(Protocol):
    def compile(self, selection: Selection, field_def: GraphQLField, details: Details) -> Reader:
        """The reader of this selection of the field; raises Unsupported otherwise."""
        ...


@dataclass(slots=True)
class Selection:
    """Turns a field's selection into what the database writes, as graphql-core collects
    it (fragments, @skip and @include with the request's variables)."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode
    dialect_name: str
    types: Declared

    def fields(self, type_: GraphQLObjectType, details: Details) -> dict[str, Details]:
        """The fields selected on `type_` by response key, refused when a field has
        arguments or a directive graphql-core would not apply itself."""
        grouped = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, type_, details
        ).grouped_field_set
        for found in grouped.values():
            for detail in found:
                if detail.fragment_variable_values is not None or detail.node.arguments:
                    raise Unsupported("arguments")
                if any(d.name.value not in _SKIP_INCLUDE for d in detail.node.directives or ()):
                    raise Unsupported("a directive")
        return grouped

    def shape(self, type_: GraphQLObjectType, details: Details) -> JsonObject:
        """The JSON object the database writes for this selection of `type_`."""
        declared = self.types.get(type_.name, {})
        members: list[json_reads.Member] = []
        for key, found in self.fields(type_, details).items():
            name = found[0].node.name.value
            source = declared.get(name)
            if name == "__typename":
                members.append(Constant(key, type_.name))
            elif isinstance(source, Value):
                members.append(
                    json_reads.Column(key, source.column, source.kind, source.prefix, source.names)
                )
            elif isinstance(source, ChildList):
                inner = get_named_type(type_.fields[name].type)
                assert is_object_type(inner), f"{type_.name}.{name} lists objects"
                members.append(Children(key, source.child, self.shape(inner, found)))  # type: ignore[arg-type]
            else:
                raise Unsupported(f"{type_.name}.{name}")
        shape = JsonObject(tuple(members))
        if not json_reads.supported(self.dialect_name, shape):
            raise Unsupported(f"{type_.name} on {self.dialect_name}")
        return shape


@dataclass(frozen=True, slots=True)
class _Root:
    key: str
    field_def: GraphQLField | None
    node: FieldNode
    read: Reader | None  # None: `__typename`


@dataclass(slots=True)
class _Operation:
    """One operation of a document: what its compiled selections need, and its plans by
    the values of the variables @skip and @include read."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    switches: tuple[str, ...]
    plans: dict[tuple[Any, ...], list[_Root] | None] = field(default_factory=dict)


class SqlJson:
    """The database's answers of one schema, on one database (`dialect_name`)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        strawberry_schema: Any,
        roots: Mapping[str, RootField],
        types: Declared,
        dialect_name: str,
    ) -> None:
        self._schema = schema
        self._strawberry = strawberry_schema
        self._roots = roots
        self._types = types
        self._dialect = dialect_name
        self._operations: dict[tuple[int, Any], tuple[weakref.ref[Any], _Operation | None]] = {}

    async def answer(
        self, document: DocumentNode, name: str | None, raw: dict[str, Any] | None, context: Any
    ) -> dict[str, Any] | None:
        """The operation's `data`, each root field's answer as a JSON fragment; None when
        the other way answers it."""
        entry = self._operation(document, name)
        if entry is None:
            return None
        variables = get_variable_values(
            self._schema, entry.operation.variable_definitions or (), raw or {}
        )
        if isinstance(variables, list):  # they do not coerce: graphql-core says why
            return None
        try:
            roots = self._plan(entry, variables)
        except GraphQLError:  # a switch's value refused (a null one): the executor says so
            return None
        if roots is None:
            return None
        data: dict[str, Any] = {}
        for root in roots:
            if root.read is None:
                data[root.key] = self._schema.query_type.name  # type: ignore[union-attr]
                continue
            try:
                text = await root.read(context, self._arguments(root, variables))
            except (ClientError, GraphQLError):
                return None  # the resolver refuses its arguments, with its own error
            if text is None or json_reads.DOUBT in text:
                return None
            data[root.key] = orjson.Fragment(text)
        return data

    def _arguments(self, root: _Root, variables: VariableValues) -> dict[str, Any]:
        """The field's arguments as its resolver would get them (strawberry's conversion)."""
        assert root.field_def is not None
        coerced = get_argument_values(root.field_def, root.node, variables)
        definition = root.field_def.extensions[_STRAWBERRY]
        converter = self._strawberry.schema_converter
        return convert_arguments(  # type: ignore[no-any-return]
            coerced, definition.arguments, converter.scalar_registry, self._strawberry.config
        )

    def _operation(self, document: DocumentNode, name: str | None) -> _Operation | None:
        key = (id(document), name)
        found = self._operations.get(key)
        if found is not None and found[0]() is document:
            return found[1]
        entry = _operation_of(document, name)
        self._operations[key] = (weakref.ref(document, self._forget(key)), entry)
        return entry

    def _forget(self, key: tuple[int, Any]) -> Callable[[Any], None]:
        def forget(_ref: Any) -> None:
            self._operations.pop(key, None)

        return forget

    def _plan(self, entry: _Operation, variables: VariableValues) -> list[_Root] | None:
        switches = tuple(variables.coerced.get(name) for name in entry.switches)
        if switches not in entry.plans:
            entry.plans[switches] = self._compile(entry, variables)
        return entry.plans[switches]

    def _compile(self, entry: _Operation, variables: VariableValues) -> list[_Root] | None:
        query = self._schema.query_type
        assert query is not None
        selection = Selection(
            self._schema,
            entry.fragments,
            variables,
            entry.operation,
            self._dialect,
            self._types,
        )
        grouped = collect_fields(
            self._schema, entry.fragments, variables, query, entry.operation
        ).grouped_field_set
        roots = []
        try:
            for key, details in grouped.items():
                node = details[0].node
                name = node.name.value
                if any(d.name.value not in _SKIP_INCLUDE for d in node.directives or ()):
                    raise Unsupported("a directive")
                if name == "__typename":
                    roots.append(_Root(key, None, node, None))
                    continue
                root, field_def = self._roots.get(name), query.fields.get(name)
                if root is None or field_def is None:
                    raise Unsupported(name)
                roots.append(
                    _Root(key, field_def, node, root.compile(selection, field_def, details))
                )
        except Unsupported:
            return None
        if all(root.read is None for root in roots):  # nothing to read: nothing gained
            return None
        return roots


def _operation_of(document: DocumentNode, name: str | None) -> _Operation | None:
    """The query `name` (else the only one) of a document, with its fragments; None for
    a mutation, a subscription, or fragments with variables of their own."""
    operation = None
    fragments: dict[str, FragmentDetails] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if name is None or (definition.name and definition.name.value == name):
                if operation is not None and name is None:
                    return None
                operation = definition
        elif isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                return None
            fragments[definition.name.value] = FragmentDetails(definition)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    definitions = {fragment: found.definition for fragment, found in fragments.items()}
    return _Operation(operation, fragments, switch_variables(operation, definitions))

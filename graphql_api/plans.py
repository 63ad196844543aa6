"""Execution plans: a query's selection compiled once per validated document, so executing
it costs little more than reading the values it returns.

graphql-core decides, for every field of every object it completes, which field that is,
how to resolve it, how to complete its type and where it sits in the answer: about 4 µs a
field, most of a page of 100 returns. A plan decides all of that once per operation: per
object type and selection, the list of fields with their response key, whether the value is
a plain attribute (read directly, as strawberry's default resolver does) or needs the
field's resolver (called as graphql-core would call it), and a completion function built
from the field's type. Fields with resolvers are gathered per level across the whole
answer and awaited together, so DataLoaders batch exactly as they do under graphql-core.

A plan covers the answers graphql-core would give without an error. Anything else (a
resolver raising, a null where the type forbids one, a value of another shape) raises
`PlanMiss`, and graphql-core's executor runs the operation instead, so every error, its
message, path and locations come from graphql-core itself. It runs no resolver a second
time: a plan meeting a failure goes on with the rest of the answer (so a level's loads
still batch together), lets every resolver it started finish, and hands graphql-core their
outcomes by path (`Run.outcomes`, graphql_api/planned_executor.py), so a query that errors
reads the database as it would on graphql-core alone.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    OperationDefinitionNode,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import get_argument_values
from graphql.language import Visitor, visit
from graphql.pyutils import Path, Undefined
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.base import StrawberryMaybe, StrawberryOptional

FieldDetailsList = list[FieldDetails]
Complete = Callable[[Any, "Run", Path | None], Any]

_STRAWBERRY_FIELD = "strawberry-definition"
_ATTRIBUTE, _TYPENAME, _RESOLVER = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Leaf:
    """How a scalar or enum value is taken as it is (its class is the type's own), or an
    enum member named; anything else goes through the type's coercion."""

    nullable: bool
    native: type | None = None  # str, bool or float: taken as is
    is_int: bool = False  # int within 32 bits: taken as is
    names: dict[Any, str] | None = None  # enum member → name


class PlanMiss(Exception):
    """The plan cannot give this answer exactly as graphql-core would: let it run."""


@dataclass(slots=True)
class FieldPlan:
    key: str
    kind: int
    parent: GraphQLObjectType | None = None
    attribute: str = ""
    resolve: Callable[..., Any] | None = None
    field_def: GraphQLField | None = None
    nodes: list[FieldNode] = field(default_factory=list)
    details: FieldDetailsList = field(default_factory=list)
    args: dict[str, Any] | None = None  # None: they depend on the request's variables
    complete: Complete | None = None
    leaf: Leaf | None = None  # for a plain scalar or enum attribute: its fast checks


@dataclass(slots=True)
class ObjectPlan:
    type: GraphQLObjectType
    fields: list[FieldPlan]
    # The object's completion as one function generated for this selection (see _generate).
    function: Callable[[Any, Run, Path | None], dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one resolver call gave: its value, or the exception it raised; `awaited` when
    the resolver answered with an awaitable (graphql-core is given one back)."""

    path: Path
    value: Any
    raised: bool = False
    awaited: bool = False


class Run:
    """One execution of a plan: the executor it stands in for, the resolvers whose values
    are still awaited (gathered level by level), and what every resolver called gave."""

    __slots__ = ("args", "draining", "executor", "failed", "outcomes", "pending")

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.pending: list[_Waiting] = []
        self.args: dict[int, dict[str, Any]] = {}
        self.outcomes: list[Outcome] = []
        self.failed = False  # a resolver raised or a value did not complete: graphql-core answers
        # Once the plan gave up: resolvers started finish, nothing new is completed.
        self.draining = False

    def fail(self) -> None:
        """This part of the answer is graphql-core's to give; the plan goes on with the
        rest, so the resolvers graphql-core would run run now, batched as they would be."""
        self.failed = True

    def arguments(self, plan: FieldPlan) -> dict[str, Any]:
        """Arguments that use variables, coerced once per request and field."""
        found = self.args.get(id(plan))
        if found is None:
            assert plan.field_def is not None
            found = get_argument_values(
                plan.field_def, plan.nodes[0], self.executor.variable_values
            )
            self.args[id(plan)] = found
        return found


def complete_object(plan: ObjectPlan, source: Any, run: Run, path: Path | None) -> dict[str, Any]:
    """The answer for one object: plain attributes now, resolvers called now and, when they
    return awaitables, completed once the level they belong to is awaited."""
    if plan.function is not None:
        return plan.function(source, run, path)
    result: dict[str, Any] = {}
    type_name = plan.type.name
    for field_plan in plan.fields:
        kind = field_plan.kind
        if kind == _ATTRIBUTE:
            complete = field_plan.complete
            result[field_plan.key] = complete(  # type: ignore[misc]
                getattr(source, field_plan.attribute), run, Path(path, field_plan.key, type_name)
            )
        elif kind == _TYPENAME:
            result[field_plan.key] = type_name
        else:
            result[field_plan.key] = _resolve(field_plan, source, run, path, result)
    return result


def _resolve(
    plan: FieldPlan, source: Any, run: Run, path: Path | None, container: dict[str, Any]
) -> Any:
    field_path = Path(path, plan.key, plan.parent.name)  # type: ignore[union-attr]
    executor = run.executor
    info = executor.build_resolve_info(plan.field_def, plan.nodes, plan.parent, field_path)
    try:
        args = plan.args if plan.args is not None else run.arguments(plan)
    except GraphQLError as error:  # graphql-core refuses them before calling the resolver
        raise PlanMiss from error
    try:
        value = plan.resolve(source, info, **args)  # type: ignore[misc]
    except Exception as error:
        run.outcomes.append(Outcome(field_path, error, raised=True))
        run.fail()
        return None
    if not executor.is_awaitable(value):
        run.outcomes.append(Outcome(field_path, value))
        return _completed(plan, value, run, field_path)
    waiting = _Waiting(value.__await__(), container, plan, field_path)
    return waiting.step(run)


def _completed(plan: FieldPlan, value: Any, run: Run, path: Path) -> Any:
    """A resolver's value completed; when it cannot be as graphql-core would (a null where
    none may be, a value of another shape), graphql-core will, from the same value."""
    try:
        return plan.complete(value, run, path)  # type: ignore[misc]
    except PlanMiss:
        run.fail()
        return None


class _Waiting:
    """A resolver's coroutine, driven here rather than in a Task of its own: run until it
    finishes or waits on a future (typically a DataLoader's), resumed once that future is
    done. Every resolver of a level starts before any waits, so their loads batch; and a
    page of 100 requests costs no 100 Tasks."""

    __slots__ = ("container", "future", "path", "plan", "steps")

    def __init__(self, steps: Any, container: dict[str, Any], plan: FieldPlan, path: Path) -> None:
        self.steps = steps
        self.container = container
        self.plan = plan
        self.path = path
        self.future: Any = None

    def step(self, run: Run) -> Any:
        """Advance the coroutine; its completed value once it returns, else a placeholder
        (None keeps the key in its place) while it waits."""
        try:
            waited = self.steps.send(None)
        except StopIteration as finished:
            run.outcomes.append(Outcome(self.path, finished.value, awaited=True))
            if run.draining:
                return None
            return _completed(self.plan, finished.value, run, self.path)
        except Exception as error:
            run.outcomes.append(Outcome(self.path, error, raised=True, awaited=True))
            run.fail()
            return None
        if waited is not None:
            if not isinstance(waited, asyncio.Future):
                self.steps.close()
                raise PlanMiss(f"a resolver waited on {type(waited).__name__}")
            # What a Task does on taking a future: another resolver may await it too.
            waited._asyncio_future_blocking = False
        self.future = waited  # None: a bare yield (asyncio.sleep(0)), resumed next round
        run.pending.append(self)
        return None

    def resume(self, run: Run) -> None:
        self.container[self.plan.key] = self.step(run)


async def execute_plan(plan: ObjectPlan, run: Run) -> dict[str, Any]:
    """The plan's answer. When it gives up (PlanMiss, or a fault of its own), the resolvers
    it started are let finish first, their outcomes in `run.outcomes`; when it is
    cancelled (a timeout, a client gone), they are cancelled too."""
    try:
        data = complete_object(plan, run.executor.root_value, run, None)
        await _settle(run)
    except Exception:
        run.draining = True
        await _finish(run)
        raise
    except BaseException:
        await _cancel_pending(run)
        raise
    if run.failed:
        raise PlanMiss("graphql-core answers the errors")
    return data


async def _finish(run: Run) -> None:
    try:
        await _settle(run)
    except BaseException:
        await _cancel_pending(run)
        raise


async def _cancel_pending(run: Run) -> None:
    for entry in run.pending:  # resolvers a plan that was cancelled leaves
        await _cancel(entry.steps)


async def _cancel(steps: Any) -> None:
    """Cancel a resolver's coroutine as a Task would be cancelled (CancelledError at its
    await) and drive its clean-up (closing a database connection awaits) to its end before
    the plan gives up, so no connection is left half-closed for the garbage collector."""
    try:
        waited = steps.throw(asyncio.CancelledError())
        while True:
            if waited is not None:
                waited._asyncio_future_blocking = False
                await asyncio.wait([waited])
            else:
                await asyncio.sleep(0)
            waited = steps.send(None)
    except BaseException:
        return


async def _first_done(futures: set[asyncio.Future[Any]]) -> None:
    """Until one of `futures` is done: `asyncio.wait(..., FIRST_COMPLETED)` without its
    sets, checks and second coroutine (a read waits once or twice). Like it, the futures
    are never cancelled here (a cancel reaches the resolvers through `_cancel`), and a
    future done already wakes it on the loop's next round, as it wakes `asyncio.wait`."""
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake(_future: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)

    for future in futures:
        future.add_done_callback(wake)
    try:
        await waiter
    finally:
        for future in futures:
            future.remove_done_callback(wake)


async def _settle(run: Run) -> None:
    """Drive the resolvers waiting on futures until none waits."""
    while run.pending:
        waiting = run.pending  # still run.pending while it waits: a cancel must find them
        futures = {entry.future for entry in waiting if entry.future is not None}
        if futures and all(entry.future is not None for entry in waiting):
            await _first_done(futures)
        else:
            await asyncio.sleep(0)
        run.pending = []
        for index, entry in enumerate(waiting):
            if entry.future is not None and not entry.future.done():
                run.pending.append(entry)
                continue
            try:
                entry.resume(run)
            except BaseException:
                run.pending.extend(waiting[index + 1 :])  # still to be finished
                raise


# --------------------------------------------------------------------------- compiling


class Compiler:
    """Builds the plan of one operation with the executor graphql-core would have used
    (its schema, fragments and the request's variables, for @skip and @include)."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.schema = executor.schema

    def root(self) -> ObjectPlan | None:
        executor = self.executor
        root_type = self.schema.get_root_type(executor.operation.operation)
        if root_type is None:
            return None
        collected = collect_fields(
            self.schema,
            executor.fragments,
            executor.variable_values,
            root_type,
            executor.operation,
            executor.hide_suggestions,
        )
        return self.object_plan(root_type, collected.grouped_field_set)

    def object_plan(
        self, type_: GraphQLObjectType, grouped: dict[str, FieldDetailsList]
    ) -> ObjectPlan:
        fields = [self.field_plan(type_, key, details) for key, details in grouped.items()]
        return ObjectPlan(type_, fields, _generate(type_.name, fields))

    def field_plan(
        self, parent: GraphQLObjectType, key: str, details: FieldDetailsList
    ) -> FieldPlan:
        node = details[0].node
        if any(detail.fragment_variable_values is not None for detail in details):
            raise PlanMiss("fragment arguments")
        name = node.name.value
        if name == "__typename":
            return FieldPlan(key, _TYPENAME)
        if name.startswith("__"):
            raise PlanMiss("introspection")
        field_def = parent.fields.get(name)
        if field_def is None:
            raise PlanMiss(f"unknown field {parent.name}.{name}")
        complete = self.completion(field_def.type, details, field_def, parent)
        attribute = _plain_attribute(field_def)
        if attribute is not None and not node.arguments:
            leaf = _leaf_checks(field_def.type)
            return FieldPlan(key, _ATTRIBUTE, attribute=attribute, complete=complete, leaf=leaf)
        direct = _direct_resolver(field_def, self.schema)
        return FieldPlan(
            key,
            _RESOLVER,
            parent=parent,
            resolve=direct or field_def.resolve or self.executor.field_resolver,
            field_def=field_def,
            nodes=[detail.node for detail in details],
            details=details,
            args=self.constant_arguments(field_def, node),
            complete=complete,
        )

    def constant_arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
        """The field's arguments when no variable feeds them (coerced once), else None."""
        if not field_def.args and not node.arguments:
            return {}
        if _uses_variables(node):
            return None
        try:
            return get_argument_values(field_def, node, self.executor.variable_values)
        except GraphQLError as error:
            raise PlanMiss from error

    def completion(
        self,
        type_: GraphQLOutputType,
        details: FieldDetailsList,
        field_def: GraphQLField,
        parent: GraphQLObjectType,
    ) -> Complete:
        """How to complete a value of `type_` returned by the field `field_def` of `parent`."""
        if isinstance(type_, GraphQLNonNull):
            return _non_null(self.completion(type_.of_type, details, field_def, parent))
        if isinstance(type_, GraphQLList):
            return _list(self.completion(type_.of_type, details, field_def, parent))
        if is_leaf_type(type_):
            return _leaf(type_)
        if is_object_type(type_):
            return self._object(type_, details)  # type: ignore[arg-type]
        if is_abstract_type(type_):
            return self._abstract(type_, details, field_def, parent)
        raise PlanMiss(f"output type {type_}")

    def _object(self, type_: GraphQLObjectType, details: FieldDetailsList) -> Complete:
        plan = self.sub_plan(type_, details)
        is_type_of = type_.is_type_of

        def complete(value: Any, run: Run, path: Path | None) -> Any:
            if value is None:
                return None
            if run.executor.is_awaitable(value):  # a list's item: graphql-core awaits it
                raise PlanMiss("an awaitable object")
            if is_type_of is not None and is_type_of(value, None) is not True:
                raise PlanMiss("is_type_of")
            return complete_object(plan, value, run, path)

        return complete

    def _abstract(
        self,
        type_: Any,
        details: FieldDetailsList,
        field_def: GraphQLField,
        parent: GraphQLObjectType,
    ) -> Complete:
        plans: dict[str, ObjectPlan] = {}
        compiler = self
        nodes = [detail.node for detail in details]

        def complete(value: Any, run: Run, path: Path | None) -> Any:
            if value is None:
                return None
            executor = run.executor
            if executor.is_awaitable(value):
                raise PlanMiss("an awaitable object")
            resolve_type = type_.resolve_type or executor.type_resolver
            info = executor.build_resolve_info(field_def, nodes, parent, path)
            try:
                runtime = resolve_type(value, info, type_)
                if executor.is_awaitable(runtime):
                    raise PlanMiss("asynchronous resolve_type")
                object_type = executor.ensure_valid_runtime_type(
                    runtime, type_, details, info, value
                )
            except GraphQLError as error:
                raise PlanMiss from error
            plan = plans.get(object_type.name)
            if plan is None:
                plan = plans[object_type.name] = compiler.sub_plan(object_type, details)
            return compiler._object_value(plan, value, run, path)

        return complete

    @staticmethod
    def _object_value(plan: ObjectPlan, value: Any, run: Run, path: Path | None) -> Any:
        is_type_of = plan.type.is_type_of
        if is_type_of is not None and is_type_of(value, None) is not True:
            raise PlanMiss("is_type_of")
        return complete_object(plan, value, run, path)

    def sub_plan(self, type_: GraphQLObjectType, details: FieldDetailsList) -> ObjectPlan:
        executor = self.executor
        collected = collect_subfields(
            self.schema,
            executor.fragments,
            executor.variable_values,
            executor.operation,
            type_,
            details,
            executor.hide_suggestions,
        )
        return self.object_plan(type_, collected.grouped_field_set)


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any, run: Run, path: Path | None) -> Any:
        completed = inner(value, run, path)
        if completed is None:
            raise PlanMiss("null for a non-null field")
        return completed

    return complete


def _list(inner: Complete) -> Complete:
    def complete(value: Any, run: Run, path: Path | None) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            raise PlanMiss("a list value that is not a list")
        return [inner(item, run, Path(path, index, None)) for index, item in enumerate(value)]

    return complete


_INT_RANGE = range(-(2**31), 2**31)


def _leaf(type_: Any) -> Complete:
    """`coerce_output_value`, with the built-in scalars' and enums' common cases taken
    directly (an enum's members map to their names once, here)."""
    coerce = type_.coerce_output_value
    names = _enum_names(type_)
    native: type | None = (
        {
            GraphQLString.name: str,
            GraphQLID.name: str,
            GraphQLBoolean.name: bool,
            GraphQLFloat.name: float,
        }.get(type_.name)
        if type_ in (GraphQLString, GraphQLID, GraphQLBoolean, GraphQLFloat)
        else None
    )
    is_int = type_ is GraphQLInt

    def complete(value: Any, run: Run, path: Path | None) -> Any:
        if value is None:
            return None
        kind = type(value)
        if kind is native or (is_int and kind is int and value in _INT_RANGE):
            return value
        if names is not None:
            name = names.get(value)
            if name is not None:
                return name
        try:
            coerced = coerce(value)
        except Exception as error:
            raise PlanMiss from error
        if coerced is None or coerced is Undefined:
            raise PlanMiss("a leaf that coerces to null")
        return coerced

    return complete


def _leaf_checks(type_: GraphQLOutputType) -> Leaf | None:
    """The fast checks of a scalar or enum field, None for any other type."""
    nullable = not isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not is_leaf_type(inner):
        return None
    natives = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLFloat: float}
    return Leaf(
        nullable=nullable,
        native=natives.get(inner),  # type: ignore[call-overload]
        is_int=inner is GraphQLInt,
        names=_enum_names(inner),
    )


def _generate(
    type_name: str, fields: list[FieldPlan]
) -> Callable[[Any, Run, Path | None], dict[str, Any]]:
    """One function completing objects of this selection, generated once per plan: for a
    page of items, seven attributes each, the generic loop spent more than the work.
    Each plain scalar is read and, when its class is already the type's own, stored as is;
    anything else calls the field's completion, as the loop would."""
    namespace: dict[str, Any] = {"_resolve": _resolve, "_Path": Path, "type_name": type_name}
    lines = ["def complete(source, run, path):", "    result = {}"]
    for index, plan in enumerate(fields):
        key = repr(plan.key)
        namespace[f"plan{index}"] = plan
        namespace[f"complete{index}"] = plan.complete
        if plan.kind == _TYPENAME:
            lines.append(f"    result[{key}] = type_name")
        elif plan.kind == _RESOLVER:
            lines.append(f"    result[{key}] = _resolve(plan{index}, source, run, path, result)")
        else:
            lines += _attribute_lines(index, key, plan, namespace)
    lines.append("    return result")
    exec("\n".join(lines), namespace)  # code built from the schema's own names only
    return namespace["complete"]  # type: ignore[no-any-return]


def _attribute_lines(index: int, key: str, plan: FieldPlan, namespace: dict[str, Any]) -> list[str]:
    read = f"    value = source.{plan.attribute}"
    slow = f"complete{index}(value, run, path)"
    leaf = plan.leaf
    if leaf is None:  # an object or a list: its own path, under which resolvers may run
        return [
            f"    result[{key}] = complete{index}("
            f"source.{plan.attribute}, run, _Path(path, {key}, type_name))"
        ]
    guard = "value is not None and " if leaf.nullable else ""
    if leaf.names is not None:
        namespace[f"names{index}"] = leaf.names
        return [
            read,
            f"    name = names{index}.get(value)",
            f"    result[{key}] = name if name is not None else {slow}",
        ]
    if leaf.native is not None:
        namespace[f"native{index}"] = leaf.native
        test = f"value.__class__ is not native{index}"
    elif leaf.is_int:
        test = "(value.__class__ is not int or not -2147483648 <= value <= 2147483647)"
    else:
        return [f"    result[{key}] = complete{index}(source.{plan.attribute}, run, None)"]
    return [read, f"    if {guard}{test}:", f"        value = {slow}", f"    result[{key}] = value"]


def _enum_names(type_: Any) -> dict[Any, str] | None:
    """For an enum over a Python Enum (strawberry's), each member's GraphQL name: what its
    coerce_output_value answers, found by a loop over the values on every call."""
    wrapped = getattr(type_, "wrapped_cls", None)
    if not isinstance(getattr(type_, "values", None), dict) or wrapped is None:
        return None
    names = {}
    for member in wrapped:
        try:
            names[member] = type_.coerce_output_value(member)
        except Exception:
            continue
    return names


def _plain_attribute(field_def: GraphQLField) -> str | None:
    """The attribute strawberry's default resolver reads for a field without a resolver
    of its own, or None when the field has one."""
    resolve = field_def.resolve
    definition = (field_def.extensions or {}).get(_STRAWBERRY_FIELD)
    if definition is None or not getattr(resolve, "_is_default", False):
        return None
    if definition.default_resolver is not getattr:
        return None
    return definition.python_name


def _direct_resolver(field_def: GraphQLField, schema: Any) -> Callable[..., Any] | None:
    """For a strawberry resolver that takes its parent and `info` and arguments of scalar
    types only, and has no field extensions: a function calling it the way strawberry's
    wrapper would (`resolver(self_or_root, info=Info(...), **arguments)`), without the
    wrapper's layers of argument conversion and extension handling, a good part of a
    page's cost (`items` of 100 requests) and of a small read's. A scalar argument's value
    is passed as graphql-core coerced it (strawberry's conversion gives it back as it is),
    under its Python name, worked out once here; an argument left out stays out, so the
    resolver's default applies. Anything else (enums, lists, inputs, extensions,
    permissions, `Parent`) goes through the field's own resolve function.
    tests/unit/test_planned_execution.py pins the strawberry internals this reads."""
    field = (field_def.extensions or {}).get(_STRAWBERRY_FIELD)
    resolver = getattr(field, "base_resolver", None)
    if resolver is None or field.extensions or resolver.parent_parameter:
        return None
    strawberry_schema = schema.extensions[_STRAWBERRY_FIELD]
    names = _scalar_argument_names(field, strawberry_schema)
    if names is None:
        return None
    info_class = strawberry_schema.config.info_class
    function = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    root = resolver.root_parameter.name if resolver.root_parameter else None
    info = resolver.info_parameter.name if resolver.info_parameter else None

    def call(source: Any, raw_info: Any, **arguments: Any) -> Any:
        kwargs: dict[str, Any] = {}
        for name, value in arguments.items():
            kwargs[names[name]] = value
        if root is not None:
            kwargs[root] = source
        if info is not None:
            kwargs[info] = info_class(_raw_info=raw_info, _field=field)
        return function(source, **kwargs) if takes_self else function(**kwargs)

    return call


def _scalar_argument_names(field: Any, strawberry_schema: Any) -> dict[str, str] | None:
    """GraphQL name → Python name of each argument of `field`, when every one is a scalar
    (or an optional scalar) strawberry hands over unconverted; None otherwise."""
    registry = strawberry_schema.schema_converter.scalar_registry
    converter = strawberry_schema.config.name_converter
    names = {}
    for argument in field.arguments:
        type_ = argument.type
        if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
            type_ = type_.of_type
        if type_ is GlobalID or not is_scalar(type_, registry):
            return None
        names[converter.from_argument(argument)] = argument.python_name
    return names


def _uses_variables(node: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_args: Any) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        visit(argument, Finder())
    return found


# --------------------------------------------------------------------------- the cache


@dataclass(slots=True)
class _OperationPlans:
    """The plans of one operation, by the values of the variables its @skip and @include
    read (usually none, so one plan)."""

    switches: tuple[str, ...]
    plans: dict[tuple[Any, ...], ObjectPlan | None] = field(default_factory=dict)


class PlanCache:
    """Plans by operation. Keyed by the parsed operation's identity (the parser cache hands
    out the same node for the same text), and dropped with it."""

    def __init__(self) -> None:
        self._by_operation: dict[int, tuple[weakref.ref[Any], _OperationPlans]] = {}

    def plan_for(self, executor: Any) -> ObjectPlan | None:
        operation: OperationDefinitionNode = executor.operation
        entry = self._by_operation.get(id(operation))
        if entry is None or entry[0]() is not operation:
            entry = (
                weakref.ref(operation, self._forget(id(operation))),
                _OperationPlans(switch_variables(operation, executor.fragment_definitions)),
            )
            self._by_operation[id(operation)] = entry
        plans = entry[1]
        coerced = executor.variable_values.coerced
        key = tuple(coerced.get(name) for name in plans.switches)
        if key not in plans.plans:
            plans.plans[key] = _compile(executor)
        return plans.plans[key]

    def _forget(self, key: int) -> Callable[[Any], None]:
        def forget(_ref: Any) -> None:
            self._by_operation.pop(key, None)

        return forget

    def __len__(self) -> int:
        return len(self._by_operation)


def _compile(executor: Any) -> ObjectPlan | None:
    """The operation's plan, or None when it has a shape plans leave to graphql-core."""
    try:
        return Compiler(executor).root()
    except PlanMiss:
        return None


def switch_variables(
    operation: OperationDefinitionNode, fragments: dict[str, Any]
) -> tuple[str, ...]:
    """Variables that @skip or @include read anywhere in the operation or its fragments
    (by name, their definitions): a selection is compiled once per value of these."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    for definition in (operation, *fragments.values()):
        visit(definition, Finder())
    return tuple(sorted(names))

"""The internals of strawberry, graphql-core, aiohttp and aiosqlite that our code reaches into, each
checked by name and shape, so an upgrade that moves one fails here with a message naming
our module, rather than somewhere deep in a subscription or a planned query.

pyproject.toml bounds these libraries to the minor versions checked (`<` the next one) and
requirements.lock pins every package `make install` takes. To upgrade: raise the bound,
`make lock`, run `make test`; a failure here says which of our modules to revisit. The
behaviour behind each internal is tested too (tests/unit/test_planned_execution.py,
test_graphql_core_patches.py, test_input_builders.py, tests/e2e/graphql subscriptions).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import aiosqlite
import pytest
from aiohttp import web
from graphql.execution import collect_fields as graphql_collect_fields
from graphql.execution import values as graphql_values
from graphql.execution.executor import Executor
from graphql.execution.middleware import MiddlewareManager
from strawberry.extensions import max_aliases, query_depth_limiter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryObjectDefinition

from graphql_api.schema import build_schema


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


# (what we use, who uses it, the parameters it must take, in order)
SIGNATURES = [
    (
        BaseGraphQLTransportWSHandler.handle_subscribe,
        "graphql_api/websocket.py overrides it",
        ["self", "message"],
    ),
    (
        BaseGraphQLTransportWSHandler.run_operation,
        "graphql_api/websocket.py overrides it",
        ["self", "operation"],
    ),
    (
        BaseGraphQLWSHandler.handle_start,
        "graphql_api/websocket.py overrides it",
        ["self", "message"],
    ),
    (
        BaseGraphQLWSHandler.handle_async_results,
        "graphql_api/websocket.py overrides it",
        ["self", "operation_id", "query", "operation_name", "variables"],
    ),
    (
        Executor.build_resolve_info,
        "graphql_api/plans.py calls it for every resolver",
        ["self", "field_def", "field_nodes", "parent_type", "path"],
    ),
    (
        Executor.build_per_event_executor,
        "graphql_api/graphql_core_patches.py wraps it",
        ["self", "payload"],
    ),
    (
        graphql_collect_fields.collect_fields,
        "graphql_api/plans.py collects a plan's root fields with it",
        [
            "schema",
            "fragments",
            "variable_values",
            "runtime_type",
            "operation",
            "hide_suggestions",
        ],
    ),
    (
        graphql_values.get_argument_values,
        "graphql_api/plans.py coerces arguments with it",
        ["type_def", "node", "variable_values"],
    ),
    (
        query_depth_limiter.create_validator,
        "graphql_api/limits.py builds the depth rule once with it",
        ["max_depth", "should_ignore"],
    ),
    (
        max_aliases.create_validator,
        "graphql_api/limits.py builds the alias rule once with it",
        ["max_alias_count"],
    ),
    (
        web.WebSocketResponse.send_frame,
        "graphql_api/websocket.py writes prebuilt frames with it",
        ["self", "message", "opcode", "compress"],
    ),
    (
        aiosqlite.Connection._execute,
        "persistence/sqlite_statements.py runs a batch of statements on the driver's thread",
        ["self", "fn", "args", "kwargs"],
    ),
]


@pytest.mark.parametrize(
    ("function", "user", "parameters"),
    SIGNATURES,
    ids=[f"{f.__module__}.{f.__qualname__}" for f, _, _ in SIGNATURES],
)
def test_a_function_we_call_or_override_keeps_its_parameters(function, user, parameters) -> None:
    assert _parameters(function)[: len(parameters)] == parameters, (
        f"{function.__module__}.{function.__qualname__} changed its parameters; {user}"
    )


def test_aiosqlite_connections_expose_their_sqlite3_connection() -> None:
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property), (
        "aiosqlite's Connection no longer has the _conn property; "
        "persistence/sqlite_statements.py hands it to the functions it runs on the thread"
    )


def test_executors_memoise_sub_fields_where_the_subscription_patch_resets_them() -> None:
    assert "_relevant_sub_fields" in _instance_attributes(Executor), (
        "graphql-core's Executor no longer keeps _relevant_sub_fields; "
        "graphql_api/graphql_core_patches.py and planned_executor.py reset it"
    )


def test_the_planned_executor_stands_in_for_strawberrys_execution_context() -> None:
    for name in ("execute_operation", "build_resolve_info", "is_awaitable", "middleware_manager"):
        assert hasattr(StrawberryGraphQLCoreExecutionContext, name) or name in (
            _instance_attributes(StrawberryGraphQLCoreExecutionContext)
        ), f"the execution context lost {name}; graphql_api/planned_executor.py relies on it"
    assert hasattr(MiddlewareManager, "middlewares")


def test_strawberry_fields_carry_what_direct_resolver_calls_read() -> None:
    """graphql_api/plans.py `_direct_resolver` reads these off every field's definition."""
    schema = build_schema()
    graphql_schema = schema._schema
    config = graphql_schema.extensions["strawberry-definition"].config
    assert config.info_class is not None
    resolved = [
        field.extensions["strawberry-definition"]
        for type_ in graphql_schema.type_map.values()
        for field in getattr(type_, "fields", {}).values()
        if "strawberry-definition" in (getattr(field, "extensions", None) or {})
    ]
    resolvers = [f.base_resolver for f in resolved if getattr(f, "base_resolver", None)]
    assert resolvers, "no strawberry field carries base_resolver any more"
    for name in (
        "wrapped_func",
        "self_parameter",
        "root_parameter",
        "info_parameter",
        "parent_parameter",
    ):
        assert all(hasattr(resolver, name) for resolver in resolvers), (
            f"strawberry's resolvers lost {name}; graphql_api/plans.py reads it"
        )
    for field in resolved:
        assert hasattr(field, "arguments") and hasattr(field, "extensions")
        assert hasattr(field, "default_resolver") and hasattr(field, "python_name")


def test_input_types_keep_the_from_input_hook_and_its_context() -> None:
    """graphql_api/input_builders.py installs a builder per input type through it."""
    assert "from_input" in {f.name for f in _dataclass_fields(StrawberryObjectDefinition)}, (
        "StrawberryObjectDefinition lost from_input; graphql_api/input_builders.py needs it"
    )
    assert hasattr(InputContext, "convert"), "InputContext lost convert (input_builders.py)"


def _instance_attributes(cls: type) -> set[str]:
    """Attribute names an instance gets in __init__ (or declares in __slots__)."""
    names = set(getattr(cls, "__slots__", ()))
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            source = inspect.getsource(init)
        except (OSError, TypeError):
            continue
        names.update(
            part.split("=")[0].split(":")[0].strip().removeprefix("self.")
            for part in source.splitlines()
            if part.strip().startswith("self.")
        )
    return names


def _dataclass_fields(cls: type) -> list[Any]:
    return list(dataclasses.fields(cls))

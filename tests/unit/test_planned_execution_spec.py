"""graphql-core's own execution tests, ported to the planned executor: each query runs
through a compiled plan (graphql_api/plans.py) and through graphql-core's `execute`, and the
answers must be the same, data, errors, their messages, paths and locations. The cases
follow graphql-core's tests/execution/test_executor.py (aliases, fragments, `__typename`,
the operation chosen, variables and their defaults, field order, errors nulling their
subtree), test_nonnull.py (a null or an error under non-null types propagates to the
nearest nullable parent, sync and async) and test_lists.py (nulls and errors in lists,
iterables that are not lists), on a schema of plain graphql-core resolvers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from graphql import build_schema, execute, parse

from graphql_api.planned_executor import executor_class

SCHEMA = build_schema("""
    type Query {
      a: String
      b: String
      c: String
      d: String
      e: String
      f(x: String = "default"): String
      deep: DeepData
      pic(size: Int = 50): String
      nullable: Data
      nonNull: Data!
      list: [Int]
      nonNullList: [Int]!
      listOfNonNull: [Int!]
      promisedList: [Int]
      dataList: [Data]
      dataListOfNonNull: [Data!]
      named: Named
    }
    type DeepData {
      a: String
      b: String
      c: [String]
      deeper: [Data]
    }
    type Data {
      sync: String
      syncNonNull: String!
      promise: String
      promiseNonNull: String!
      syncThrows: String
      syncNonNullThrows: String!
      promiseThrows: String
      promiseNonNullThrows: String!
      nested: Data
      nestedNonNull: Data!
      promiseNested: Data
      promiseNestedNonNull: Data!
    }
    interface Named { name: String }
    type Dog implements Named { name: String, barks: Boolean }
    type Cat implements Named { name: String, meows: Boolean }
""")


async def later(value: Any) -> Any:
    await asyncio.sleep(0)
    return value


async def fails(message: str) -> Any:
    await asyncio.sleep(0)
    raise ValueError(message)


class Data:
    """graphql-core's NullingData/ThrowingData in one: fields that give, null, or throw."""

    def sync(self, _info: Any) -> str:
        return "sync"

    def syncNonNull(self, _info: Any) -> str | None:
        return None

    def promise(self, _info: Any) -> Any:
        return later("promise")

    def promiseNonNull(self, _info: Any) -> Any:
        return later(None)

    def syncThrows(self, _info: Any) -> str:
        raise ValueError("sync")

    def syncNonNullThrows(self, _info: Any) -> str:
        raise ValueError("syncNonNull")

    def promiseThrows(self, _info: Any) -> Any:
        return fails("promise")

    def promiseNonNullThrows(self, _info: Any) -> Any:
        return fails("promiseNonNull")

    def nested(self, _info: Any) -> Data:
        return Data()

    def nestedNonNull(self, _info: Any) -> Data:
        return Data()

    def promiseNested(self, _info: Any) -> Any:
        return later(Data())

    def promiseNestedNonNull(self, _info: Any) -> Any:
        return later(Data())


class Pet:
    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name, self.barks, self.meows = kind, name, True, False


class Root:
    a, b, c, d, e = "Apple", "Banana", "Cookie", "Donut", "Egg"
    list = (1, 2, None)  # a tuple: an iterable, not a list
    nonNullList = [1, None, 3]
    listOfNonNull = [1, None, 3]

    def promisedList(self, _info: Any) -> list[Any]:
        return [later(1), None, later(3)]

    def f(self, _info: Any, x: str) -> str:
        return f"f:{x}"

    def pic(self, _info: Any, size: int) -> str:
        return f"Pic of size: {size}"

    def deep(self, _info: Any) -> Any:
        return later(Deep())

    def nullable(self, _info: Any) -> Data:
        return Data()

    def nonNull(self, _info: Any) -> Data:
        return Data()

    def dataList(self, _info: Any) -> list[Any]:
        return [Data(), None, later(Data())]

    def dataListOfNonNull(self, _info: Any) -> list[Any]:
        return [Data(), None]

    def named(self, _info: Any) -> Pet:
        return Pet("Dog", "Rex")


class Deep:
    a, b = "Already Been Done", "Boring"
    c = ["Contrived", None, "Confusing"]

    def deeper(self, _info: Any) -> list[Any]:
        return [Data(), None, later(Data())]


def resolve_pet_type(value: Pet, *_: Any) -> str:
    return value.kind


SCHEMA.get_type("Named").resolve_type = resolve_pet_type  # type: ignore[union-attr]
PLANNED = executor_class()


async def both(query: str, variables: dict[str, Any] | None = None, name: str | None = None):  # type: ignore[no-untyped-def]
    """The planned answer and graphql-core's, formatted; they must be equal."""
    answers = []
    for executor in (PLANNED, None):
        result = execute(
            SCHEMA,
            parse(query),
            Root(),
            variable_values=variables,
            operation_name=name,
            executor_class=executor,
        )
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        answers.append(json.dumps(result.formatted))
    assert answers[0] == answers[1]
    return json.loads(answers[0])


async def test_executes_arbitrary_code_with_aliases_fragments_and_lists() -> None:
    query = """
      query ($size: Int) {
        a, b, x: c
        ...c
        f
        ...on Query { pic(size: $size) }
        deep { a b c deeper { sync promise } }
      }
      fragment c on Query { d e }
    """
    answer = await both(query, {"size": 100})
    assert answer["data"]["x"] == "Cookie"
    assert answer["data"]["pic"] == "Pic of size: 100"
    assert answer["data"]["deep"]["deeper"][1] is None


async def test_merges_parallel_fragments_and_keeps_field_order() -> None:
    query = """
      { a, ...FragOne, ...FragTwo }
      fragment FragOne on Query { b deep { b, deeper: deeper { sync } } }
      fragment FragTwo on Query { c deep { c, deeper: deeper { promise } } }
    """
    answer = await both(query)
    assert list(answer["data"]) == ["a", "b", "deep", "c"]
    assert list(answer["data"]["deep"]) == ["b", "deeper", "c"]


async def test_typename_and_abstract_types() -> None:
    answer = await both(
        "{ __typename named { __typename name ... on Dog { barks } ... on Cat { meows } } }"
    )
    assert answer["data"] == {
        "__typename": "Query",
        "named": {"__typename": "Dog", "name": "Rex", "barks": True},
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("{ a }", None),  # the only operation, anonymous
        ("query Q { a } query R { b }", "R"),  # the operation named
        ("query Q { a } query R { b }", None),  # several and none named: an error
        ("query Q { a }", "Unknown"),  # no such operation: an error
    ],
)
async def test_the_operation_chosen(query: str, name: str | None) -> None:
    await both(query, name=name)


@pytest.mark.parametrize(
    "variables",
    [{}, {"x": None}, {"x": "given"}, {"x": 42}],  # default, explicit null, value, bad value
)
async def test_variables_and_their_defaults(variables: dict[str, Any]) -> None:
    await both('query ($x: String = "from the variable") { f(x: $x) g: f }', variables)


async def test_skip_and_include() -> None:
    query = "query ($yes: Boolean!) { a @include(if: $yes) b @skip(if: $yes) c @skip(if: false) }"
    assert (await both(query, {"yes": True}))["data"] == {"a": "Apple", "c": "Cookie"}
    assert (await both(query, {"yes": False}))["data"] == {"b": "Banana", "c": "Cookie"}


NULLABILITY = [
    # test_executor: errors null their subtree, sync and async, beside fields that answer
    "{ nullable { sync syncThrows promise promiseThrows } }",
    # test_nonnull: a null or an error under non-null propagates to the nearest nullable
    "{ nullable { syncNonNull } }",
    "{ nullable { promiseNonNull } }",
    "{ nullable { syncNonNullThrows } }",
    "{ nullable { promiseNonNullThrows } }",
    "{ nullable { nestedNonNull { nestedNonNull { syncNonNull } } } }",
    "{ nullable { promiseNestedNonNull { promiseNestedNonNull { promiseNonNull } } } }",
    "{ nullable { nested { nestedNonNull { syncNonNullThrows } } sync } }",
    "{ nonNull { syncNonNull } }",  # up to the root: data is null
    "{ nonNull { promiseNestedNonNull { promiseNonNullThrows } } a }",
    # test_lists: nulls and errors in lists of nullable and non-null items
    "{ list nonNullList promisedList }",
    "{ listOfNonNull }",
    "{ dataList { sync promiseThrows } }",
    "{ dataListOfNonNull { sync } }",
    "{ deep { deeper { syncNonNull } } }",
    "{ deep { c deeper { promiseNested { promiseThrows } } } }",
]


@pytest.mark.parametrize("query", NULLABILITY)
async def test_nulls_and_errors_propagate_as_in_graphql_core(query: str) -> None:
    answer = await both(query)
    if "Throws" in query or "NonNull" in query or "listOfNonNull" in query:
        assert answer["errors"]

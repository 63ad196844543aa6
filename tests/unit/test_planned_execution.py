"""Compiled plans answer exactly as graphql-core does, and leave it everything they cannot.

A small schema of its own exercises each shape a plan covers (plain fields, resolvers,
lists, DataLoaders, interfaces, @include) and each it hands back (errors, nulls where none
may be, mutations, introspection). The differential run over the end-to-end suite
(tests/e2e/conftest.py) checks the real schema against graphql-core on real data.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import json
from collections.abc import Iterator

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from graphql_api import planned_executor
from graphql_api.planned_executor import executor_class


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Line(Named):
    quantity: int
    price: float | None = None


@strawberry.type
class Parcel:
    id: strawberry.ID
    tags: list[str]
    lines: list[Line]

    @strawberry.field
    async def weight(self, info: strawberry.Info) -> int:
        return await info.context["weights"].load(self.id)

    @strawberry.field
    def label(self, prefix: str = "#") -> str:
        return f"{prefix}{self.id}"

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("the label printer is out of paper")

    @strawberry.field
    def required(self) -> str:
        return None  # type: ignore[return-value]  # a bug graphql-core reports


COUNTER = {"calls": 0}


@strawberry.type
class Query:
    @strawberry.field
    def parcels(self, first: int = 2) -> list[Parcel]:
        return [
            Parcel(id=strawberry.ID(str(n)), tags=["a", "b"], lines=[Line(name="x", quantity=n)])
            for n in range(first)
        ]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Line(name="only", quantity=1)]

    @strawberry.field
    def changes(self) -> int:
        COUNTER["calls"] += 1
        return COUNTER["calls"]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> int:
        return 1


def make_schema(*, compare: bool) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Line],
        execution_context_class=executor_class(compare=compare),
    )


class Batches:
    """A DataLoader that records the keys of each batch it is asked for."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def loader(self) -> DataLoader[str, int]:
        async def load(keys: list[str]) -> list[int]:
            self.batches.append(list(keys))
            return [int(key) * 10 for key in keys]

        return DataLoader(load_fn=load)


async def run(schema: strawberry.Schema, query: str, variables: dict | None = None):  # type: ignore[no-untyped-def]
    batches = Batches()
    result = await schema.execute(query, variables, context_value={"weights": batches.loader()})
    return result, batches


def counts(schema: strawberry.Schema) -> dict[str, int]:
    return schema.execution_context_class.counts  # type: ignore[attr-defined,no-any-return]


def answer(result) -> str:  # type: ignore[no-untyped-def]
    return json.dumps({"data": result.data, "errors": [e.formatted for e in result.errors or []]})


@pytest.fixture(autouse=True)
def no_mismatches() -> Iterator[None]:
    planned_executor.MISMATCHES.clear()
    yield
    planned_executor.MISMATCHES.clear()


QUERIES = [
    "{ parcels { id tags lines { name quantity price } } }",
    '{ parcels(first: 3) { id weight label(prefix: "P-") } }',
    "query ($n: Int!) { parcels(first: $n) { a: id b: id ... on Parcel { weight } } }",
    "{ named { name __typename ... on Line { quantity } } }",
    "query ($with: Boolean!) { parcels { id lines @include(if: $with) { name } } }",
    "fragment F on Parcel { id tags } { parcels { ...F ...F lines { quantity } } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_a_planned_answer_is_graphql_cores_answer(query: str) -> None:
    variables = {"n": 4, "with": True}
    planned_schema, plain_schema = (
        make_schema(compare=False),
        strawberry.Schema(query=Query, mutation=Mutation, types=[Line]),
    )
    planned, _ = await run(planned_schema, query, variables)
    plain, _ = await run(plain_schema, query, variables)
    assert planned.errors is None
    assert answer(planned) == answer(plain)
    assert counts(planned_schema)["planned"] == 1


async def test_include_and_skip_get_a_plan_per_value_of_their_variables() -> None:
    schema = make_schema(compare=True)
    query = "query ($with: Boolean!) { parcels { id lines @include(if: $with) { name } } }"
    with_lines, _ = await run(schema, query, {"with": True})
    without, _ = await run(schema, query, {"with": False})
    assert with_lines.data["parcels"][0]["lines"] == [{"name": "x"}]
    assert "lines" not in without.data["parcels"][0]
    assert counts(schema)["planned"] == 2
    assert planned_executor.MISMATCHES == []


async def test_dataloaders_batch_a_whole_level_as_under_graphql_core() -> None:
    schema = make_schema(compare=False)
    result, batches = await run(schema, "{ parcels(first: 5) { weight } }")
    assert [parcel["weight"] for parcel in result.data["parcels"]] == [0, 10, 20, 30, 40]
    assert batches.batches == [["0", "1", "2", "3", "4"]]


@pytest.mark.parametrize(
    "query",
    [
        "{ parcels { id broken } }",  # a resolver raises: a located error, null in its place
        "{ parcels { id required } }",  # null for a non-null field: the parent goes null
    ],
)
async def test_errors_come_from_graphql_core_itself(query: str) -> None:
    planned_schema = make_schema(compare=False)
    plain_schema = strawberry.Schema(query=Query, mutation=Mutation, types=[Line])
    planned, _ = await run(planned_schema, query)
    plain, _ = await run(plain_schema, query)
    assert planned.errors
    assert answer(planned) == answer(plain)
    assert counts(planned_schema)["fallback"] == 1


async def test_mutations_and_introspection_run_on_graphql_core() -> None:
    schema = make_schema(compare=False)
    touched = await schema.execute("mutation { touch }")
    introspected = await schema.execute("{ __schema { queryType { name } } }")
    assert touched.data == {"touch": 1}
    assert introspected.data == {"__schema": {"queryType": {"name": "Query"}}}
    assert counts(schema)["planned"] == 0
    assert counts(schema)["graphql-core"] == 2  # the mutation and the introspection query
    assert counts(schema)["fallback"] == 0


async def test_the_comparison_catches_an_answer_that_differs() -> None:
    """Proof the differential run has teeth: a field that answers differently each time
    it is resolved makes the two paths disagree, and the disagreement is recorded."""
    schema = make_schema(compare=True)
    result, _ = await run(schema, "{ changes }")
    assert result.errors is None
    assert len(planned_executor.MISMATCHES) == 1


async def test_the_comparison_checks_answers_that_fell_back_too() -> None:
    """An answer graphql-core gave from the plan's outcomes is checked against graphql-core
    running from scratch: here `changes` answers differently the second time, and the
    comparison sees it."""
    schema = make_schema(compare=True)
    result, _ = await run(schema, "{ changes parcels(first: 1) { broken } }")
    assert result.errors
    assert counts(schema)["fallback"] == 1
    assert len(planned_executor.MISMATCHES) == 1


async def test_two_resolvers_waiting_on_the_same_load_both_get_it() -> None:
    """Both fields load the same key: one future, awaited twice while pending, as a Task
    would allow it (regression: the second await raised)."""
    schema = make_schema(compare=False)
    result, batches = await run(schema, "{ parcels(first: 2) { a: weight b: weight } }")
    assert result.errors is None
    assert result.data["parcels"] == [{"a": 0, "b": 0}, {"a": 10, "b": 10}]
    assert batches.batches == [["0", "1"]]
    assert counts(schema)["planned"] == 1


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


strawberry.enum(Colour)


class Shade(enum.StrEnum):
    DARK = "dark"


@strawberry.type
class Odd:
    """Values whose class is not the scalar's own: the generated completion hands them to
    the type's coercion, as graphql-core does."""

    flag_as_int: int = True  # type: ignore[assignment]
    float_as_int: int = 3.0  # type: ignore[assignment]
    shade_as_text: str = Shade.DARK
    colour: Colour = Colour.BLUE
    no_colour: Colour | None = None
    no_text: str | None = None
    big: float = 10**20


@strawberry.type
class OddQuery:
    @strawberry.field
    def odd(self) -> Odd:
        return Odd()


async def test_values_of_other_classes_are_coerced_as_graphql_core_does() -> None:
    query = "{ odd { flagAsInt floatAsInt shadeAsText colour noColour noText big } }"
    planned = strawberry.Schema(query=OddQuery, execution_context_class=executor_class())
    plain = strawberry.Schema(query=OddQuery)
    got, want = await planned.execute(query), await plain.execute(query)
    assert got.errors is None
    assert answer(got) == answer(want)
    assert counts(planned)["planned"] == 1


CALLS: list[tuple[str, int]] = []  # (field, shelf serial) of every resolver call
SERIALS = itertools.count()


@strawberry.type
class Shelf:
    id: int
    serial: strawberry.Private[int] = 0

    @strawberry.field
    async def stock(self, info: strawberry.Info) -> int:
        CALLS.append(("stock", self.serial))
        return await info.context["weights"].load(str(self.id))

    @strawberry.field
    async def failing(self) -> str | None:
        CALLS.append(("failing", self.serial))
        raise ValueError("the shelf fell")

    @strawberry.field
    def missing(self) -> str:
        CALLS.append(("missing", self.serial))
        return None  # type: ignore[return-value]  # null where none may be


@strawberry.type
class ShelfQuery:
    @strawberry.field
    def shelves(self) -> list[Shelf]:
        CALLS.append(("shelves", next(SERIALS)))
        return [Shelf(id=n, serial=next(SERIALS)) for n in range(3)]


@pytest.mark.parametrize(
    ("query", "batched"),
    [
        ("{ shelves { id stock failing } }", True),  # a resolver raises beside a DataLoader's
        ("{ a: shelves { failing } b: shelves { stock } }", True),  # the error first
        ("{ shelves { stock missing } }", False),  # a non-null field is null: data is null
    ],
)
async def test_a_query_that_errors_runs_each_resolver_once(query: str, batched: bool) -> None:
    """The plan meets the failure, goes on with the rest of the answer, and graphql-core
    answers with the outcomes the plan's resolvers had: no resolver runs twice for the same
    object, the loads of a level batch as under graphql-core, and the answer is
    graphql-core's own (issue 22: an erroring query executed twice, three times over HTTP)."""
    planned = strawberry.Schema(query=ShelfQuery, execution_context_class=executor_class())
    plain = strawberry.Schema(query=ShelfQuery)
    want, plain_batches = await run(plain, query)
    await asyncio.sleep(0.01)  # what graphql-core settles in the background after answering
    CALLS.clear()
    got, batches = await run(planned, query)
    await asyncio.sleep(0.01)
    assert got.errors
    assert answer(got) == answer(want)
    assert len(CALLS) == len(set(CALLS)), CALLS  # each resolver once per object
    if batched:
        assert batches.batches == plain_batches.batches
    assert counts(planned)["fallback"] == 1
    CALLS.clear()

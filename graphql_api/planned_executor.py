"""The executor strawberry runs: graphql-core's, with queries taken through a compiled plan
(graphql_api/plans.py) when one covers them.

It plugs in where graphql-core lets an executor be replaced, after the POST pipeline
(graphql_api/pipeline.py) or strawberry has parsed, validated and applied the policies,
and before the answer is masked and encoded. Mutations and subscriptions, an introspection
query, a middleware or an abort signal: graphql-core runs those, as it always has. When a
plan gives up on a query (a resolver failed, a null where none may be), graphql-core runs
it within the same execution, handed every resolver outcome the plan already has
(`_Replay`): no resolver runs twice, and the errors are graphql-core's own.

`counts` (one `ExecutionCounts` per schema) tells /metrics how queries ran.

`compare` (tests only) runs graphql-core after every planned query too and records any
answer that differs: the differential test of the two paths.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy
from typing import Any, ClassVar

from graphql import GraphQLResolveInfo, OperationType
from graphql.execution.executor import CollectedErrors
from graphql.execution.middleware import MiddlewareManager
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.plans import ObjectPlan, Outcome, PlanCache, PlanMiss, Run, execute_plan

log = logging.getLogger(__name__)

# Answers of the two paths that differed, in compare mode (tests assert it stays empty).
MISMATCHES: list[str] = []

PLANNED, FALLBACK, UNPLANNED = "planned", "fallback", "graphql-core"
SQL = "sql"  # answered by the POST pipeline with JSON the database wrote (sql_json.py)

# Set while compare mode runs a query a second time, through strawberry, to check the POST
# pipeline (graphql_api/pipeline.py): the same plan on the same data was just checked
# against graphql-core by the run being compared, so checking it again proves nothing new.
_PLAN_CHECKED: ContextVar[bool] = ContextVar("plan checked", default=False)


@contextmanager
def plan_already_checked() -> Iterator[None]:
    token = _PLAN_CHECKED.set(True)
    try:
        yield
    finally:
        _PLAN_CHECKED.reset(token)


class ExecutionCounts(Counter[str]):
    """How the operations of one schema ran: on a plan (`planned`), on graphql-core after a
    plan gave up (`fallback`), or on graphql-core from the start (`graphql-core`: mutations,
    subscriptions, introspection, shapes no plan covers); or with JSON the database wrote,
    no executor at all (`sql`, graphql_api/sql_json.py). A plain counter, read by /metrics
    (ops/metrics), which this layer does not know of."""

    def __init__(self) -> None:
        super().__init__({PLANNED: 0, FALLBACK: 0, UNPLANNED: 0, SQL: 0})


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    plans: ClassVar[PlanCache]
    compare: ClassVar[bool] = False
    counts: ClassVar[ExecutionCounts]

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan(serially)
        if plan is None:
            self.counts[UNPLANNED] += 1
            return super().execute_operation(serially)
        return self._execute_planned(plan, serially)

    def _plan(self, serially: bool | None) -> ObjectPlan | None:
        """The plan of this operation, when a plan may run it."""
        if self.operation.operation is not OperationType.QUERY or serially:
            return None
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return None
        if self.abort_signal is not None or self.hooks is not None:
            return None
        return self.plans.plan_for(self)

    async def _execute_planned(self, plan: ObjectPlan, serially: bool | None) -> Any:
        reference = copy(self) if self.compare and not _PLAN_CHECKED.get() else None
        run = Run(self)
        try:
            data = await execute_plan(plan, run)
        except PlanMiss:
            return await self._fall_back(serially, run.outcomes, reference)
        except Exception:
            # A fault of the plan itself: the client still gets graphql-core's answer.
            log.exception("a compiled plan failed; graphql-core runs the operation")
            if self.compare:
                MISMATCHES.append("the plan raised; see the log")
            return await self._fall_back(serially, run.outcomes, reference)
        self.counts[PLANNED] += 1
        result = self.build_response(data)
        if reference is not None:
            await self._compare(reference, result, serially)
        return result

    async def _fall_back(
        self, serially: bool | None, outcomes: list[Outcome], reference: Any = None
    ) -> Any:
        """graphql-core's answer, from the outcomes the plan's resolvers already had; in
        compare mode, checked against graphql-core's own run from scratch."""
        self.counts[FALLBACK] += 1
        self.collected_errors = CollectedErrors()
        if outcomes:
            self.middleware_manager = MiddlewareManager(_Replay(outcomes))
        result = super().execute_operation(serially)
        result = await result if self.is_awaitable(result) else result
        if reference is not None:
            await self._compare(reference, result, serially)
        return result

    async def _compare(self, reference: Any, planned: Any, serially: bool | None) -> None:
        reference.collected_errors = CollectedErrors()
        reference._relevant_sub_fields = {}
        expected = super(PlannedExecutor, reference).execute_operation(serially)
        if self.is_awaitable(expected):
            expected = await expected
        want, got = _encoded(expected), _encoded(planned)
        if want != got:
            log.error("planned answer differs from graphql-core's: %s != %s", got, want)
            MISMATCHES.append(f"{got}\n!=\n{want}")


class _Replay:
    """graphql-core's middleware answering each resolver the plan already called with what
    it gave then (its value, or its exception raised again); the others run now."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        self._by_path = {tuple(outcome.path.as_list()): outcome for outcome in outcomes}

    def resolve(self, next_: Any, root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        outcome = self._by_path.pop(tuple(info.path.as_list()), None)
        if outcome is None:
            return next_(root, info, **args)
        if outcome.awaited:  # as before, so graphql-core completes it in the same order
            return _settled(outcome)
        if outcome.raised:
            raise outcome.value
        return outcome.value


async def _settled(outcome: Outcome) -> Any:
    if outcome.raised:
        raise outcome.value
    return outcome.value


def _encoded(result: Any) -> str:
    """The answer, its errors in a fixed order (graphql-core lists them as their fields
    finish, which the database's timing may reorder)."""
    formatted = dict(result.formatted)
    if formatted.get("errors"):
        formatted["errors"] = sorted(formatted["errors"], key=lambda e: json.dumps(e))
    return json.dumps(formatted)


def executor_class(*, compare: bool = False) -> type[PlannedExecutor]:
    """An executor class with its own plan cache (one per schema)."""
    return type(
        "PlannedExecutor",
        (PlannedExecutor,),
        {
            "plans": PlanCache(),
            "compare": compare,
            "counts": ExecutionCounts(),
        },
    )

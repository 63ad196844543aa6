"""The executor strawberry runs: graphql-core's, with queries taken through a compiled plan
(graphql_api/plans.py) when one covers them.

It plugs in where graphql-core lets an executor be replaced, after strawberry has parsed,
validated and checked the limits and the caller's rights, and before the answer is masked
and encoded: those steps are the same for both paths. Mutations and subscriptions, an
introspection query, a resolver that fails, a middleware or an abort signal: graphql-core
runs those, as it always has.

`compare` (tests only) runs graphql-core after every planned query too and records any
answer that differs: the differential test of the two paths.
"""

from __future__ import annotations

import json
import logging
from copy import copy
from typing import Any, ClassVar

from graphql import OperationType
from graphql.execution.executor import CollectedErrors
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.plans import ObjectPlan, PlanCache, PlanMiss, execute_plan

log = logging.getLogger(__name__)

# Answers of the two paths that differed, in compare mode (tests assert it stays empty).
MISMATCHES: list[str] = []


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    plans: ClassVar[PlanCache]
    compare: ClassVar[bool] = False
    counts: ClassVar[dict[str, int]]

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan(serially)
        if plan is None:
            self.counts["graphql-core"] += 1
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
        reference = copy(self) if self.compare else None
        try:
            data = await execute_plan(plan, self)
        except PlanMiss:
            return await self._fall_back(serially)
        except Exception:
            # A fault of the plan itself: the client still gets graphql-core's answer.
            log.exception("a compiled plan failed; graphql-core runs the operation")
            if self.compare:
                MISMATCHES.append("the plan raised; see the log")
            return await self._fall_back(serially)
        self.counts["planned"] += 1
        result = self.build_response(data)
        if reference is not None:
            await self._compare(reference, result, serially)
        return result

    async def _fall_back(self, serially: bool | None) -> Any:
        self.counts["fallback"] += 1
        self.collected_errors = CollectedErrors()
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result

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


def _encoded(result: Any) -> str:
    return json.dumps(result.formatted)


def executor_class(*, compare: bool = False) -> type[PlannedExecutor]:
    """An executor class with its own plan cache (one per schema)."""
    return type(
        "PlannedExecutor",
        (PlannedExecutor,),
        {
            "plans": PlanCache(),
            "compare": compare,
            "counts": {"planned": 0, "fallback": 0, "graphql-core": 0},
        },
    )

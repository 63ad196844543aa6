"""`returnInsights(merchant, from, to)`: the charts of a merchant's returns for a period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.errors import ClientError
from graphql_api.insights.types import ReturnInsights
from persistence.insights import Period

LONGEST = timedelta(days=731)
Start = Annotated[datetime, strawberry.argument(name="from", description="Inclusive.")]
End = Annotated[datetime, strawberry.argument(description="Exclusive.")]


@strawberry.type
class InsightQueries:
    @strawberry.field(
        description="Why a merchant's items come back and what it costs, for requests made "
        "in [from, to) (at most two years): each chart selected is computed by the database."
    )
    def return_insights(self, info: Info, merchant: str, start: Start, to: End) -> ReturnInsights:
        if start.utcoffset() is None or to.utcoffset() is None:
            raise ClientError("`from` and `to` need a time zone offset, e.g. 2026-01-31T00:00:00Z")
        if not start < to <= start + LONGEST:
            raise ClientError("`to` must come after `from`, at most two years later")
        return ReturnInsights(period=Period(info.context.tenant_id, merchant, start, to))

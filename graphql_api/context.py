"""What a GraphQL resolver is handed: strawberry's Info over the shared Context."""

from __future__ import annotations

from strawberry.types import Info as StrawberryInfo

from core.context import Context

Info = StrawberryInfo[Context, None]

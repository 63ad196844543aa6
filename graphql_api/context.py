"""Per-request context: who is calling, for which tenant, and the request's DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as StrawberryInfo

from domain.access import Principal
from domain.ports import Clock
from domain.values import Actor
from graphql_api.loaders import Loaders
from persistence.database import Database
from persistence.outbox import StoredEvent
from persistence.unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from aiohttp import web

    from graphql_api.pubsub import EventHub

GRAPHQL_SOURCE = "GRAPHQL"


@dataclass
class Context:
    db: Database
    clock: Clock
    tenant_id: str
    actor: Actor = field(default_factory=lambda: Actor(source=GRAPHQL_SOURCE))
    principal: Principal | None = None
    after_commit: Callable[[Sequence[StoredEvent]], Awaitable[None]] | None = None
    hub: EventHub | None = None
    websocket: web.WebSocketResponse | None = None
    connection_params: dict[str, Any] | None = None  # the websocket's connection_init payload

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.db, self.tenant_id)

    def fresh_loaders(self) -> None:
        """A websocket keeps one context for hours: each pushed event must read the data
        as it is now, not as the connection's first event cached it."""
        self.__dict__.pop("loaders", None)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db, tenant_id=self.tenant_id, clock=self.clock, after_commit=self.after_commit
        )


Info = StrawberryInfo[Context, None]

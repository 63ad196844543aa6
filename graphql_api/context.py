"""Per-request context: who is calling, for which tenant, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aiohttp import web
from strawberry.types import Info as StrawberryInfo

from domain.access import Principal
from domain.ports import Clock
from domain.values import Actor
from graphql_api.app_keys import CLAIM_KEY, WIRING_KEY
from graphql_api.auth import Identities
from graphql_api.loaders import Loaders
from graphql_api.pubsub import EventHub
from graphql_api.throttle import Attempt
from persistence.database import Database
from persistence.idempotency import KeyClaim
from persistence.unit_of_work import SqlUnitOfWork, UnitsOfWork

GRAPHQL_SOURCE = "GRAPHQL"
REST_SOURCE = "REST"
USER_HEADER = "X-User"
MAX_USER_LENGTH = 320


@dataclass
class Context:
    units: UnitsOfWork  # the app's (graphql_api/bootstrap.py): its database, clock, writes
    tenant_id: str
    actor: Actor = field(default_factory=lambda: Actor(source=GRAPHQL_SOURCE))
    principal: Principal | None = None
    hub: EventHub | None = None
    websocket: web.WebSocketResponse | None = None
    connection_params: dict[str, Any] | None = None  # the websocket's connection_init payload
    identities: Identities | None = None  # who bearer tokens belong to (websockets check)
    credentials_attempt: Attempt | None = None  # a websocket's, for the throttle to count
    # The Idempotency-Key this request does the work of: its units of work record their
    # commits on it, so a retry after a crash never runs the work twice.
    idempotency: KeyClaim | None = None
    # Set only by graphql_api/events/rendering.py: executes a subscription's selection for
    # one event on behalf of its subscribers, whose connections were checked already.
    renders_for_subscribers: bool = False

    @property
    def db(self) -> Database:
        return self.units.db

    @property
    def clock(self) -> Clock:
        return self.units.clock

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.db, self.tenant_id)

    def fresh_loaders(self) -> None:
        """A websocket keeps one context for hours: each pushed event must read the data
        as it is now, not as the connection's first event cached it."""
        self.__dict__.pop("loaders", None)

    def unit_of_work(self) -> SqlUnitOfWork:
        return self.units(self.tenant_id, idempotency=self.idempotency)


Info = StrawberryInfo[Context, None]


def request_context(request: web.Request, principal: Principal | None, *, source: str) -> Context:
    """The one way a request becomes a Context, for every face (GraphQL, REST shims): so a
    change made through any of them runs in the same kind of unit of work and stores its
    events in the same outbox. `X-User` names the dashboard user acting; without
    it, the API client is recorded."""
    user = request.headers.get(USER_HEADER) or None
    return Context(
        units=request.app[WIRING_KEY].units,
        # Only the GraphiQL page is served without a principal; it executes nothing, and an
        # empty tenant id would match no row anyway.
        tenant_id=principal.tenant_id if principal else "",
        principal=principal,
        hub=request.app[WIRING_KEY].hub,
        identities=request.app[WIRING_KEY].identities,
        actor=Actor(
            source=source,
            user=user[:MAX_USER_LENGTH] if user else (principal and principal.client_id),
        ),
        idempotency=request.get(CLAIM_KEY),
    )

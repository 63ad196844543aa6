"""Per-request context: who is calling, for which tenant, and the request's DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from core.event_hub import EventHub
from core.identities import Identities
from core.loaders import Loaders
from core.staff import StaffAccounts
from core.status_links import StatusLinks
from core.throttle import Attempt
from domain.access import Principal
from domain.customer_messages import MessageTemplate
from domain.ports import Clock
from domain.values import Actor
from persistence.database import Database
from persistence.idempotency import KeyClaim
from persistence.unit_of_work import SqlUnitOfWork, UnitsOfWork

GRAPHQL_SOURCE = "GRAPHQL"
REST_SOURCE = "REST"


@dataclass
class Context:
    units: UnitsOfWork  # the app's (ops/bootstrap.py): its database, clock, writes
    tenant_id: str
    actor: Actor = field(default_factory=lambda: Actor(source=GRAPHQL_SOURCE))
    principal: Principal | None = None
    hub: EventHub | None = None
    websocket: Any = None  # the aiohttp WebSocketResponse a subscription runs on
    connection_params: dict[str, Any] | None = None  # the websocket's connection_init payload
    identities: Identities | None = None  # who bearer tokens belong to (websockets check)
    staff: StaffAccounts | None = None  # the tenant's desk users (their GraphQL screens)
    status: StatusLinks | None = None  # signs links to a request's status page (statusPageUrl)
    credentials_attempt: Attempt | None = None  # a websocket's, for the throttle to count
    session_cookie: str | None = None  # a websocket upgrade's desk session cookie, if any
    # The Idempotency-Key this request does the work of: its units of work record their
    # commits on it, so a retry after a crash never runs the work twice.
    idempotency: KeyClaim | None = None
    # Set only by graphql_api/events/rendering.py: executes a subscription's selection for
    # one event on behalf of its subscribers, whose connections were checked already.
    renders_for_subscribers: bool = False
    # Why a merchant's e-mail template would not render (the wiring's renderer).
    template_problem: Callable[[MessageTemplate], str | None] | None = None

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

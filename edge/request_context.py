"""How an HTTP request becomes the Context every face's work runs in."""

from __future__ import annotations

from aiohttp import web

from core.context import Context
from core.wiring import Wiring
from domain.access import Principal
from domain.values import Actor
from edge.app_keys import CLAIM_KEY

USER_HEADER = "X-User"
MAX_USER_LENGTH = 320


def request_context(
    request: web.Request, principal: Principal | None, *, source: str, wiring: Wiring
) -> Context:
    """The one way a request becomes a Context, for every face (GraphQL, REST shims): so a
    change made through any of them runs in the same kind of unit of work and stores its
    events in the same outbox. A staff user signed in to the desk is the actor, whatever
    `X-User` says; for an API client, `X-User` names the dashboard user acting, and
    without it the API client is recorded."""
    user = request.headers.get(USER_HEADER) or None
    if principal is not None and principal.user is not None:
        user = principal.actor_name
    return Context(
        units=wiring.units,
        # Only the GraphiQL page is served without a principal; it executes nothing, and an
        # empty tenant id would match no row anyway.
        tenant_id=principal.tenant_id if principal else "",
        principal=principal,
        hub=wiring.hub,
        identities=wiring.identities,
        staff=wiring.staff,
        status=wiring.status,
        actor=Actor(
            source=source,
            user=user[:MAX_USER_LENGTH] if user else (principal and principal.actor_name),
        ),
        idempotency=request.get(CLAIM_KEY),
        template_problem=wiring.template_problem,
    )

"""A portal link opens one order: the token is checked and names the tenant, merchant and
order, and the customer acts there as the portal. Both the pages and the JSON face open a
link this one way."""

from __future__ import annotations

from core.context import Context
from core.portal_tokens import PortalGrant
from core.status_links import StatusGrant
from core.throttle import Kind, Sender
from core.wiring import Wiring
from domain.errors import DomainError, ErrorCode, NotFound
from domain.orders import Order
from domain.values import Actor
from persistence.idempotency import KeyClaim

PORTAL_SOURCE = "PORTAL"


async def open_link(
    wiring: Wiring, request: Sender, token: str | None, *, field: str | None = None
) -> tuple[PortalGrant, Order]:
    """What the link grants and the order it names; a refused link or a missing order
    raises the domain's error (`field` names the token's field for the JSON face's error
    body)."""
    grant = opened_grant(wiring, request, token)
    reading = portal_context(wiring, grant)
    order = await reading.loaders.order_by_reference.load((grant.merchant, grant.order_reference))
    if order is None:
        raise NotFound(f"order {grant.order_reference} not found", field=field)
    return grant, order


def opened_grant(wiring: Wiring, request: Sender, token: str | None) -> PortalGrant:
    """What the link opens. A link that is altered, foreign or expired counts against the
    sender's address, and an address past its limit is refused unheard (TooManyRequests),
    a right link too: signatures cannot be guessed, but trying costs."""
    attempt = wiring.throttle.attempt(Kind.PORTAL_LINK, request)
    wiring.throttle.check(attempt)
    try:
        return wiring.portal.grant(token, now=wiring.clock.now())
    except DomainError as error:
        if token and error.code in (ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN):
            wiring.throttle.failed(attempt)
        raise


def portal_context(
    wiring: Wiring, grant: PortalGrant, *, idempotency: KeyClaim | None = None
) -> Context:
    """The customer acts in the token's tenant, as the portal; nothing from the request's
    headers decides either. A write that claimed a key records its commit on it."""
    return Context(
        units=wiring.units,
        tenant_id=grant.tenant_id,
        actor=Actor(source=PORTAL_SOURCE, user="customer"),
        idempotency=idempotency,
    )


def opened_status(wiring: Wiring, request: Sender, token: str | None) -> StatusGrant:
    """What a status link opens, under the same throttle as the return form's links: a
    status token is as unguessable, and trying costs the same."""
    attempt = wiring.throttle.attempt(Kind.PORTAL_LINK, request)
    wiring.throttle.check(attempt)
    try:
        return wiring.status.grant(token, now=wiring.clock.now())
    except DomainError as error:
        if token and error.code in (ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN):
            wiring.throttle.failed(attempt)
        raise


def reading_context(wiring: Wiring, tenant_id: str) -> Context:
    """The customer reading one request of the link's tenant, as the portal."""
    return Context(
        units=wiring.units,
        tenant_id=tenant_id,
        actor=Actor(source=PORTAL_SOURCE, user="customer"),
    )

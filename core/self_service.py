"""Customers who start on their own: a shop's start link opens a page where the customer
types the order number and the e-mail or phone on the order, and gets that order's portal
link; a customer whose link expired asks for a fresh one by e-mail.

Neither answer tells whether an order exists: an unknown order and a wrong address take the
same steps (one order look-up, one comparison) and get the same refusal, and every refusal
counts against the sender's address and the order (core/throttle.py). A fresh link goes only
to the address on the order, so asking for one reveals nothing and gives nothing away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import portal_tokens as tokens
from core.loaders import Loaders
from core.portal_tokens import PortalGrant
from core.throttle import Kind, Sender
from core.wiring import Wiring
from domain.customer_messages import customer_language
from domain.errors import DomainError, ErrorCode
from domain.orders import Customer
from persistence.customer_messages import queue_link_message
from persistence.mail_configuration import remember_customer_language

START_PATH = "/portal/start"
FRESH_LINK_PATH = "/portal/fresh-link"
START_VERSION = "e1"  # a shop's start link: opens the start page of one merchant, nothing else
START_LINK_TTL = timedelta(days=3650)  # printed on a storefront: it does not expire in use
MAX_TYPED = 320
_NOBODY = Customer(email="nobody@invalid.example", phone="0")


@dataclass(frozen=True, slots=True)
class Shop:
    tenant_id: str
    merchant: str


def start_url(wiring: Wiring, tenant_id: str, merchant: str) -> str:
    """The link a merchant puts on its storefront ("Start a return")."""
    return f"{wiring.portal.base_url}{START_PATH}?shop={start_token(wiring, tenant_id, merchant)}"


def start_token(wiring: Wiring, tenant_id: str, merchant: str) -> str:
    expires_at = (wiring.clock.now() + START_LINK_TTL).replace(microsecond=0)
    payload = {"t": tenant_id, "m": merchant}
    return tokens.seal(payload, key=_key(wiring), expires_at=expires_at, version=START_VERSION)


def shop_of(wiring: Wiring, token: str | None) -> Shop:
    """The shop a start link names; FORBIDDEN for anything we did not sign."""
    try:
        payload = tokens.claims(tokens.unseal(token or "", key=_key(wiring), version=START_VERSION))
        shop = Shop(str(payload["t"]), str(payload["m"]))
        if wiring.clock.now().timestamp() >= int(str(payload["exp"])):
            raise tokens.InvalidToken
    except (tokens.InvalidToken, KeyError, ValueError):
        raise DomainError(
            "this start link is not valid", field="shop", code=ErrorCode.FORBIDDEN
        ) from None
    return shop


async def open_order(
    wiring: Wiring,
    sender: Sender,
    shop: Shop,
    order_reference: str,
    email_or_phone: str,
    *,
    language: str,
) -> str | None:
    """The order's portal link when the e-mail or phone is the order's; None otherwise,
    whether the order is unknown or the address wrong. TooManyRequests past the limits."""
    reference = order_reference.strip()[:MAX_TYPED]
    subject = f"{shop.tenant_id}/{shop.merchant}/{reference.casefold()}"
    attempt = wiring.throttle.attempt(Kind.PORTAL_START, sender, subject)
    wiring.throttle.check(attempt)
    loaders = Loaders(wiring.db, shop.tenant_id)
    order = await loaders.order_by_reference.load((shop.merchant, reference)) if reference else None
    customer = order.customer if order is not None else _NOBODY
    matches = customer.matches(email_or_phone[:MAX_TYPED])  # the same work either way
    if order is None or not matches:
        wiring.throttle.failed(attempt)
        return None
    now = wiring.clock.now()
    await remember_customer_language(
        wiring.db,
        shop.tenant_id,
        order.merchant,
        order.reference,
        customer_language(language),
        now=now,
    )
    url, _ = wiring.portal.link(shop.tenant_id, order.merchant, order.reference, now=now)
    return url


def expired_grant(wiring: Wiring, token: str | None) -> PortalGrant | None:
    """The order of a portal link we signed, expired or not (None for anything else): an
    expired link may still ask for a fresh one to be sent to the order's own address."""
    try:
        payload = tokens.claims(tokens.unseal(token or "", key=_key(wiring)))
        return PortalGrant(
            tenant_id=str(payload["t"]),
            merchant=str(payload["m"]),
            order_reference=str(payload["o"]),
            expires_at=datetime.fromtimestamp(int(str(payload["exp"])), UTC),
        )
    except (tokens.InvalidToken, DomainError, KeyError, ValueError, OverflowError):
        return None


async def send_fresh_link(
    wiring: Wiring, sender: Sender, grant: PortalGrant, *, language: str
) -> None:
    """Queue an e-mail with a fresh link to the order's own address. Each request counts
    against the sender and the order, so a link cannot be used to flood a customer's inbox;
    past the limit, TooManyRequests."""
    subject = f"{grant.tenant_id}/{grant.merchant}/{grant.order_reference}"
    attempt = wiring.throttle.attempt(Kind.FRESH_LINK, sender, subject)
    wiring.throttle.check(attempt)
    wiring.throttle.failed(attempt)  # every request counts, sent or not
    now = wiring.clock.now()
    await remember_customer_language(
        wiring.db,
        grant.tenant_id,
        grant.merchant,
        grant.order_reference,
        customer_language(language),
        now=now,
    )
    await queue_link_message(
        wiring.db, grant.tenant_id, grant.merchant, grant.order_reference, now=now
    )


def _key(wiring: Wiring) -> bytes:
    if wiring.portal.key is None:
        raise DomainError(
            "the return portal is not configured on this server (RETURNS_PORTAL_SECRET)",
            code=ErrorCode.UNAVAILABLE,
        )
    return wiring.portal.key

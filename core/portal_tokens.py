"""Signed, expiring return-portal tokens: a link that lets one customer see and return one
order, and nothing else, without an account.

A token is `v1.<payload>.<signature>`: the payload (base64url JSON) names the tenant, the
merchant, the order and the expiry; the signature is HMAC-SHA256 over `v1.<payload>` with the
server's portal secret. It is checked (in constant time) before the payload is even parsed,
so a changed byte anywhere is refused, and the expiry is checked against the server clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VERSION = "v1"
MAX_TOKEN_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class PortalGrant:
    """What a token allows: this order of this merchant of this tenant, until then."""

    tenant_id: str
    merchant: str
    order_reference: str
    expires_at: datetime


class InvalidToken(Exception):
    """Not a token we signed (malformed, tampered, or signed with another key)."""


class ExpiredToken(Exception):
    """A token we signed whose time is up."""


def issue(
    tenant_id: str,
    merchant: str,
    order_reference: str,
    *,
    key: bytes,
    now: datetime,
    ttl: timedelta,
) -> tuple[str, PortalGrant]:
    grant = PortalGrant(tenant_id, merchant, order_reference, (now + ttl).replace(microsecond=0))
    payload = {"t": grant.tenant_id, "m": grant.merchant, "o": grant.order_reference}
    return seal(payload, key=key, expires_at=grant.expires_at), grant


def seal(
    payload: dict[str, str], *, key: bytes, expires_at: datetime, version: str = VERSION
) -> str:
    """Any signed, expiring token of ours: `<version>.<payload>.<signature>`. The version
    names what the token opens, so a token made for one purpose never opens another."""
    claims = {**payload, "exp": int(expires_at.timestamp())}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{version}.{body}"
    return f"{signed}.{_b64(_signature(key, signed))}"


def verify(token: str, *, key: bytes, now: datetime) -> PortalGrant:
    grant = _grant(unseal(token, key=key))
    if now >= grant.expires_at:
        raise ExpiredToken
    return grant


def unseal(token: str, *, key: bytes, version: str = VERSION) -> str:
    """The payload text of a token we signed with this version; its expiry is the caller's
    to check, once the payload is parsed."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise InvalidToken  # we only ever issue base64url text
    prefix, _, rest = token.partition(".")
    body, _, signature = rest.partition(".")
    if prefix != version or not body or not signature:
        raise InvalidToken
    # Compared as text, not decoded bytes: base64 has spare bits, and two spellings of one
    # signature would make a token malleable.
    expected = _b64(_signature(key, f"{prefix}.{body}"))
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise InvalidToken
    return body


def claims(body: str) -> dict[str, object]:
    """The JSON of a verified token's payload; a failure means a bug or a leaked key."""
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise InvalidToken from None
    if not isinstance(payload, dict):
        raise InvalidToken
    return payload


def _grant(body: str) -> PortalGrant:
    """The payload of a correctly signed token; only our own signing code wrote it, so a
    failure here means a bug or a leaked key, and is refused all the same."""
    payload = claims(body)
    try:
        grant = PortalGrant(
            tenant_id=str(payload["t"]),
            merchant=str(payload["m"]),
            order_reference=str(payload["o"]),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )
    except (ValueError, KeyError, TypeError, OverflowError):
        raise InvalidToken from None
    return grant


def _signature(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise ValueError(str(error)) from None

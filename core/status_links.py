"""Links to a return request's status page, as the e-mails and the portal hand them out.

A status link opens one request of one merchant of one tenant, read-only, for long enough
to follow a return to its end (the portal secret signs it; the `s1` version keeps a status
token from ever opening the return form, and a form token from opening a status page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import portal_tokens as tokens
from domain.errors import DomainError, ErrorCode

STATUS_PATH = "/portal/status"
STATUS_VERSION = "s1"


@dataclass(frozen=True, slots=True)
class StatusGrant:
    """What a status token allows: reading this request of this merchant, until then."""

    tenant_id: str
    merchant: str
    request_id: str
    expires_at: datetime


@dataclass(frozen=True)
class StatusLinks:
    key: bytes | None
    base_url: str
    ttl: timedelta

    def token(self, tenant_id: str, merchant: str, request_id: str, *, now: datetime) -> str:
        expires_at = (now + self.ttl).replace(microsecond=0)
        payload = {"t": tenant_id, "m": merchant, "r": request_id}
        return tokens.seal(payload, key=self._key(), expires_at=expires_at, version=STATUS_VERSION)

    def url(self, tenant_id: str, merchant: str, request_id: str, *, now: datetime) -> str:
        token = self.token(tenant_id, merchant, request_id, now=now)
        return f"{self.base_url}{STATUS_PATH}/{token}"

    def grant(self, token: str | None, *, now: datetime) -> StatusGrant:
        """The request a token opens; refusals say what to do, never which check failed."""
        key = self._key()
        try:
            grant = _grant(tokens.unseal(token or "", key=key, version=STATUS_VERSION))
        except tokens.InvalidToken:
            raise DomainError(
                "this status link is not valid", field="token", code=ErrorCode.FORBIDDEN
            ) from None
        if now >= grant.expires_at:
            raise DomainError(
                "this status link has expired; ask the shop for a new one",
                field="token",
                code=ErrorCode.UNAUTHENTICATED,
            )
        return grant

    def expired(self, token: str | None) -> StatusGrant | None:
        """What a token we signed named, once its time is up: the page that says it expired
        can still wear the merchant's brand and name its support. None for any other token."""
        if self.key is None:
            return None
        try:
            return _grant(tokens.unseal(token or "", key=self.key, version=STATUS_VERSION))
        except tokens.InvalidToken:
            return None

    def _key(self) -> bytes:
        if self.key is None:
            raise DomainError(
                "the return portal is not configured on this server (RETURNS_PORTAL_SECRET)",
                code=ErrorCode.UNAVAILABLE,
            )
        return self.key


def _grant(body: str) -> StatusGrant:
    payload = tokens.claims(body)
    try:
        return StatusGrant(
            tenant_id=str(payload["t"]),
            merchant=str(payload["m"]),
            request_id=str(payload["r"]),
            expires_at=datetime.fromtimestamp(int(str(payload["exp"])), UTC),
        )
    except (ValueError, KeyError, TypeError, OverflowError):
        raise tokens.InvalidToken from None

"""Return-portal links as the app hands them out: signed with the portal secret, valid for
the configured time, pointing at this service's public address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from core import portal_tokens as tokens
from domain.errors import DomainError, ErrorCode

PORTAL_PATH = "/portal/returns"


@dataclass(frozen=True)
class PortalLinks:
    key: bytes | None
    base_url: str
    ttl: timedelta

    def link(
        self, tenant_id: str, merchant: str, order_reference: str, *, now: datetime
    ) -> tuple[str, tokens.PortalGrant]:
        token, grant = tokens.issue(
            tenant_id, merchant, order_reference, key=self._key(), now=now, ttl=self.ttl
        )
        return f"{self.base_url}{PORTAL_PATH}?{urlencode({'token': token})}", grant

    def grant(self, token: str | None, *, now: datetime) -> tokens.PortalGrant:
        """The order a token opens; refusals say what to do, never which check failed."""
        key = self._key()
        if not token:
            raise DomainError(
                "open the return link you were sent; it carries a token",
                field="token",
                code=ErrorCode.UNAUTHENTICATED,
            )
        try:
            return tokens.verify(token, key=key, now=now)
        except tokens.ExpiredToken:
            raise DomainError(
                "this return link has expired; ask the shop for a new one",
                field="token",
                code=ErrorCode.UNAUTHENTICATED,
            ) from None
        except tokens.InvalidToken:
            raise DomainError(
                "this return link is not valid", field="token", code=ErrorCode.FORBIDDEN
            ) from None

    def _key(self) -> bytes:
        if self.key is None:
            raise DomainError(
                "the return portal is not configured on this server (RETURNS_PORTAL_SECRET)",
                code=ErrorCode.UNAVAILABLE,
            )
        return self.key

"""The signed reference a drop-off slip carries in its QR code, for a carrier to scan.

It names one request of one tenant and is signed with the portal secret under its own token
version (`q1`), so it opens nothing else: not the return form, not the status page (a slip
lies on a counter; whoever reads it learns the request id, no more). The scan endpoint
takes it from an API client of that same tenant only, so a reference printed for one
merchant's customer cannot record a scan on another tenant's request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import portal_tokens as tokens
from domain.errors import DomainError, ErrorCode

SLIP_VERSION = "q1"


@dataclass(frozen=True, slots=True)
class SlipReference:
    tenant_id: str
    request_id: str


@dataclass(frozen=True)
class SlipReferences:
    key: bytes | None
    ttl: timedelta  # as long as the status link that shows the slip

    def reference(self, tenant_id: str, request_id: str, *, now: datetime) -> str:
        expires_at = (now + self.ttl).replace(microsecond=0)
        payload = {"t": tenant_id, "r": request_id}
        return tokens.seal(payload, key=self._key(), expires_at=expires_at, version=SLIP_VERSION)

    def read(self, reference: str | None, *, now: datetime) -> SlipReference:
        """The request a scanned reference names; anything else is one refusal."""
        try:
            body = tokens.unseal(reference or "", key=self._key(), version=SLIP_VERSION)
            claims = tokens.claims(body)
            read = SlipReference(tenant_id=str(claims["t"]), request_id=str(claims["r"]))
            expires_at = datetime.fromtimestamp(int(str(claims["exp"])), UTC)
        except (tokens.InvalidToken, KeyError, ValueError, TypeError, OverflowError):
            raise DomainError(
                "this is not a slip reference of this service",
                field="reference",
                code=ErrorCode.INVALID_INPUT,
            ) from None
        if now >= expires_at:
            raise DomainError(
                "this slip has expired", field="reference", code=ErrorCode.INVALID_INPUT
            )
        return read

    def _key(self) -> bytes:
        if self.key is None:
            raise DomainError(
                "drop-off slips are not configured on this server (RETURNS_PORTAL_SECRET)",
                code=ErrorCode.UNAVAILABLE,
            )
        return self.key

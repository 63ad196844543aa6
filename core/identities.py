"""Who each bearer token belongs to, as every face asks it (HTTP calls and websockets)."""

from __future__ import annotations

import time

from domain.access import Principal, TokenIdentity, secret_hash
from domain.ports import Clock
from persistence.access import AccessStore
from persistence.database import Database

MAX_REMEMBERED_TOKENS = 10_000


class Identities:
    """Whose each bearer token is, remembered in this process for `ttl` seconds, so a call
    costs no database round trip to authenticate. What is remembered is the stored identity
    (client, tenant, role, API key hash, expiry, revoked); the API key, the tenant id and
    the expiry are still checked on every call. A revoked client, or a deleted tenant, is
    therefore refused by every process within `ttl` seconds, when each re-reads the token.
    Unknown tokens are not remembered: a token issued a moment ago works at once."""

    def __init__(self, db: Database, *, ttl: float) -> None:
        self._store = AccessStore(db)
        self._ttl = ttl
        self._known: dict[str, tuple[float, TokenIdentity]] = {}

    async def principal(
        self, bearer: str, api_key: str, tenant_id: str, clock: Clock
    ) -> Principal | None:
        identity = await self._identity(secret_hash(bearer))
        return identity.principal(api_key, tenant_id, clock.now()) if identity else None

    def forget(self, token_hash: str) -> None:
        """Drop what this process remembers of a token (it was just revoked here), so this
        process refuses it at once; the others re-read it within `ttl` seconds."""
        self._known.pop(token_hash, None)

    async def _identity(self, token_hash: str) -> TokenIdentity | None:
        now = time.monotonic()
        known = self._known.get(token_hash)
        if known is not None and now - known[0] < self._ttl:
            return known[1]
        identity = await self._store.identity(token_hash)
        if identity is None:
            self._known.pop(token_hash, None)
            return None
        if len(self._known) >= MAX_REMEMBERED_TOKENS:
            self._known.clear()  # crude, and rare: ten thousand live tokens in one process
        self._known[token_hash] = (now, identity)
        return identity

"""The typed keys under which a request carries what its handling learned."""

from __future__ import annotations

from aiohttp import web

from persistence.idempotency import KeyClaim

CLAIM_KEY = web.RequestKey("idempotency_claim", KeyClaim)  # the key a request works for

"""The typed keys under which the aiohttp application holds what ops/bootstrap.py
built, and under which a request carries what its handling learned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from persistence.idempotency import KeyClaim

if TYPE_CHECKING:
    from ops.bootstrap import Wiring

WIRING_KEY: web.AppKey[Wiring] = web.AppKey("wiring")
CLAIM_KEY = web.RequestKey("idempotency_claim", KeyClaim)  # the key a request works for

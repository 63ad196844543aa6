"""The typed keys under which the aiohttp application holds what app.py wires, and under
which a request carries what its handling learned."""

from __future__ import annotations

from aiohttp import web

from domain.ports import Clock
from graphql_api.pubsub import EventHub
from persistence.database import Database
from persistence.idempotency import IdempotencyStore, KeyClaim

DB_KEY = web.AppKey("db", Database)
CLOCK_KEY = web.AppKey("clock", Clock)
HUB_KEY = web.AppKey("hub", EventHub)
IDEMPOTENCY_KEY = web.AppKey("idempotency", IdempotencyStore)
CLAIM_KEY = web.RequestKey("idempotency_claim", KeyClaim)  # the key a request works for

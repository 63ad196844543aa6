"""Who may call the desk's own HTTP endpoints (a customer's photos, the CSV export).

Today the desk signs in with an API client's credentials, and these endpoints take exactly
what its GraphQL calls send: `Authorization: Bearer`, `x-api-key` and `tenant-id`. This is
the one function that decides it, so when the desk signs staff in with a session, only this
changes."""

from __future__ import annotations

from aiohttp import web

from core.wiring import Wiring
from domain.access import Principal
from edge.auth import authenticate


async def desk_caller(request: web.Request, wiring: Wiring) -> Principal | web.Response:
    """The tenant's authenticated caller, or the 401/429 to answer with."""
    return await authenticate(request, wiring)

"""Who may call the desk's own HTTP endpoints (a customer's photos, the CSV export): a
signed-in staff user of the tenant (the session cookie with its CSRF header, as the desk's
GraphQL calls send them), or an API client with its bearer credentials. This is the one
function that decides it for both endpoints."""

from __future__ import annotations

from aiohttp import web

from core.wiring import Wiring
from domain.access import Principal
from edge.auth import refusal_response
from edge.checks import staff_or_client


async def desk_caller(request: web.Request, wiring: Wiring) -> Principal | web.Response:
    """The tenant's authenticated caller, or the 401/429 to answer with."""
    found = await staff_or_client(request, wiring)
    return found if isinstance(found, Principal) else refusal_response(found)

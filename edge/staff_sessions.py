"""The desk's session cookie and CSRF header, as HTTP carries them: every face that lets a
signed-in staff user in (GraphQL, the desk's pages) reads them here.

The cookie is HttpOnly (scripts never see it), SameSite=Lax (another site's POST or fetch
does not carry it), Secure when the service is reached over https, and holds nothing but a
random session token. Every request it authenticates that is not a page load must also
carry the session's CSRF token in `X-CSRF-Token` (core/staff.py), which only this origin's
pages can read."""

from __future__ import annotations

from aiohttp import web

from core.staff import CurrentSession
from core.wiring import Wiring
from domain.access import Principal

COOKIE = "returns_desk"
CSRF_HEADER = "X-CSRF-Token"


def session_cookie(request: web.Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value and value.isascii() and value.isprintable() else None


async def current_session(request: web.Request, wiring: Wiring) -> CurrentSession | None:
    return await wiring.staff.current(session_cookie(request))


def csrf_checked(request: web.Request, current: CurrentSession) -> bool:
    return current.csrf_matches(request.headers.get(CSRF_HEADER))


async def session_principal(request: web.Request, wiring: Wiring) -> Principal | None:
    """The staff user of a request carrying both the session cookie and its CSRF token;
    None when either is missing, wrong, signed out or expired."""
    current = await current_session(request, wiring)
    if current is None or not csrf_checked(request, current):
        return None
    return Principal.of_staff(current.session)


def set_session_cookie(
    response: web.StreamResponse, request: web.Request, wiring: Wiring, current: CurrentSession
) -> None:
    response.set_cookie(
        COOKIE,
        current.cookie,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=_secure(request, wiring),
        max_age=int(wiring.staff.lifetime.absolute.total_seconds()),
    )


def clear_session_cookie(
    response: web.StreamResponse, request: web.Request, wiring: Wiring
) -> None:
    response.del_cookie(COOKIE, path="/", secure=_secure(request, wiring), samesite="Lax")


def _secure(request: web.Request, wiring: Wiring) -> bool:
    public = wiring.settings.public_base_url or ""
    return request.secure or public.startswith("https://")

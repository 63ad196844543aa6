"""The desk's sign-in, as JSON calls its page makes (pages/static/desk/session.js):

    GET    /desk/session           who is signed in, and the session's CSRF token (200 with
                                   {"signedIn": false} when no one is: the page asks first)
    POST   /desk/session           sign in: {tenant, email, password} → the session cookie
    DELETE /desk/session           sign out (X-CSRF-Token)
    POST   /desk/session/password  change one's password: {current, new} (X-CSRF-Token)
    POST   /desk/password          set a password with an invitation or reset link's token

Wrong passwords and wrong link tokens count against the sender's address, and sign-ins
against the tenant and e-mail tried, in the throttle every credential shares
(core/throttle.py); past the limit, 429 with Retry-After. A sign-in never says whether the
e-mail or the password was wrong. Only JSON bodies are read, and a browser's
`Sec-Fetch-Site` must say same-origin: another site's page can neither sign a visitor in
to an account of its choosing nor out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.staff import CurrentSession
from core.throttle import Kind
from core.wiring import Wiring
from domain.errors import DomainError, ErrorCode, TooManyRequests
from edge.json_input import encodes_as_utf8
from edge.staff_sessions import (
    clear_session_cookie,
    csrf_checked,
    current_session,
    set_session_cookie,
)

MAX_FIELD = 512


def _answer(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        body, status=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _error(
    status: int, code: ErrorCode, message: str, field: str | None = None, **headers: str
) -> web.Response:
    error = {"code": code.value, "message": message} | ({"field": field} if field else {})
    return _answer(status, {"error": error}, headers)


def described(current: CurrentSession) -> dict[str, Any]:
    user = current.session.user
    return {
        "signedIn": True,
        "user": {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value},
        "tenantId": user.tenant_id,
        "csrf": current.csrf,
        "expiresAt": current.session.expires_at.isoformat(),
    }


async def _fields(request: web.Request, *names: str) -> dict[str, str] | web.Response:
    """The JSON body's text fields, or the 400/403 to answer with."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return _error(403, ErrorCode.FORBIDDEN, "send this from the desk's own page")
    if request.content_type != "application/json":
        return _error(400, ErrorCode.INVALID_INPUT, "send a JSON body")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return _error(400, ErrorCode.INVALID_INPUT, "send a JSON body")
    values = {name: body.get(name) if isinstance(body, dict) else None for name in names}
    if not all(isinstance(v, str) and 0 < len(v) <= MAX_FIELD for v in values.values()):
        return _error(400, ErrorCode.INVALID_INPUT, f"send {', '.join(names)} as text")
    if any("\x00" in v for v in values.values()) or not encodes_as_utf8(values):
        # No database driver takes a NUL or a lone surrogate: refused here, never a 500.
        return _error(400, ErrorCode.INVALID_INPUT, "text with NUL or lone surrogates")
    return values  # type: ignore[return-value]


class SessionRoutes:
    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.staff = wiring.staff
        self.throttle = wiring.throttle

    async def show(self, request: web.Request) -> web.Response:
        current = await current_session(request, self.wiring)
        if current is None:
            return _answer(200, {"signedIn": False})
        return _answer(200, described(current))

    async def sign_in(self, request: web.Request) -> web.Response:
        fields = await _fields(request, "tenant", "email", "password")
        if isinstance(fields, web.Response):
            return fields
        subject = f"{fields['tenant']}:{fields['email'].strip().lower()}"
        attempt = self.throttle.attempt(Kind.STAFF_PASSWORD, request, subject)
        try:
            self.throttle.check(attempt)
        except TooManyRequests as refused:
            return _throttled(refused)
        current = await self.staff.sign_in(fields["tenant"], fields["email"], fields["password"])
        if current is None:
            self.throttle.failed(attempt)
            return _error(
                401, ErrorCode.UNAUTHENTICATED, "the tenant, e-mail and password do not match"
            )
        response = _answer(200, described(current))
        set_session_cookie(response, request, self.wiring, current)
        return response

    async def sign_out(self, request: web.Request) -> web.Response:
        current = await current_session(request, self.wiring)
        if current is not None and not csrf_checked(request, current):
            return _error(403, ErrorCode.FORBIDDEN, "the X-CSRF-Token header is missing or wrong")
        if current is not None:
            await self.staff.sign_out(current)
        response = web.Response(status=204, headers={"Cache-Control": "no-store"})
        clear_session_cookie(response, request, self.wiring)
        return response

    async def change_password(self, request: web.Request) -> web.Response:
        current = await current_session(request, self.wiring)
        if current is None:
            return _error(401, ErrorCode.UNAUTHENTICATED, "not signed in")
        if not csrf_checked(request, current):
            return _error(403, ErrorCode.FORBIDDEN, "the X-CSRF-Token header is missing or wrong")
        fields = await _fields(request, "current", "new")
        if isinstance(fields, web.Response):
            return fields
        attempt = self.throttle.attempt(Kind.STAFF_PASSWORD, request, current.session.user.id)
        try:
            self.throttle.check(attempt)
            renewed = await self.staff.change_password(current, fields["current"], fields["new"])
        except TooManyRequests as refused:
            return _throttled(refused)
        except DomainError as refused:
            if refused.field == "current_password":
                self.throttle.failed(attempt)
            return _error(400, refused.code, refused.message, refused.field)
        response = _answer(200, described(renewed))
        set_session_cookie(response, request, self.wiring, renewed)
        return response

    async def set_password(self, request: web.Request) -> web.Response:
        fields = await _fields(request, "token", "password")
        if isinstance(fields, web.Response):
            return fields
        attempt = self.throttle.attempt(Kind.STAFF_PASSWORD, request)
        try:
            self.throttle.check(attempt)
            user = await self.staff.set_password_by_link(fields["token"], fields["password"])
        except TooManyRequests as refused:
            return _throttled(refused)
        except DomainError as refused:
            if refused.code == ErrorCode.UNAUTHENTICATED:
                self.throttle.failed(attempt)
            return _error(401 if refused.code == ErrorCode.UNAUTHENTICATED else 400,
                          refused.code, refused.message)  # fmt: skip
        return _answer(200, {"email": user.email, "tenantId": user.tenant_id})


def _throttled(refused: TooManyRequests) -> web.Response:
    return _error(429, refused.code, refused.message, **{"Retry-After": str(refused.retry_after)})


def add_session_routes(app: web.Application, wiring: Wiring) -> None:
    routes = SessionRoutes(wiring)
    app.router.add_get("/desk/session", routes.show)
    app.router.add_post("/desk/session", routes.sign_in)
    app.router.add_delete("/desk/session", routes.sign_out)
    app.router.add_post("/desk/session/password", routes.change_password)
    app.router.add_post("/desk/password", routes.set_password)

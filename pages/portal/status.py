"""A return's status page, `GET /portal/status/{token}`, and its drop-off slip
(`…/slip` printable HTML, `…/slip.pdf`): what the customer follows a return by after
pressing "Request the return", from the link in the portal's confirmation or in an e-mail.

The token (core/status_links.py) is the only credential and opens this one request,
read-only. A refused link is a branded page in the customer's language with a 4xx status,
never an error of the server; the throttle of the portal's links counts it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from core.status_links import STATUS_PATH, StatusGrant
from core.wiring import Wiring
from domain.errors import DomainError, ErrorCode, NotFound, TooManyRequests
from pages.portal.access import opened_status, reading_context
from pages.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from pages.portal.pages import PROBLEM_STATUS
from pages.portal.slip_pdf import slip_pdf
from pages.portal.status_data import StatusData, load_status_data
from pages.portal.status_view import qr_svg, status_view
from pages.security import content_security_policy, secure

StatusHandler = Callable[
    [web.Request, StatusData, StatusGrant, Translator, Wiring], Awaitable[web.StreamResponse]
]


def add_status_routes(app: web.Application, wiring: Wiring) -> None:
    app.router.add_get(STATUS_PATH + "/{token}", _guarded(wiring, _status_page))
    app.router.add_get(STATUS_PATH + "/{token}/slip", _guarded(wiring, _slip_page))
    app.router.add_get(STATUS_PATH + "/{token}/slip.pdf", _guarded(wiring, _slip_file))


def _guarded(
    wiring: Wiring, handler: StatusHandler
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        try:
            grant = opened_status(wiring, request, request.match_info["token"])
            data = await load_status_data(reading_context(wiring, grant.tenant_id), grant)
            return await handler(request, data, grant, t, wiring)
        except DomainError as error:
            return _problem(request, t, error)

    return serve


async def _status_page(
    request: web.Request, data: StatusData, _grant: StatusGrant, t: Translator, _wiring: Wiring
) -> web.StreamResponse:
    return _render(request, "portal_status.html", status_view(data, t), t, data)


async def _slip_page(
    request: web.Request, data: StatusData, grant: StatusGrant, t: Translator, wiring: Wiring
) -> web.StreamResponse:
    view = status_view(data, t)
    if not view["slip"]:
        return _problem(request, t, NotFound(t("slip_none")), message=t("slip_none"))
    reference = wiring.slips.reference(grant.tenant_id, data.request.id, now=wiring.clock.now())
    view["qr"] = qr_svg(reference, title=t("slip_scan"))
    return _render(request, "portal_slip.html", view, t, data)


async def _slip_file(
    request: web.Request, data: StatusData, grant: StatusGrant, t: Translator, wiring: Wiring
) -> web.StreamResponse:
    view = status_view(data, t)
    if not view["slip"]:
        return _problem(request, t, NotFound(t("slip_none")), message=t("slip_none"))
    reference = wiring.slips.reference(grant.tenant_id, data.request.id, now=wiring.clock.now())
    # Some hundred milliseconds of CPU (fonts, shaping): off the event loop, which serves
    # everyone else meanwhile.
    body = await asyncio.to_thread(slip_pdf, view, reference, t)
    response = web.Response(body=body, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{data.request.id}-slip.pdf"'
    # No Content-Security-Policy: a browser's PDF viewer is no page of ours to confine.
    response.headers.update(
        {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
        | {"Cache-Control": "no-store"}
    )
    return response


def _render(
    request: web.Request, template: str, view: dict[str, object], t: Translator, data: StatusData
) -> web.StreamResponse:
    nonce = secrets.token_urlsafe(16)
    here = request.path
    context = view | {
        "t": t,
        "nonce": nonce,
        "here": here,
        "slip_url": _with_language(f"{_status_base(request)}/slip", t.lang),
        "slip_pdf_url": _with_language(f"{_status_base(request)}/slip.pdf", t.lang),
        "status_url": _with_language(_status_base(request), t.lang),
        "languages": [
            {
                "code": code,
                "label": NAMES[code],
                "url": _with_language(here, code),
                "current": code == t.lang,
            }
            for code in LANGUAGES
        ],
    }
    response = aiohttp_jinja2.render_template(template, request, context)
    images = [data.brand.logo_origin] if data.brand.logo_origin else []
    policy = content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images)
    secure(response, policy)
    return response


def _status_base(request: web.Request) -> str:
    return f"{STATUS_PATH}/{request.match_info['token']}"


def _with_language(path: str, lang: str) -> str:
    return f"{path}?{urlencode({'lang': lang})}"


def _problem(
    request: web.Request, t: Translator, error: DomainError, *, message: str | None = None
) -> web.StreamResponse:
    """A refused link or a missing slip, as a page of the portal's own look."""
    words = {
        ErrorCode.UNAUTHENTICATED: "status_expired",
        ErrorCode.FORBIDDEN: "status_invalid",
        ErrorCode.UNAVAILABLE: "link_unavailable",
        ErrorCode.NOT_FOUND: "status_missing",
    }
    if isinstance(error, TooManyRequests):
        text = t("link_throttled", seconds=error.retry_after)
    else:
        text = message or t(words.get(error.code, "status_invalid"))
    response = aiohttp_jinja2.render_template(
        "portal_problem.html",
        request,
        {"t": t, "message": text, "title": t("status_problem")},
        status=PROBLEM_STATUS.get(error.code, 400),
    )
    secure(response, content_security_policy())
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response

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
from domain.portal import PortalSettings, default_portal_settings
from pages.portal.access import opened_status, reading_context
from pages.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from pages.portal.pages import PROBLEM_STATUS
from pages.portal.slip_pdf import slip_pdf
from pages.portal.status_data import StatusData, load_status_data
from pages.portal.status_view import qr_svg, status_view
from pages.portal.view import brand
from pages.security import content_security_policy, secure
from persistence.portal_settings import portal_settings

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
            shop = await _shop_of_expired(wiring, error, request.match_info["token"])
            return _problem(request, t, error, shop=shop)

    return serve


async def _shop_of_expired(wiring: Wiring, error: DomainError, token: str) -> PortalSettings | None:
    """The merchant of a link that expired (its signature still holds): its page wears the
    shop's brand and support contact. A forged or altered link learns nothing of any shop."""
    if error.code != ErrorCode.UNAUTHENTICATED or isinstance(error, TooManyRequests):
        return None
    grant = wiring.status.expired(token)
    if grant is None:
        return None
    async with wiring.db.read_session() as session:
        found = await portal_settings(session, grant.tenant_id, grant.merchant)
    return found or default_portal_settings(grant.merchant)


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
    context = view | {
        "t": t,
        "nonce": nonce,
        "slip_url": _with_language(f"{_status_base(request)}/slip", t.lang),
        "slip_pdf_url": _with_language(f"{_status_base(request)}/slip.pdf", t.lang),
        "status_url": _with_language(_status_base(request), t.lang),
        "languages": _languages(request, t),
    }
    response = aiohttp_jinja2.render_template(template, request, context)
    images = [data.brand.logo_origin] if data.brand.logo_origin else []
    policy = content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images)
    secure(response, policy)
    return response


def _languages(request: web.Request, t: Translator) -> list[dict[str, object]]:
    return [
        {
            "code": code,
            "label": NAMES[code],
            "url": _with_language(request.path, code),
            "current": code == t.lang,
        }
        for code in LANGUAGES
    ]


def _status_base(request: web.Request) -> str:
    return f"{STATUS_PATH}/{request.match_info['token']}"


def _with_language(path: str, lang: str) -> str:
    return f"{path}?{urlencode({'lang': lang})}"


def _problem(
    request: web.Request,
    t: Translator,
    error: DomainError,
    *,
    message: str | None = None,
    shop: PortalSettings | None = None,
) -> web.StreamResponse:
    """A refused link or a missing slip, as a page of the portal's own look (and of the
    shop's, when the link still says which shop it was)."""
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
    status = PROBLEM_STATUS.get(error.code, 400)
    page = {"t": t, "message": text, "title": t("status_problem")}
    if shop is None:
        response = aiohttp_jinja2.render_template(
            "portal_problem.html", request, page, status=status
        )
        secure(response, content_security_policy())
    else:
        nonce = secrets.token_urlsafe(16)
        page |= {"brand": brand(shop), "nonce": nonce, "languages": _languages(request, t)}
        template = "portal_status_problem.html"
        response = aiohttp_jinja2.render_template(template, request, page, status=status)
        images = [shop.logo_origin] if shop.logo_origin else []
        secure(response, content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images))
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response

"""The return portal for people: `GET /portal/returns?token=…` in a browser shows the order,
what can be returned and why not, the form, and the order's returns with their history;
posting the form creates the return through the same use case as every other face, then
redirects to a confirmation (`&created=RR-…`). Works without JavaScript."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from core.context import Context
from core.photos import Photos
from core.portal_links import PORTAL_PATH
from core.wiring import Wiring
from domain import services
from domain.errors import DomainError, ErrorCode, TooManyRequests
from domain.orders import Order
from pages.portal import csrf
from pages.portal.access import open_link
from pages.portal.form import FormState, keep_photos, read_form
from pages.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from pages.portal.page_data import PortalData, load_portal_data
from pages.portal.submit import attach_errors, command
from pages.portal.view import page_context
from pages.security import content_security_policy, secure

PortalPage = Callable[[web.Request], Awaitable[web.StreamResponse]]
PROBLEM_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.TOO_MANY_REQUESTS: 429,
}


def show(wiring: Wiring) -> PortalPage:
    return _guarded(wiring, _show)


def submit(wiring: Wiring) -> PortalPage:
    return _guarded(wiring, _submit)


def _guarded(wiring: Wiring, handler) -> PortalPage:  # type: ignore[no-untyped-def]
    """Same token checks as the JSON portal; a refused link is a page, not JSON."""

    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        try:
            token = request.query.get("token", "")
            context, order = await open_link(wiring, request, token)
            return await handler(request, Page(wiring, context, order, t, token))
        except DomainError as error:
            return _problem(request, t, error)

    return serve


@dataclass(frozen=True)
class Page:
    """What a portal page is served with: the wiring, the link's customer and order, the
    customer's language and the link's token."""

    wiring: Wiring
    context: Context
    order: Order
    t: Translator
    token: str


async def _show(request: web.Request, page: Page) -> web.StreamResponse:
    data = await load_portal_data(page.context, page.order)
    created = request.query.get("created")
    if created and any(r.id == created for r in data.requests):
        return _render(request, page, "portal_done.html", data, created=created)
    return _render(request, page, "portal_order.html", data, form=_prefilled(page.order))


async def _submit(request: web.Request, page: Page) -> web.StreamResponse:
    context, order, t, token = page.context, page.order, page.t, page.token
    photos = page.wiring.photos
    form, uploads = await read_form(request, photos.limits)
    key = page.wiring.portal.key or b""
    if not csrf.is_genuine(request, key, token, form.value(csrf.FIELD)):
        return _problem(request, t, DomainError(t("err_csrf"), code=ErrorCode.FORBIDDEN))
    await keep_photos(
        form, uploads, tenant_id=context.tenant_id, store=photos.store, limits=photos.limits, t=t
    )
    data = await load_portal_data(context, order)
    base = page.wiring.portal.base_url
    cmd, origin = command(
        form, data, t, actor=context.actor, photo_url=lambda p: Photos.url(base, p)
    )
    if cmd is not None:
        try:
            created = await services.create_return(
                cmd, uow=context.unit_of_work(), clock=context.clock
            )
        except DomainError as error:
            attach_errors(error, form, origin, t)
        else:
            query = {"token": token, "lang": t.lang, "created": created.id}
            raise web.HTTPSeeOther(f"{PORTAL_PATH}?{urlencode(query)}")
    return _render(request, page, "portal_order.html", data, form=form, status=400)


def _prefilled(order: Order) -> FormState:
    address = order.customer_address()
    values = {"method": "pickup"}
    for name in ("contact_name", "contact_phone", "address1", "city", "country"):
        values[name] = (getattr(address, name, None) or "") if address else ""
    return FormState(values=values)


def _render(
    request: web.Request,
    page: Page,
    template: str,
    data: PortalData,
    *,
    status: int = 200,
    **extra: object,
) -> web.StreamResponse:
    t, token = page.t, page.token
    nonce = secrets.token_urlsafe(16)
    key = page.wiring.portal.key or b""
    csrf_nonce = csrf.nonce_for(request)
    context = page_context(data, t, token, photos=page.wiring.photos, nonce=nonce) | {
        "csrf": csrf.form_value(key, csrf_nonce, token),
        "languages": _languages(token, t),
        **extra,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    images = [data.brand.logo_origin] if data.brand.logo_origin else []
    policy = content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images)
    secure(response, policy)
    csrf.set_cookie(response, request, csrf_nonce)
    return response


def _languages(token: str, t: Translator) -> list[dict[str, object]]:
    return [
        {
            "code": code,
            "label": NAMES[code],
            "url": f"{PORTAL_PATH}?{urlencode({'token': token, 'lang': code})}",
            "current": code == t.lang,
        }
        for code in LANGUAGES
    ]


def _problem(request: web.Request, t: Translator, error: DomainError) -> web.StreamResponse:
    messages = {
        ErrorCode.UNAUTHENTICATED: "link_expired" if request.query.get("token") else "link_missing",
        ErrorCode.FORBIDDEN: "link_invalid",
        ErrorCode.UNAVAILABLE: "link_unavailable",
        ErrorCode.NOT_FOUND: "order_missing",
    }
    if isinstance(error, TooManyRequests):
        text = t("link_throttled", seconds=error.retry_after)
    elif error.message == t("err_csrf"):
        text = error.message
    else:
        text = t(messages.get(error.code, "link_invalid"))
    response = aiohttp_jinja2.render_template(
        "portal_problem.html",
        request,
        {"t": t, "message": text},
        status=PROBLEM_STATUS.get(error.code, 400),
    )
    secure(response, content_security_policy())
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response

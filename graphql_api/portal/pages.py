"""The return portal for people: `GET /portal/returns?token=…` in a browser shows the order,
what can be returned and why not, the form, and the order's returns with their history;
posting the form creates the return through the same use case as every other face, then
redirects to a confirmation (`&created=RR-…`). Works without JavaScript."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from domain import services
from domain.errors import DomainError, ErrorCode, NotFound, TooManyRequests
from domain.orders import Order
from graphql_api.app_keys import WIRING_KEY
from graphql_api.context import Context
from graphql_api.portal import csrf
from graphql_api.portal.form import FormState, keep_photos, read_form
from graphql_api.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from graphql_api.portal.links import PORTAL_PATH
from graphql_api.portal.page_data import PortalData, load_portal_data
from graphql_api.portal.photos import Photos
from graphql_api.portal.submit import attach_errors, command
from graphql_api.portal.view import page_context
from graphql_api.web.security import content_security_policy, secure

PROBLEM_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.TOO_MANY_REQUESTS: 429,
}


async def show(request: web.Request) -> web.StreamResponse:
    return await _guarded(request, _show)


async def submit(request: web.Request) -> web.StreamResponse:
    return await _guarded(request, _submit)


async def _guarded(request: web.Request, handler) -> web.StreamResponse:
    """Same token checks as the JSON portal; a refused link is a page, not JSON."""
    from graphql_api.portal.routes import opened_grant, portal_context

    t = Translator(choose_language(request))
    try:
        token = request.query.get("token", "")
        grant = opened_grant(request)
        context = portal_context(request, grant)
        key = (grant.merchant, grant.order_reference)
        order = await context.loaders.order_by_reference.load(key)
        if order is None:
            raise NotFound(f"order {grant.order_reference} not found")
        return await handler(request, context, order, t, token)
    except DomainError as error:
        return _problem(request, t, error)


async def _show(
    request: web.Request, context: Context, order: Order, t: Translator, token: str
) -> web.StreamResponse:
    data = await load_portal_data(context, order)
    created = request.query.get("created")
    if created and any(r.id == created for r in data.requests):
        return _render(request, "portal_done.html", data, t, token, created=created)
    return _render(request, "portal_order.html", data, t, token, form=_prefilled(order))


async def _submit(
    request: web.Request, context: Context, order: Order, t: Translator, token: str
) -> web.StreamResponse:
    photos = request.app[WIRING_KEY].photos
    form, uploads = await read_form(request, photos.limits)
    key = request.app[WIRING_KEY].portal.key or b""
    if not csrf.is_genuine(request, key, token, form.value(csrf.FIELD)):
        return _problem(request, t, DomainError(t("err_csrf"), code=ErrorCode.FORBIDDEN))
    await keep_photos(
        form, uploads, tenant_id=context.tenant_id, store=photos.store, limits=photos.limits, t=t
    )
    data = await load_portal_data(context, order)
    base = request.app[WIRING_KEY].portal.base_url
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
    return _render(request, "portal_order.html", data, t, token, form=form, status=400)


def _prefilled(order: Order) -> FormState:
    address = order.customer_address()
    values = {"method": "pickup"}
    for name in ("contact_name", "contact_phone", "address1", "city", "country"):
        values[name] = (getattr(address, name, None) or "") if address else ""
    return FormState(values=values)


def _render(
    request: web.Request,
    template: str,
    data: PortalData,
    t: Translator,
    token: str,
    *,
    status: int = 200,
    **extra: object,
) -> web.StreamResponse:
    nonce = secrets.token_urlsafe(16)
    key = request.app[WIRING_KEY].portal.key or b""
    csrf_nonce = csrf.nonce_for(request)
    context = page_context(data, t, token, photos=request.app[WIRING_KEY].photos, nonce=nonce) | {
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

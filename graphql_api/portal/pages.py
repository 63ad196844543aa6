"""The return portal for people: `GET /portal/returns?token=…` in a browser shows the order,
what can be returned and why not, the form, and the order's returns with their history;
posting the form creates the return through the same use case as every other face, then
redirects to a confirmation (`&created=RR-…`). Works without JavaScript."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import NoReturn
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from domain.errors import DomainError, ErrorCode, NotFound
from domain.orders import Order
from graphql_api.app_keys import WIRING_KEY
from graphql_api.context import Context
from graphql_api.portal import csrf, once
from graphql_api.portal.accept import make_return
from graphql_api.portal.form import FormRefused, FormRules, FormState, read_form
from graphql_api.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from graphql_api.portal.links import PORTAL_PATH
from graphql_api.portal.page_data import PortalData, load_portal_data
from graphql_api.portal.view import page_context
from graphql_api.web.security import content_security_policy, secure

PROBLEM_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.LIMIT_EXCEEDED: 413,
}


async def show(request: web.Request) -> web.StreamResponse:
    return await _guarded(request, _show)


async def submit(request: web.Request) -> web.StreamResponse:
    return await _guarded(request, _submit)


async def _guarded(request: web.Request, handler) -> web.StreamResponse:
    """Same token checks as the JSON portal; a refused link is a page, not JSON."""
    from graphql_api.portal.routes import portal_context

    t = Translator(choose_language(request))
    try:
        token = request.query.get("token", "")
        grant = request.app[WIRING_KEY].portal.grant(token, now=request.app[WIRING_KEY].clock.now())
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
    """Judge the form as it streams (its CSRF field first), claim its one-time key, make
    the return, and only then store its photos."""
    wiring = request.app[WIRING_KEY]
    data = await load_portal_data(context, order)
    try:
        form, uploads = await read_form(request, _rules(request, data, token), t)
    except FormRefused as refused:
        return _refused(request, t, refused.code)
    submissions = once.Submissions(wiring.idempotency, wiring.clock, context.tenant_id, order)
    held = await submissions.claim(once.form_key(form.value(once.FIELD)))
    if isinstance(held, once.Earlier):
        return _earlier(request, t, token, held)
    try:
        created = await make_return(
            replace(context, idempotency=held),
            data,
            form,
            uploads,
            t,
            photos=wiring.photos,
            base_url=wiring.portal.base_url,
        )
    except BaseException:
        await submissions.give_back(held)
        raise
    if created is None:
        await submissions.give_back(held)
        return _render(request, "portal_order.html", data, t, token, form=form, status=400)
    await submissions.done(held, created.id)
    return _confirmation(token, t, created.id)


def _rules(request: web.Request, data: PortalData, token: str) -> FormRules:
    wiring = request.app[WIRING_KEY]
    key = wiring.portal.key or b""
    return FormRules(
        photos=wiring.photos.limits,
        photo_lines=frozenset(i for i, entry in enumerate(data.lines) if entry.returnable),
        all_lines=len(data.lines),
        field_bytes=wiring.settings.max_body_bytes,
        genuine=lambda value: csrf.is_genuine(request, key, token, value),
    )


def _refused(request: web.Request, t: Translator, code: ErrorCode) -> web.StreamResponse:
    """A form not read to its end. The answer closes the connection: what the client still
    sends is dropped unread (aiohttp's lingering close, 10 s at most), never held."""
    message = t("err_too_large") if code == ErrorCode.LIMIT_EXCEEDED else t("err_csrf")
    response = _problem(request, t, DomainError(message, code=code), message=message)
    response.force_close()
    return response


def _earlier(
    request: web.Request, t: Translator, token: str, earlier: once.Earlier
) -> web.StreamResponse:
    """A copy of a form already sent lands where the first one did."""
    if earlier.conflict:
        message = t("err_csrf")
        return _problem(request, t, DomainError(message, code=ErrorCode.FORBIDDEN), message=message)
    return _confirmation(token, t, earlier.return_id)


def _confirmation(token: str, t: Translator, return_id: str | None) -> NoReturn:
    """The return's confirmation; without a known return, the order page, which lists the
    order's returns."""
    query = {"token": token, "lang": t.lang} | ({"created": return_id} if return_id else {})
    raise web.HTTPSeeOther(f"{PORTAL_PATH}?{urlencode(query)}")


def _prefilled(order: Order) -> FormState:
    address = order.customer_address()
    values = {"method": "pickup", once.FIELD: once.new_key()}
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
    form = extra.get("form")
    if isinstance(form, FormState) and once.form_key(form.value(once.FIELD)) is None:
        form.values[once.FIELD] = once.new_key()
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


def _problem(
    request: web.Request, t: Translator, error: DomainError, *, message: str | None = None
) -> web.StreamResponse:
    messages = {
        ErrorCode.UNAUTHENTICATED: "link_expired" if request.query.get("token") else "link_missing",
        ErrorCode.FORBIDDEN: "link_invalid",
        ErrorCode.UNAVAILABLE: "link_unavailable",
        ErrorCode.NOT_FOUND: "order_missing",
    }
    text = message or t(messages.get(error.code, "link_invalid"))
    response = aiohttp_jinja2.render_template(
        "portal_problem.html",
        request,
        {"t": t, "message": text},
        status=PROBLEM_STATUS.get(error.code, 400),
    )
    secure(response, content_security_policy())
    return response

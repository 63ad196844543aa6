"""The return portal for people: `GET /portal/returns?token=…` in a browser shows the order,
what can be returned and why not, the form, and the order's returns with their history;
posting the form creates the return through the same use case as every other face, then
redirects to a confirmation (`&created=RR-…`). Works without JavaScript."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import NoReturn
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web

from core.context import Context
from core.portal_links import PORTAL_PATH
from core.status_links import STATUS_PATH
from core.wiring import Wiring
from domain.errors import DomainError, ErrorCode, TooManyRequests
from domain.orders import Order
from pages.portal import csrf, once
from pages.portal.accept import make_return
from pages.portal.access import open_link, portal_context
from pages.portal.form import FormRefused, FormRules, FormState, read_form
from pages.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from pages.portal.page_data import PortalData, load_portal_data
from pages.portal.quote import quote_url, shown_quote
from pages.portal.view import page_context
from pages.security import content_security_policy, secure
from persistence.mail_configuration import remember_customer_language

PortalPage = Callable[[web.Request], Awaitable[web.StreamResponse]]
PROBLEM_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.TOO_MANY_REQUESTS: 429,
    ErrorCode.LIMIT_EXCEEDED: 413,
}


# What an expired link answers instead of the plain refusal (pages/portal/start.py), or None.
ExpiredLink = Callable[[web.Request, str, Translator], Awaitable[web.StreamResponse | None]]


def show(wiring: Wiring, on_expired: ExpiredLink | None = None) -> PortalPage:
    return _guarded(wiring, _show, on_expired)


def submit(wiring: Wiring, on_expired: ExpiredLink | None = None) -> PortalPage:
    return _guarded(wiring, _submit, on_expired)


def _guarded(wiring: Wiring, handler, on_expired: ExpiredLink | None) -> PortalPage:  # type: ignore[no-untyped-def]
    """Same token checks as the JSON portal; a refused link is a page, not JSON."""

    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        try:
            token = request.query.get("token", "")
            grant, order = await open_link(wiring, request, token)
            page = Page(wiring, portal_context(wiring, grant), order, t, token)
            return await handler(request, page)
        except DomainError as error:
            if error.code == ErrorCode.UNAUTHENTICATED and on_expired is not None:
                answer = await on_expired(request, token, t)
                if answer is not None:
                    return answer
            return _problem(request, t, error)

    return serve


async def refill(
    request: web.Request, wiring: Wiring, url: str, values: dict[str, str], t: Translator
) -> web.StreamResponse:
    """The order's form on a fresh link, filled in with what the customer had typed
    before their link expired (photos must be chosen again: files are not carried)."""
    token = parse_qs(urlsplit(url).query)["token"][0]
    grant, order = await open_link(wiring, request, token)
    page = Page(wiring, portal_context(wiring, grant), order, t, token)
    data = await load_portal_data(page.context, order)
    form = FormState(values=values)
    return await _order_page(request, page, data, form)


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
    return await _order_page(request, page, data, _prefilled(page.order))


async def _submit(request: web.Request, page: Page) -> web.StreamResponse:
    """Judge the form as it streams (its CSRF field first), claim its one-time key, make
    the return, and only then store its photos."""
    context, order, t, token, wiring = page.context, page.order, page.t, page.token, page.wiring
    data = await load_portal_data(context, order)
    try:
        form, uploads = await read_form(request, _rules(request, page, data), t)
    except FormRefused as refused:
        return _refused(request, t, refused.code)
    submissions = once.Submissions(wiring.idempotency, wiring.clock, context.tenant_id, order)
    held = await submissions.claim(once.form_key(form.value(once.FIELD)))
    if isinstance(held, once.Earlier):
        return _earlier(request, t, token, held)
    try:
        # The customer's e-mails speak the language of this form; kept before the return is
        # made, since its first e-mail may leave the moment it commits.
        await remember_customer_language(
            wiring.db,
            context.tenant_id,
            order.merchant,
            order.reference,
            t.lang,
            now=wiring.clock.now(),
        )
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
        return await _order_page(request, page, data, form, status=400)
    await submissions.done(held, created.id)
    return _confirmation(token, t, created.id)


async def _order_page(
    request: web.Request, page: Page, data: PortalData, form: FormState, *, status: int = 200
) -> web.StreamResponse:
    """The order's form with what the customer gets back for it as it stands (quote.py),
    so the figure is there without JavaScript too; photos sent count as chosen."""
    shown = await shown_quote(page.context, data, form, page.t, dict(form.photos_sent))
    extra = {"quote": shown.view, "hint": shown.hint, "quote_url": quote_url(page.token, page.t)}
    return _render(request, page, "portal_order.html", data, form=form, status=status, **extra)


def _rules(request: web.Request, page: Page, data: PortalData) -> FormRules:
    key = page.wiring.portal.key or b""
    return FormRules(
        photos=page.wiring.photos.limits,
        photo_lines=frozenset(i for i, entry in enumerate(data.lines) if entry.returnable),
        all_lines=len(data.lines),
        field_bytes=page.wiring.settings.max_body_bytes,
        genuine=lambda value: csrf.is_genuine(request, key, page.token, value),
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
    page: Page,
    template: str,
    data: PortalData,
    *,
    status: int = 200,
    **extra: object,
) -> web.StreamResponse:
    t, token = page.t, page.token
    form = extra.get("form")
    if isinstance(form, FormState) and once.form_key(form.value(once.FIELD)) is None:
        form.values[once.FIELD] = once.new_key()
    nonce = secrets.token_urlsafe(16)
    key = page.wiring.portal.key or b""
    csrf_nonce = csrf.nonce_for(request)
    context = page_context(data, t, token, photos=page.wiring.photos, nonce=nonce) | {
        "csrf": csrf.form_value(key, csrf_nonce, token),
        "languages": _languages(token, t),
        "status_paths": _status_paths(page, data, t),
        **extra,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    images = [data.brand.logo_origin] if data.brand.logo_origin else []
    policy = content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images)
    secure(response, policy)
    csrf.set_cookie(response, request, csrf_nonce)
    return response


def _status_paths(page: Page, data: PortalData, t: Translator) -> dict[str, str]:
    """Each return's status page, on this server (the confirmation and the list link to
    it), in the language the customer reads the portal in."""
    links, now = page.wiring.status, page.wiring.clock.now()
    tenant, merchant = page.context.tenant_id, page.order.merchant
    return {
        r.id: f"{STATUS_PATH}/{links.token(tenant, merchant, r.id, now=now)}?lang={t.lang}"
        for r in data.requests
    }


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
    if isinstance(error, TooManyRequests):
        text = t("link_throttled", seconds=error.retry_after)
    else:
        text = message or t(messages.get(error.code, "link_invalid"))
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

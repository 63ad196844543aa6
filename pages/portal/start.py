"""The portal's self-service start and fresh links, for people.

`GET /portal/start?shop=…` asks for the order number and the e-mail or phone on the order;
`POST` answers with the order's portal page, or with the one refusal every wrong guess gets
(core/self_service.py). A portal link that expired offers to e-mail a fresh one
(`POST /portal/fresh-link`); a form posted on a link that expired meanwhile lands on the
start page with what was typed carried along, and, once the customer confirms their e-mail
or phone, on the order's form filled in again. Forms carry a CSRF field bound to the shop or
the link, with a cookie of their own (pages/portal/csrf.py says how the pair works)."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from core import self_service
from core.portal_tokens import PortalGrant
from core.self_service import FRESH_LINK_PATH, START_PATH, Shop
from core.wiring import Wiring
from domain.errors import DomainError, ErrorCode, TooManyRequests
from domain.portal import default_portal_settings
from pages.portal import csrf
from pages.portal.i18n import LANGUAGES, NAMES, Translator, choose_language
from pages.portal.pages import ExpiredLink, refill
from pages.portal.start_words import WORDS
from pages.portal.view import brand
from pages.security import content_security_policy, secure
from persistence.portal_settings import portal_settings

COOKIE = "portal_start_csrf"
COOKIE_PATH = "/portal"
NOT_CARRIED = {"csrf", "token", "order", "contact", "shop"}
MAX_CARRIED = 200


def add_start_routes(app: web.Application, wiring: Wiring) -> None:
    app.router.add_get(START_PATH, _start_page(wiring))
    app.router.add_post(START_PATH, _start_submit(wiring))
    app.router.add_post(FRESH_LINK_PATH, _fresh_link(wiring))


def _start_page(wiring: Wiring):  # type: ignore[no-untyped-def]
    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        token = request.query.get("shop", "")
        try:
            shop = self_service.shop_of(wiring, token)
        except DomainError as error:
            return _refused(request, t, error)
        return await _render_start(request, wiring, t, shop, token)

    return serve


def _start_submit(wiring: Wiring):  # type: ignore[no-untyped-def]
    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        w = WORDS[t.lang]
        token = request.query.get("shop", "")
        try:
            shop = self_service.shop_of(wiring, token)
        except DomainError as error:
            return _refused(request, t, error)
        form = await request.post()
        if not _genuine(request, wiring, token, str(form.get("csrf", ""))):
            return _refused(request, t, DomainError(w["title"], code=ErrorCode.FORBIDDEN))
        order, contact = str(form.get("order", "")), str(form.get("contact", ""))
        carried = _carried(form)
        if not order.strip() or not contact.strip():
            return await _render_start(
                request, wiring, t, shop, token, problem=w["required"], form=form, status=400
            )
        try:
            url = await self_service.open_order(
                wiring, request, shop, order, contact, language=t.lang
            )
        except TooManyRequests as error:
            problem = w["throttled"].format(seconds=error.retry_after)
            response = await _render_start(
                request, wiring, t, shop, token, problem=problem, form=form, status=429
            )
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        if url is None:
            return await _render_start(
                request, wiring, t, shop, token, problem=w["not_found"], form=form
            )
        if carried:  # the form a link expired under: shown again, filled in
            return await refill(request, wiring, url, dict(carried), t)
        # Relative: the customer is on this server already, whatever its public address.
        path = urlsplit(url)
        raise web.HTTPSeeOther(f"{path.path}?{path.query}&{urlencode({'lang': t.lang})}")

    return serve


def _fresh_link(wiring: Wiring):  # type: ignore[no-untyped-def]
    async def serve(request: web.Request) -> web.StreamResponse:
        t = Translator(choose_language(request))
        w = WORDS[t.lang]
        form = await request.post()
        token = str(form.get("token", ""))
        grant = self_service.expired_grant(wiring, token)
        if grant is None or not _genuine(request, wiring, token, str(form.get("csrf", ""))):
            return _refused(request, t, DomainError(w["expired_title"], code=ErrorCode.FORBIDDEN))
        try:
            await self_service.send_fresh_link(wiring, request, grant, language=t.lang)
        except TooManyRequests as error:
            problem = w["throttled"].format(seconds=error.retry_after)
            response = await fresh_link_offer(request, wiring, grant, token, t, problem=problem)
            response.set_status(429)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        return await _render(
            request,
            wiring,
            t,
            "portal_fresh_link.html",
            Shop(grant.tenant_id, grant.merchant),
            languages=[],
            title=w["sent_title"],
            sent=True,
        )

    return serve


def expired_link_pages(wiring: Wiring) -> ExpiredLink:
    """What a portal link that expired answers: a form posted on it lands on the start page
    with what was typed; a visit gets the offer of a fresh link. Anything we did not sign
    gets the plain refusal (None)."""

    async def answer(request: web.Request, token: str, t: Translator) -> web.StreamResponse | None:
        grant = self_service.expired_grant(wiring, token)
        if grant is None:
            return None
        if request.method == "POST":
            return await kept_form(request, wiring, grant, t)
        return await fresh_link_offer(request, wiring, grant, token, t)

    return answer


async def fresh_link_offer(
    request: web.Request,
    wiring: Wiring,
    grant: PortalGrant,
    token: str,
    t: Translator,
    *,
    problem: str | None = None,
) -> web.StreamResponse:
    """The page an expired link shows: the shop's brand and a button that e-mails a new
    link to the order's own address."""
    w = WORDS[t.lang]
    return await _render(
        request,
        wiring,
        t,
        "portal_fresh_link.html",
        Shop(grant.tenant_id, grant.merchant),
        languages=[],
        title=w["expired_title"],
        token=token,
        sent=False,
        problem=problem,
        action=f"{FRESH_LINK_PATH}?{urlencode({'lang': t.lang})}",
        csrf_binding=token,
        status=401,
    )


async def kept_form(
    request: web.Request, wiring: Wiring, grant: PortalGrant, t: Translator
) -> web.StreamResponse:
    """A form posted on a link that expired meanwhile: the start page, for this order, with
    everything typed carried along."""
    form = await request.post()
    token = self_service.start_token(wiring, grant.tenant_id, grant.merchant)
    shop = Shop(grant.tenant_id, grant.merchant)
    return await _render_start(
        request,
        wiring,
        t,
        shop,
        token,
        form=form,
        order_value=grant.order_reference,
        kept=True,
        status=401,
    )


async def _render_start(
    request: web.Request,
    wiring: Wiring,
    t: Translator,
    shop: Shop,
    token: str,
    *,
    problem: str | None = None,
    form: MultiDictProxy | None = None,
    order_value: str | None = None,
    kept: bool = False,
    status: int = 200,
) -> web.StreamResponse:
    values = form or MultiDictProxy(MultiDict())
    query = {"shop": token, "lang": t.lang}
    languages = [
        {
            "code": code,
            "label": NAMES[code],
            "url": f"{START_PATH}?{urlencode({'shop': token, 'lang': code})}",
            "current": code == t.lang,
        }
        for code in LANGUAGES
    ]
    return await _render(
        request,
        wiring,
        t,
        "portal_start.html",
        shop,
        languages=[] if kept else languages,  # switching would drop what was carried
        action=f"{START_PATH}?{urlencode(query)}",
        problem=problem,
        order_value=order_value if order_value is not None else str(values.get("order", "")),
        contact_value=str(values.get("contact", "")),
        carried=_carried(values),
        kept=kept or bool(_carried(values)),
        csrf_binding=token,
        status=status,
    )


async def _render(
    request: web.Request,
    wiring: Wiring,
    t: Translator,
    template: str,
    shop: Shop,
    *,
    csrf_binding: str = "",
    status: int = 200,
    **extra: object,
) -> web.StreamResponse:
    async with wiring.db.read_session() as session:
        settings = await portal_settings(session, shop.tenant_id, shop.merchant)
    settings = settings or default_portal_settings(shop.merchant)
    nonce = secrets.token_urlsafe(16)
    cookie_nonce = _nonce(request)
    context = {
        "t": t,
        "w": WORDS[t.lang],
        "nonce": nonce,
        "brand": brand(settings),
        "csrf": csrf.form_value(wiring.portal.key or b"", cookie_nonce, csrf_binding),
        **extra,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    images = [settings.logo_origin] if settings.logo_origin else []
    secure(response, content_security_policy(style_src=[f"'nonce-{nonce}'"], img_src=images))
    response.set_cookie(
        COOKIE,
        cookie_nonce,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=24 * 3600,
    )
    return response


def _nonce(request: web.Request) -> str:
    existing = request.cookies.get(COOKIE, "")
    return existing if csrf.NONCE.fullmatch(existing) else secrets.token_urlsafe(24)


def _genuine(request: web.Request, wiring: Wiring, binding: str, submitted: str) -> bool:
    """The double-submit check of pages/portal/csrf.py, with this page's own cookie."""
    origin = request.headers.get("Origin", "null")
    if origin not in ("null", f"{request.scheme}://{request.host}"):
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    nonce = request.cookies.get(COOKIE, "")
    if not csrf.NONCE.fullmatch(nonce) or not submitted:
        return False
    expected = csrf.form_value(wiring.portal.key or b"", nonce, binding)
    return secrets.compare_digest(expected, submitted)


def _carried(form: MultiDictProxy) -> list[tuple[str, str]]:
    """The fields of a portal form to carry through the start page (never files)."""
    return [
        (name, value)
        for name, value in list(form.items())[:MAX_CARRIED]
        if name not in NOT_CARRIED and isinstance(value, str)
    ]


def _refused(request: web.Request, t: Translator, error: DomainError) -> web.StreamResponse:
    status = {ErrorCode.FORBIDDEN: 403, ErrorCode.UNAVAILABLE: 503}.get(error.code, 400)
    message = t("link_invalid") if error.code == ErrorCode.FORBIDDEN else t("link_unavailable")
    response = aiohttp_jinja2.render_template(
        "portal_problem.html", request, {"t": t, "message": message}, status=status
    )
    secure(response, content_security_policy())
    return response

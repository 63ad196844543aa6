"""CSRF protection of the portal form: a double-submit token bound to the link.

The browser holds a random nonce in a SameSite=Strict, HttpOnly cookie; the form carries
HMAC(portal key, nonce + token). Another site can neither read the cookie nor compute the
field, and a browser does not send a Strict cookie with another site's POST. Headers a
browser adds are checked too: `Sec-Fetch-Site`, when sent, must say same-origin, and an
Origin, when sent, must be this server's own ("null" is what browsers send under our
no-referrer policy, so it proves nothing either way and the token decides)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from aiohttp import web

from core.portal_links import PORTAL_PATH

COOKIE = "portal_csrf"
FIELD = "csrf"
MAX_FIELD_CHARS = 128  # the field is a hex HMAC-SHA256: 64 characters
NONCE = re.compile(r"[A-Za-z0-9_-]{32}")


def form_value(key: bytes, nonce: str, token: str) -> str:
    return hmac.new(key, f"csrf|{nonce}|{token}".encode(), hashlib.sha256).hexdigest()


def nonce_for(request: web.Request) -> str:
    """The browser's nonce, kept across tabs, or a new one."""
    existing = request.cookies.get(COOKIE, "")
    return existing if NONCE.fullmatch(existing) else secrets.token_urlsafe(24)


def set_cookie(response: web.StreamResponse, request: web.Request, nonce: str) -> None:
    response.set_cookie(
        COOKIE,
        nonce,
        path=PORTAL_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=24 * 3600,
    )


def is_genuine(request: web.Request, key: bytes, token: str, submitted: str) -> bool:
    origin = request.headers.get("Origin", "null")
    if origin != "null" and origin != _own_origin(request):
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    nonce = request.cookies.get(COOKIE, "")
    if not NONCE.fullmatch(nonce) or not submitted:
        return False
    return hmac.compare_digest(form_value(key, nonce, token), submitted)


def _own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"

"""Security headers of the HTML pages: a Content-Security-Policy that lets a page load only
this server's own files, no framing, no MIME sniffing, and no Referer (portal links carry
their token in the URL, so it must never travel to another site)."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'",),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "base-uri": ("'none'",),
    "frame-ancestors": ("'none'",),
}


def content_security_policy(**extra: Iterable[str]) -> str:
    """The base policy plus sources per directive (`style_src=["'nonce-…'"]`)."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for directive, sources in extra.items():
        policy.setdefault(directive.replace("_", "-"), []).extend(sources)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def secure(response: web.StreamResponse, policy: str, *, cache: bool = False) -> None:
    response.headers["Content-Security-Policy"] = policy
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if not cache:
        response.headers["Cache-Control"] = "no-store"

"""Security headers of the HTML pages: a Content-Security-Policy that lets a page load only
this server's own files, no framing, no MIME sniffing, and no Referer (portal links carry
their token in the URL, so it must never travel to another site)."""

from __future__ import annotations

import re
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


# What a source may look like: a keyword, a nonce, `data:`, `blob:`, or a bare origin
# `scheme://host[:port]`.
_SOURCE = re.compile(
    r"'(?:self|none|unsafe-inline)'|data:|blob:"
    r"|'nonce-[A-Za-z0-9+/_=-]+'"
    r"|(?:https|wss?)://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)


def content_security_policy(**extra: Iterable[str]) -> str:
    """The base policy plus sources per directive (`style_src=["'nonce-…'"]`). A source that
    is not a keyword, a nonce or a bare origin is left out: a `;` or a space in it (a stored
    logo address, a Host header) would otherwise add a directive of its own."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for directive, sources in extra.items():
        clean = [source for source in sources if _SOURCE.fullmatch(source)]
        policy.setdefault(directive.replace("_", "-"), []).extend(clean)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def secure(response: web.StreamResponse, policy: str, *, cache: bool = False) -> None:
    response.headers["Content-Security-Policy"] = policy
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if not cache:
        response.headers["Cache-Control"] = "no-store"

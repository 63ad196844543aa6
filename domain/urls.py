"""Web addresses a merchant gives us that end up in our pages and their security headers.

A URL is accepted only when it is well formed by RFC 3986's own characters: `https`, a host
name (letters, digits, hyphens, dots), an optional port, no user part. Its origin,
`https://host[:port]`, is then the only part that may be written into a Content-Security-
Policy; anything else (a `;`, a space, a quote) would start a directive of its own."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

URL_LIMIT = 2000
# Unreserved, reserved and percent: every character RFC 3986 allows in a URI, nothing else.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_MAX_PORT = 65535


def https_origin(url: object) -> str | None:
    """`https://host[:port]` of a well-formed https URL, or None for anything else (a
    path, another scheme, a user part, a host that is not a host name)."""
    if not isinstance(url, str) or len(url) > URL_LIMIT or not _URL_CHARACTERS.fullmatch(url):
        return None
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    netloc = host if port is None else f"{host}:{port}"
    if parts.scheme != "https" or parts.netloc.lower() != netloc or not _HOST.fullmatch(host):
        return None
    if port is not None and not 0 < port <= _MAX_PORT:
        return None
    return f"https://{netloc}"


def is_local_path(url: object) -> bool:
    """A path on this server (`/static/logo.png`): no scheme, no host, not `//host`."""
    return (
        isinstance(url, str)
        and len(url) <= URL_LIMIT
        and url.startswith("/")
        and not url.startswith("//")
        and bool(_URL_CHARACTERS.fullmatch(url))
    )

"""Checks on decoded input (JSON bodies, header values) that every face (GraphQL, REST shims,
the token endpoint) applies before any resolver or handler sees it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def encodes_as_utf8(parsed: Any) -> bool:
    """False when a string holds a lone UTF-16 surrogate (JSON allows `"\\ud800"`): no
    database driver can encode it, so it must be refused as input, not fail as a write."""
    try:
        json.dumps(parsed, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def undecodable_header(headers: Mapping[str, str]) -> str | None:
    """The name of the first header whose value is not UTF-8, if any. aiohttp decodes header
    bytes with `surrogateescape`, so such bytes arrive as lone surrogates, which no driver,
    hash or log line can encode: every face refuses them before reading any header."""
    for name, value in headers.items():
        if not value.isascii():  # what nearly every header is: nothing to encode
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return name
    return None


def unstorable_text(parsed: Any) -> str | None:
    """Why decoded JSON cannot be taken, if it cannot: a NUL character (no field accepts one
    and PostgreSQL cannot store it; a GraphQL string escape `\\u0000` counts too) or a lone
    surrogate. For input that arrives already decoded, as websocket messages do; HTTP bodies
    are checked as they are read."""
    if not encodes_as_utf8(parsed):
        return "strings must be valid Unicode (no lone surrogates)"
    if "\\u0000" in json.dumps(parsed).lower():
        return "NUL characters are not accepted"
    return None

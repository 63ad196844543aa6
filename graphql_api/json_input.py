"""Checks on decoded JSON input that every face (GraphQL, REST shims) applies before any
resolver or handler sees it."""

from __future__ import annotations

import json
from typing import Any


def encodes_as_utf8(parsed: Any) -> bool:
    """False when a string holds a lone UTF-16 surrogate (JSON allows `"\\ud800"`): no
    database driver can encode it, so it must be refused as input, not fail as a write."""
    try:
        json.dumps(parsed, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

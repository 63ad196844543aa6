"""Opaque global ids (`node(id)`), and the readable return request id every face accepts in
their place."""

from __future__ import annotations

import base64
import binascii


def to_global_id(type_name: str, local_id: str) -> str:
    raw = f"{type_name}:{local_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str] | None:
    """(type name, local id), or None when the id is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, local_id = base64.urlsafe_b64decode(padded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if "\x00" in local_id:  # none of ours holds one, and PostgreSQL's text cannot
        return None
    return (type_name, local_id) if type_name and local_id else None


def return_request_key(value: str) -> str:
    """Mutations accept the readable id (`RR-7K3P9Q2M`) or the global node id."""
    decoded = from_global_id(value) if not value.startswith("RR-") else None
    if decoded and decoded[0] == "ReturnRequest":
        return decoded[1]
    return value

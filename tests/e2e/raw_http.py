"""HTTP requests written byte by byte, for what no well-behaved client library will send:
header values that are not UTF-8, bodies with stray bytes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def encode_request(
    method: str, target: str, headers: dict[str, bytes | str], body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request; header values go out exactly as given when they are bytes."""
    lines = [f"{method} {target} HTTP/1.1".encode(), b"Host: test", b"Connection: close"]
    lines.append(f"Content-Length: {len(body)}".encode())
    for name, value in headers.items():
        raw = value if isinstance(value, bytes) else value.encode()
        lines.append(name.encode() + b": " + raw)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def send(host: str, port: int, request: bytes) -> RawResponse:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(10):
            answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return RawResponse(status, _unchunked(head, body))


def _unchunked(head: bytes, body: bytes) -> bytes:
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


async def send_raw(
    http: TestClient,
    method: str,
    target: str,
    headers: dict[str, bytes | str],
    body: bytes = b"",
) -> RawResponse:
    """`headers` as given, through the test client's real server."""
    request = encode_request(method, target, headers, body)
    return await send(str(http.server.host), int(http.server.port or 0), request)


def default_headers(http: TestClient) -> dict[str, bytes | str]:
    """The credentials the test client sends on every request."""
    return dict(http.session.headers)

"""Portal uploads are judged before they are read: a form whose first field is not its CSRF
field is refused without reading its photos, a body past the request's limit is cut off
(413), photos count only on the order's returnable lines, and only an accepted form's
photos are stored: a refused form leaves no file behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from tests.browser.test_browser_portal import tiny_png
from tests.e2e.pages.portal_support import (
    HTML,
    fields,
    form,
    multipart,
    page,
    part_bytes,
    portal_app,
    returns_of_the_order,
    stored_photos,
)

MIB = 1024 * 1024
BOUNDARY = "portal-upload-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _photo(size: int) -> bytes:
    """A PNG's signature padded to `size` bytes: what counts is how much is sent."""
    png = tiny_png()
    return png + b"\x00" * (size - len(png))


async def _answer_to_a_partly_sent_body(
    client: TestClient, path: str, start: bytes, declared: int
) -> tuple[bytes, int]:
    """Send the headers and the first bytes of a body declared `declared` bytes long,
    then wait for an answer without sending more: the status line, and what was sent."""
    cookies = client.session.cookie_jar.filter_cookies(client.make_url(path))
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {client.host}:{client.port}\r\n"
        f"Content-Type: {MULTIPART}\r\nContent-Length: {declared}\r\n"
        f"Accept: text/html\r\nCookie: {cookie}\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head.encode() + start)
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout=5)
    finally:
        writer.close()
    return status, len(start)


async def test_a_form_whose_first_field_is_not_its_csrf_field_is_refused_before_its_photos(
    db, clock, tmp_path: Path
) -> None:
    """200 photos of 5 MiB announced, no CSRF field: the answer comes after 64 KiB."""
    async with portal_app(db, clock, tmp_path) as (client, path):
        photo = _photo(5 * MIB)
        first = part_bytes(("photos-0", photo, "p.png"), BOUNDARY)
        declared = 200 * len(first)

        start = first[: 64 * 1024]
        status, sent = await _answer_to_a_partly_sent_body(client, path, start, declared)

        assert status.startswith(b"HTTP/1.1 403 ")
        assert sent * 1000 < declared
        assert stored_photos(tmp_path) == []


async def test_a_genuine_form_announcing_more_than_its_limit_is_refused_before_its_photos(
    db, clock, tmp_path: Path
) -> None:
    """One returnable line takes 5 photos of 5 MiB at most: 1 GB is refused at once."""
    async with portal_app(db, clock, tmp_path) as (client, path):
        _, csrf, submission = await page(client, path)
        parts = [*fields(form(csrf, submission)), ("photos-0", _photo(64 * 1024), "p.png")]
        start = b"".join(part_bytes(part, BOUNDARY) for part in parts)

        status, _ = await _answer_to_a_partly_sent_body(client, path, start, 1024 * MIB)

        assert status.startswith(b"HTTP/1.1 413 ")
        assert await returns_of_the_order(client, path) == []


async def test_an_upload_streamed_past_its_limit_is_cut_off_as_it_arrives(
    db, clock, tmp_path: Path
) -> None:
    """Sent without a length, photo after photo: the answer is 413 long before the end."""
    async with portal_app(db, clock, tmp_path, photo_max_bytes=64 * 1024) as (client, path):
        _, csrf, submission = await page(client, path)
        sent = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal sent
            for part in fields(form(csrf, submission)):
                yield part_bytes(part, BOUNDARY)
            for _ in range(1000):  # 60 MiB in all
                chunk = part_bytes(("photos-0", _photo(60 * 1024), "p.png"), BOUNDARY)
                sent += len(chunk)
                yield chunk

        response = await client.post(path, data=body(), headers={"Content-Type": MULTIPART})
        status = response.status
        sent_when_answered = sent
        response.close()

        assert status == 413
        assert sent_when_answered < 16 * MIB
        assert await returns_of_the_order(client, path) == []
        assert stored_photos(tmp_path) == []


async def test_a_refused_form_leaves_no_photo_files(db, clock, tmp_path: Path) -> None:
    """Nothing to return, photos on the order's line and on made-up ones: 400, no file."""
    async with portal_app(db, clock, tmp_path) as (client, path):
        _, csrf, submission = await page(client, path)
        photos = [(f"photos-{i}", tiny_png(), "p.png") for i in (0, 0, 7, 9999)]
        body, content_type = multipart(fields(form(csrf, submission, **{"qty-0": "0"})) + photos)

        answer = await client.post(path, data=body, headers={"Content-Type": content_type, **HTML})

        assert answer.status == 400
        assert "Photos to choose again: 2" in await answer.text()
        assert stored_photos(tmp_path) == []


async def test_hundreds_of_photos_on_made_up_lines_are_refused_and_leave_nothing(
    db, clock, tmp_path: Path
) -> None:
    """More parts than any form of this order can have is more than its limit."""
    async with portal_app(db, clock, tmp_path) as (client, path):
        _, csrf, submission = await page(client, path)
        photos = [(f"photos-{100 + i}", tiny_png(), "p.png") for i in range(300)]
        body, content_type = multipart(fields(form(csrf, submission, **{"qty-0": "0"})) + photos)

        answer = await client.post(path, data=body, headers={"Content-Type": content_type, **HTML})

        assert answer.status == 413
        assert stored_photos(tmp_path) == []


async def test_photos_on_lines_the_order_does_not_have_refuse_the_form(
    db, clock, tmp_path: Path
) -> None:
    async with portal_app(db, clock, tmp_path) as (client, path):
        _, csrf, submission = await page(client, path)
        body, content_type = multipart(
            [*fields(form(csrf, submission)), ("photos-7", tiny_png(), "p.png")]
        )

        answer = await client.post(path, data=body, headers={"Content-Type": content_type, **HTML})

        assert answer.status == 400
        assert "The order has changed; please check the items again." in await answer.text()
        assert await returns_of_the_order(client, path) == []
        assert stored_photos(tmp_path) == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary declared"),
        (MULTIPART, b"no boundary in the body"),
        (MULTIPART, f"--{BOUNDARY}\r\nnot a header\r\n\r\nabc\r\n--{BOUNDARY}--\r\n"),
    ],
)
async def test_a_broken_multipart_body_is_refused_as_bad_input(
    db, clock, tmp_path: Path, content_type: str, body: bytes | str
) -> None:
    async with portal_app(db, clock, tmp_path) as (client, path):
        answer = await client.post(path, data=body, headers={"Content-Type": content_type, **HTML})

        assert answer.status == 400
        assert "text/html" in answer.headers["Content-Type"]

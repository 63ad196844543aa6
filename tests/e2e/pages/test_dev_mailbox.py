"""The development mailbox: without an SMTP server under `make run`, e-mails are delivered
to /dev/mailbox and shown there (HTML in a sandboxed frame, and the plain text); it is never
served in production or when a real server is configured."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from core.settings import Settings
from tests.e2e.pages.portal_support import HTML, form, page, portal_app


async def _until(check, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not in time")


async def test_a_submitted_return_appears_in_the_development_mailbox(db, clock, tmp_path: Path):
    async with portal_app(db, clock, tmp_path, dev_mailbox=True) as (client, path):
        empty = await (await client.get("/dev/mailbox")).text()
        _, csrf, submission = await page(client, path + "&lang=ar")
        await client.post(path + "&lang=ar", data=form(csrf, submission), headers=HTML)

        async def arrived() -> bool:
            return "RR-" in await (await client.get("/dev/mailbox")).text()

        await _until(arrived)
        mailbox = await client.get("/dev/mailbox")
        html = await mailbox.text()
        frame = re.search(r'<iframe [^>]*src="(/dev/mailbox/[^"]+\.html)"', html).group(1)
        preview = await client.get(frame)
        shown = await preview.text()

    assert "No e-mail yet" in empty
    assert mailbox.status == 200
    assert "frame-src 'self'" in mailbox.headers["Content-Security-Policy"]
    assert "استلمنا طلب الإرجاع" in html  # the customer used the portal in Arabic
    assert "ann@example.com" in html
    assert preview.status == 200
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    assert '<html lang="ar" dir="rtl">' in shown


async def test_the_mailbox_is_not_served_in_production(db, clock, tmp_path: Path) -> None:
    async with portal_app(db, clock, tmp_path) as (client, _):
        assert (await client.get("/dev/mailbox")).status == 404


async def test_the_mailbox_is_not_served_beside_a_real_smtp_server(db, clock, tmp_path: Path):
    chosen = {"dev_mailbox": True, "smtp_url": "smtp://127.0.0.1:1"}
    async with portal_app(db, clock, tmp_path, **chosen) as (client, _):
        assert (await client.get("/dev/mailbox")).status == 404


def test_the_mailbox_is_on_by_default_only_in_development_without_smtp() -> None:
    assert Settings(dev_credentials=True).dev_mailbox_enabled()
    assert not Settings().dev_mailbox_enabled()
    assert not Settings(dev_credentials=True, smtp_url="smtp://h:25").dev_mailbox_enabled()
    assert not Settings(dev_credentials=True, dev_mailbox=False).dev_mailbox_enabled()

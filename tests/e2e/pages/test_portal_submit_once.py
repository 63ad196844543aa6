"""A portal form makes one return however often it is sent: its one-time submission key is
claimed before the return is made, so copies sent at once and replays land on the first
copy's confirmation; the JSON face honours `Idempotency-Key` as the API does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.browser.test_browser_portal import tiny_png
from tests.e2e.pages.portal_support import (
    fields,
    form,
    multipart,
    page,
    portal_app,
    returns_of_the_order,
    stored_photos,
)

ONE_UNIT = {"items": [{"sku": "SKU-1", "quantity": "1"}]}


async def test_copies_of_one_form_make_one_return_and_all_land_on_its_confirmation(
    db, clock, tmp_path: Path
) -> None:
    async with portal_app(db, clock, tmp_path) as (client, path):
        _, csrf, submission = await page(client, path)
        refused = await client.post(path, data=form(csrf, submission, city=""))
        assert refused.status == 400
        assert f'name="submission" value="{submission}"' in await refused.text()
        body, content_type = multipart(
            [*fields(form(csrf, submission)), ("photos-0", tiny_png(), "p.png")]
        )

        async def send():
            return await client.post(
                path, data=body, headers={"Content-Type": content_type}, allow_redirects=False
            )

        first, second = await asyncio.gather(send(), send())
        replay = await send()

        answers = [first, second, replay]
        assert [answer.status for answer in answers] == [303, 303, 303]
        (location,) = {answer.headers["Location"] for answer in answers}
        (made,) = await returns_of_the_order(client, path)
        assert location.endswith(f"created={made['returnRequestId']}")
        assert len(stored_photos(tmp_path)) == 1


async def test_five_json_posts_with_one_idempotency_key_make_one_return(
    db, clock, tmp_path: Path
) -> None:
    async with portal_app(db, clock, tmp_path) as (client, path):
        key = {"Idempotency-Key": "portal-retry-1"}

        async def send():
            return await client.post(path, json=ONE_UNIT, headers=key)

        answers = await asyncio.gather(*(send() for _ in range(5)))
        retry = await send()

        assert {answer.status for answer in answers} <= {201, 409}
        (made,) = await returns_of_the_order(client, path)
        assert retry.status == 201
        assert retry.headers["Idempotency-Replayed"] == "true"
        assert (await retry.json())["returnRequestId"] == made["returnRequestId"]

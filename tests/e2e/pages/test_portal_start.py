"""The self-service start page over HTTP: the right order number and e-mail or phone land
on the order's portal page; an unknown order and a wrong address get the same answer;
guessing is throttled per address and per order; forms need their CSRF pair; an expired
link offers a fresh one by e-mail, and a form posted on it keeps what was typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from core import self_service
from delivery.mail.sender import MailSender
from delivery.mail.transports import MailboxTransport
from domain.customer_messages import MessageEvent, MessageStatus
from persistence.customer_messages import MAILBOX_TRANSPORT, MessageStore
from tests.e2e.pages.portal_support import HTML, form, page, portal_app


@pytest.fixture
async def portal(db, clock, tmp_path: Path):
    async with portal_app(db, clock, tmp_path) as (client, path):
        yield client, path, self_service.start_token(_wiring(client), "default", "acme")


def _wiring(client: TestClient):
    from ops.bootstrap import WIRING_KEY

    return client.app[WIRING_KEY]


async def _start(client: TestClient, shop: str, lang: str = "en") -> tuple[str, str]:
    response = await client.get(f"/portal/start?shop={shop}&lang={lang}", headers=HTML)
    assert response.status == 200
    html = await response.text()
    return html, re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def _try(client: TestClient, shop: str, order: str, contact: str, lang: str = "en"):
    _, csrf = await _start(client, shop, lang)
    return await client.post(
        f"/portal/start?shop={shop}&lang={lang}",
        data={"csrf": csrf, "order": order, "contact": contact},
        allow_redirects=False,
    )


async def test_the_right_order_and_email_land_on_the_orders_portal_page(portal) -> None:
    client, _, shop = portal
    response = await _try(client, shop, " SO-1 ", "ANN@example.com", lang="ar")

    assert response.status == 303
    target = response.headers["Location"]
    assert target.startswith("/portal/returns?token=") and target.endswith("&lang=ar")
    order_page = await client.get(target, headers=HTML)
    assert order_page.status == 200
    assert 'lang="ar" dir="rtl"' in await order_page.text()


async def test_the_phone_on_the_order_works_too(portal) -> None:
    client, _, shop = portal
    assert (await _try(client, shop, "SO-1", "00971 50 000 0000")).status == 303


def _local(url: str) -> str:
    """The path and query of one of our absolute links."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _without_typed(html: str, *typed: str) -> str:
    """The page without what was typed and without its random style nonce."""
    html = re.sub(r'nonce="[^"]+"', "", html)
    for value in typed:
        html = html.replace(value, "")
    return html


async def test_an_unknown_order_and_a_wrong_email_get_the_same_answer(portal) -> None:
    client, _, shop = portal
    unknown = await _try(client, shop, "SO-404", "ann@example.com")
    wrong = await _try(client, shop, "SO-1", "bob@example.com")

    assert unknown.status == wrong.status == 200
    assert _without_typed(await unknown.text(), "SO-404", "ann@example.com") == _without_typed(
        await wrong.text(), "SO-1", "bob@example.com"
    )
    assert "We could not find an order with these details" in await wrong.text()


async def test_guessing_one_order_is_throttled_even_for_the_right_email(portal, db) -> None:
    client, _, shop = portal
    for n in range(10):
        assert (await _try(client, shop, "SO-1", f"guess{n}@example.com")).status == 200

    refused = await _try(client, shop, "SO-1", "ann@example.com")

    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in await refused.text()


async def test_guessing_many_orders_from_one_address_is_throttled(portal, db, clock) -> None:
    client, _, shop = portal
    for n in range(60):
        await _try(client, shop, f"SO-{n + 100}", "ann@example.com")

    assert (await _try(client, shop, "SO-1", "ann@example.com")).status == 429
    clock.advance(seconds=61)
    assert (await _try(client, shop, "SO-1", "ann@example.com")).status == 303


async def test_a_form_without_its_csrf_pair_is_refused(portal) -> None:
    client, _, shop = portal
    await _start(client, shop)
    response = await client.post(
        f"/portal/start?shop={shop}",
        data={"csrf": "0" * 64, "order": "SO-1", "contact": "ann@example.com"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_a_start_link_we_did_not_sign_is_refused(portal) -> None:
    client, _, shop = portal
    response = await client.get(f"/portal/start?shop={shop[:-2]}xx", headers=HTML)
    assert response.status == 403


async def test_an_expired_link_sends_a_fresh_one_to_the_orders_email(portal, db, clock) -> None:
    client, path, _ = portal
    clock.advance(days=4)

    offer = await client.get(path, headers=HTML)
    html = await offer.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    sent = await client.post("/portal/fresh-link?lang=en", data={"csrf": csrf, "token": token})

    assert offer.status == 401 and "E-mail me a new link" in html
    assert sent.status == 200 and "Check your e-mail" in await sent.text()
    wiring = _wiring(client)
    sender = MailSender(
        db, clock, wiring.status, wiring.portal, MailboxTransport(), default_from="r@x.example"
    )
    assert await sender.send_due() == 1
    [mail] = await MessageStore(db).sent_by(MAILBOX_TRANSPORT)
    assert (mail.event, mail.status, mail.recipient) == (
        MessageEvent.PORTAL_LINK,
        MessageStatus.SENT,
        "ann@example.com",
    )
    fresh = re.search(r'href="(http://[^"]+/portal/returns\?token=[^"]+)"', mail.html_body or "")
    assert fresh is not None
    reopened = await client.get(_local(fresh.group(1).replace("&amp;", "&")), headers=HTML)
    assert reopened.status == 200


async def test_a_fresh_link_needs_the_links_csrf_pair(portal, clock) -> None:
    client, path, _ = portal
    clock.advance(days=4)
    token = path.split("token=", 1)[1]
    response = await client.post("/portal/fresh-link", data={"csrf": "0" * 64, "token": token})
    assert response.status == 403


async def test_a_form_posted_on_a_link_that_expired_meanwhile_keeps_what_was_typed(
    portal, clock
) -> None:
    client, path, _ = portal
    _, csrf, submission = await page(client, path)
    clock.advance(days=4)

    kept = await client.post(
        path, data=form(csrf, submission, customer_comment="Too small, sadly"), headers=HTML
    )
    html = await kept.text()
    start_csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    action = re.search(r'action="([^"]+)"', html).group(1).replace("&amp;", "&")
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    carried.pop("csrf")
    refilled = await client.post(
        action, data={"csrf": start_csrf, "contact": "ann@example.com", "order": "SO-1"} | carried
    )
    again = await refilled.text()

    assert kept.status == 401 and "What you typed is kept" in html
    assert 'value="SO-1"' in html
    assert carried["customer_comment"] == "Too small, sadly"
    assert refilled.status == 200
    assert "Too small, sadly" in again
    assert re.search(r'<option value="1" selected>', again)

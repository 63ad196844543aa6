"""The HTML portal over HTTP: hostile text is escaped, the form needs its CSRF pair, the
token never leaves in a Referer, refused links get the JSON portal's checks as pages, photos
are sniffed and shown only to the tenant's credentials, and API clients keep the JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from domain.portal import PortalSettings
from persistence.portal_settings import save_portal_settings
from persistence.unit_of_work import SqlUnitOfWork
from tests.browser.test_browser_portal import tiny_png
from tests.e2e.conftest import credentials
from tests.e2e.pages.portal_support import HOSTILE, HTML, form, page, portal_app


@pytest.fixture
async def portal(db, clock, tmp_path: Path):
    async with portal_app(db, clock, tmp_path) as (client, path):
        yield client, path


async def _page(client: TestClient, path: str) -> tuple[str, str]:
    html, csrf, _ = await page(client, path)
    return html, csrf


def _with_photo(fields: dict[str, str], data: bytes) -> FormData:
    """A multipart form whose photo claims to be a PNG, whatever its bytes are."""
    form = FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("photos-0", data, filename="photo.png", content_type="image/png")
    return form


async def test_every_value_is_escaped(portal) -> None:
    client, path = portal
    html, _ = await _page(client, path)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


async def test_pages_send_no_referrer_and_a_strict_policy(portal) -> None:
    client, path = portal
    response = await client.get(path, headers=HTML)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-store"


async def _brand(db, clock, logo_url: str) -> None:
    settings = PortalSettings("acme", display_name="Acme", logo_url=logo_url)
    await save_portal_settings(db, "default", settings, now=clock.now())


async def test_the_policy_names_only_the_logos_origin(portal, db, clock) -> None:
    client, path = portal
    await _brand(db, clock, "https://cdn.acme.example:8443/brand/logo;v=2.png")

    response = await client.get(path, headers=HTML)

    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' https://cdn.acme.example:8443;" in policy
    assert "logo" not in policy


async def test_a_stored_logo_address_cannot_inject_a_directive(portal, db, clock) -> None:
    client, path = portal
    await _brand(db, clock, "https://evil.example;report-uri https://evil.example/r")

    response = await client.get(path, headers=HTML)
    html = await response.text()

    policy = response.headers["Content-Security-Policy"]
    assert response.status == 200
    assert "img-src 'self';" in policy
    assert "evil" not in policy and "report-uri" not in policy
    assert "evil.example" not in html


async def test_a_form_without_its_csrf_pair_is_refused(portal) -> None:
    client, path = portal
    _, csrf = await _page(client, path)

    forged = await client.post(path, data=form("0" * 64), allow_redirects=False)
    foreign = await client.post(
        path, data=form(csrf), headers={"Origin": "https://evil.example"}, allow_redirects=False
    )
    client.session.cookie_jar.clear()
    no_cookie = await client.post(path, data=form(csrf), allow_redirects=False)

    assert [forged.status, foreign.status, no_cookie.status] == [403, 403, 403]


async def test_a_genuine_form_creates_the_return_and_redirects(portal) -> None:
    client, path = portal
    _, csrf = await _page(client, path)

    answer = await client.post(path, data=form(csrf), allow_redirects=False)

    assert answer.status == 303
    assert "created=RR-" in answer.headers["Location"]


@pytest.mark.parametrize(
    ("change", "status"), [("expired", 401), ("tampered", 403), ("missing", 401)]
)
async def test_refused_links_are_pages_with_the_json_portals_statuses(
    portal, clock, change, status
) -> None:
    client, path = portal
    if change == "expired":
        clock.advance(days=4)
    elif change == "tampered":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    else:
        path = path.split("?")[0]

    response = await client.get(path, headers=HTML)

    assert response.status == status
    assert "text/html" in response.headers["Content-Type"]


async def test_api_clients_still_get_json(portal) -> None:
    client, path = portal
    response = await client.get(path, headers={"Accept": "application/json"})
    assert (await response.json())["orderId"] == "SO-1"


async def test_photos_are_sniffed_and_readable_only_with_the_tenants_key(portal, db, clock) -> None:
    client, path = portal
    _, csrf = await _page(client, path)
    disguised = b"GIF89a not a png at all"
    refused = await client.post(
        path,
        data=_with_photo(form(csrf), disguised),
    )
    assert "Photos must be JPEG, PNG or WebP images." in await refused.text()

    answer = await client.post(
        path,
        data=_with_photo(form(csrf), tiny_png()),
        allow_redirects=False,
    )
    rid = answer.headers["Location"].rsplit("created=", 1)[1]
    async with SqlUnitOfWork(db, clock=clock) as uow:
        loaded = await uow.returns.get(rid)
    (url,) = loaded.items[0].image_urls
    photo_path = "/" + url.split("/", 3)[3]

    anonymous = await client.get(photo_path)
    owner = await client.get(photo_path, headers=await credentials(db, clock, "default"))
    stranger = await client.get(photo_path, headers=await credentials(db, clock, "globex"))

    assert anonymous.status == 401
    assert owner.status == 200 and owner.content_type == "image/png"
    assert await owner.read() == tiny_png()
    assert stranger.status == 404


@pytest.mark.parametrize(
    ("needs", "beside", "message"),
    [
        ({"require_images": True}, "photos-0", "This reason needs a photo of the item."),
        ({"require_comments": True}, "comment-0", None),
    ],
)
async def test_a_reasons_missing_requirement_is_shown_beside_its_own_field(
    portal, db, clock, needs, beside, message
) -> None:
    """The domain names the field (`items[0].image_urls`); the page puts the refusal next to
    the line's photos, not next to its quantity."""
    from domain import configuration_services
    from domain.reference import ReferenceEntry, ReferenceKind

    entry = ReferenceEntry(ReferenceKind.RETURN_REASON, "acme", "DAMAGED", "Damaged", **needs)
    await configuration_services.create_reference(entry, uow=SqlUnitOfWork(db, clock=clock))
    client, path = portal
    _, csrf = await _page(client, path)

    answer = await client.post(path, data=form(csrf, **{"reason-0": "DAMAGED"}), headers=HTML)
    html = await answer.text()

    assert f'id="err-{beside}"' in html
    assert 'id="err-qty-0"' not in html
    if message:
        assert message in html

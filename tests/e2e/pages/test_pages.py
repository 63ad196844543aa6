"""The landing page, the REST reference and GraphiQL over HTTP: HTML with a strict policy,
every file from this server, dev headers only when dev credentials are on."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from ops.app import create_app

HTML = {"Accept": "text/html"}


def _external_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)


async def test_the_landing_page_answers_at_the_root(http: TestClient) -> None:
    response = await http.get("/", headers=HTML)
    html = await response.text()

    assert response.status == 200
    assert "text/html" in response.headers["Content-Type"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    for link in ("/graphql", "/docs", "/openapi.json", "/healthz", "/readyz"):
        assert f'href="{link}"' in html
    assert "Development credentials" not in html


async def test_graphiql_and_the_docs_load_nothing_from_other_sites(http: TestClient) -> None:
    for path in ("/graphql", "/docs", "/"):
        html = await (await http.get(path, headers=HTML)).text()
        assert _external_urls(html) == [], path
        assert "<script>" not in html  # no inline script: the policy forbids it


async def test_graphiql_carries_no_credentials_without_dev_credentials(http: TestClient) -> None:
    html = await (await http.get("/graphql", headers=HTML)).text()
    assert '"headers": null' in html


async def test_static_files_are_served_with_nosniff(http: TestClient) -> None:
    response = await http.get("/static/vendor/react-18.2.0/react.production.min.js")
    assert response.status == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_graphiql_has_the_dev_headers_under_make_run(db, clock, tmp_path: Path) -> None:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        dev_credentials=True,
        dev_credentials_file=str(tmp_path / "dev.json"),
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        html = await (await client.get("/graphql", headers=HTML)).text()
        landing = await (await client.get("/", headers=HTML)).text()

    assert '"tenant-id": "dev"' in html and "Bearer rat_" in html
    assert "dev.json" in landing and "make demo" in landing


def _docs_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="docs-config">(.*?)</script>', html)
    assert found, "the docs page carries its config"
    return json.loads(found.group(1))


async def test_the_docs_carry_no_credentials_without_dev_credentials(http: TestClient) -> None:
    html = await (await http.get("/docs", headers=HTML)).text()
    assert _docs_config(html) == {"authorize": None}
    assert "rat_" not in html


async def test_the_docs_authorize_with_the_dev_credentials_under_make_run(
    db, clock, tmp_path: Path
) -> None:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        dev_credentials=True,
        dev_credentials_file=str(tmp_path / "dev.json"),
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        html = await (await client.get("/docs", headers=HTML)).text()
        spec = await (await client.get("/openapi.json")).json()

    authorize = _docs_config(html)["authorize"]
    assert set(authorize) == set(spec["components"]["securitySchemes"])
    assert authorize["bearer"].startswith("rat_") and authorize["tenantId"] == "dev"
    assert authorize["apiKey"] == json.loads((tmp_path / "dev.json").read_text())["api_key"]


async def test_the_favicon_is_an_image_browsers_may_cache(http: TestClient) -> None:
    response = await http.get("/favicon.ico")
    body = await response.read()

    assert response.status == 200
    assert response.content_type.startswith("image/")
    assert body.startswith(b"<svg") and b"<script" not in body
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_landing_docs_and_graphiql_pages_link_the_favicon(http: TestClient) -> None:
    for path in ("/", "/docs", "/graphql"):
        html = await (await http.get(path, headers=HTML)).text()
        assert '<link rel="icon" href="/favicon.ico"' in html, path

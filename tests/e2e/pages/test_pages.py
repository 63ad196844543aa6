"""The landing page, the REST reference and GraphiQL over HTTP: HTML with a strict policy,
every file from this server, dev headers only when dev credentials are on."""

from __future__ import annotations

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

"""`/desk` over HTTP: one HTML page under a strict policy (scripts, styles and connections to
this server only, websockets included), no inline script, every file pinned with its
integrity; the dev admin's sign-in in it only under `make run`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from ops.app import create_app


def _config(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="desk-config">(.*?)</script>', html, re.S)
    assert raw is not None
    return json.loads(raw.group(1))


async def test_the_desk_is_one_page_under_a_strict_policy(http: TestClient) -> None:
    response = await http.get("/desk")
    html = await response.text()
    policy = response.headers["Content-Security-Policy"]
    host = http.server.host

    assert response.status == 200 and "text/html" in response.headers["Content-Type"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe" not in policy
    assert f"ws://{host}:" in policy and "connect-src 'self'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in html and "//" not in re.sub(r'"[^"]*"', "", html.split("<body>")[0])
    for tag in re.findall(r"<(?:script|link)[^>]*(?:src|href)=[^>]*>", html):
        assert 'integrity="sha384-' in tag, tag
    assert _config(html)["devSignIn"] is None


async def test_the_desk_files_and_documents_are_served_from_here(http: TestClient) -> None:
    for path in (
        "/static/desk/main.js",
        "/static/desk/desk.css",
        "/static/desk/graphql/ReturnEvents.graphql",
        "/static/vendor/graphql-ws-6.4.2/graphql-ws.min.js",
        "/static/vendor/graphql-ws-6.4.2/LICENSE.md",
    ):
        response = await http.get(path)
        assert response.status == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_under_make_run_the_desk_signs_in_as_the_dev_admin(db, clock, tmp_path: Path):
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        dev_credentials=True,
        dev_credentials_file=str(tmp_path / "dev.json"),
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        html = await (await client.get("/desk")).text()
    saved = json.loads((tmp_path / "dev.json").read_text())

    sign_in = _config(html)["devSignIn"]
    assert sign_in == {
        "tenant": "dev",
        "email": saved["staff_email"],
        "password": saved["staff_password"],
    }
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        response = await client.post("/desk/session", json=sign_in)
        assert response.status == 200, await response.text()
        assert (await response.json())["user"]["role"] == "ADMIN"

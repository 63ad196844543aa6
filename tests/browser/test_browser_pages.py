"""GraphiQL, the REST reference and the landing page in a real browser, with the internet cut
off: everything they need comes from this server."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import accessibility_problems, screenshot

DESKTOP = {"viewport": {"width": 1280, "height": 800}}


async def test_graphiql_works_offline_with_the_dev_headers_filled_in(
    live_app, open_page, tmp_path: Path
):
    live = await live_app(dev_credentials=True, dev_credentials_file=str(tmp_path / "dev.json"))
    page = await open_page(live.url, **DESKTOP)

    await page.goto(f"{live.url}/graphql")
    await page.wait_for_selector(".graphiql-container")
    headers = await page.locator(".graphiql-editor-tool .graphiql-editor").last.inner_text()
    await page.locator(".graphiql-execute-button").click()
    # A locator, not wait_for_function: the page's CSP forbids the eval that one uses.
    await page.locator(".result-window", has_text="totalCount").wait_for()
    result = await page.locator(".result-window").inner_text()
    await screenshot(page, "graphiql-offline-dev-headers")

    assert "tenant-id" in headers and "Bearer rat_" in headers
    assert '"totalCount": 0' in result
    assert page.foreign_requests == []


async def test_the_rest_reference_renders_openapi_json_offline(live_app, open_page):
    live = await live_app()
    page = await open_page(live.url, **DESKTOP)

    await page.goto(f"{live.url}/docs")
    await page.wait_for_selector(".opblock", timeout=15_000)
    operations = await page.locator(".opblock").count()
    await screenshot(page, "rest-reference")

    assert operations > 20
    assert await page.get_by_text("/returns/requests/{return_request_id}/approve").count() >= 1
    assert page.foreign_requests == []


async def test_the_landing_page_links_everything_and_says_where_dev_credentials_are(
    live_app, open_page, tmp_path: Path
):
    live = await live_app(dev_credentials=True, dev_credentials_file=str(tmp_path / "dev.json"))
    page = await open_page(live.url, viewport={"width": 390, "height": 844})

    await page.goto(f"{live.url}/")
    links = await page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    text = await page.locator("main").inner_text()

    assert {"/graphql", "/docs", "/openapi.json", "/healthz", "/readyz"} <= set(links)
    assert "dev.json" in text and "make demo" in text
    assert await accessibility_problems(page) == []
    assert page.foreign_requests == []


async def test_the_rest_reference_is_authorized_with_the_dev_credentials(
    live_app, open_page, tmp_path: Path
):
    """Under `make run` the Authorize dialog is filled in, so "Try it out" works at once."""
    live = await live_app(dev_credentials=True, dev_credentials_file=str(tmp_path / "dev.json"))
    page = await open_page(live.url, **DESKTOP)

    await page.goto(f"{live.url}/docs")
    await page.wait_for_selector(".opblock", timeout=15_000)
    await page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    await dialog.wait_for()
    authorized = await dialog.get_by_text("Authorized", exact=True).count()
    await screenshot(page, "rest-reference-dev-authorized")
    await dialog.locator(".close-modal").click()
    status = await _try_it_out(page, "ListRejectionReasons")

    assert authorized == 3, "bearer, x-api-key and tenant-id are each authorized"
    assert status == "200"
    assert page.foreign_requests == []


async def test_the_rest_reference_has_no_credentials_outside_development(live_app, open_page):
    live = await live_app()
    page = await open_page(live.url, **DESKTOP)

    await page.goto(f"{live.url}/docs")
    await page.wait_for_selector(".opblock", timeout=15_000)

    assert await _try_it_out(page, "ListRejectionReasons") == "401"


async def _try_it_out(page, operation_id: str) -> str:
    """Runs one operation from its panel and reads the status the server answered."""
    block = page.locator(f'.opblock[id$="-{operation_id}"]')  # Swagger: operations-<tag>-<id>
    await block.locator(".opblock-summary").click()
    await block.locator(".try-out__btn").click()
    await block.locator(".execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    await status.wait_for(timeout=15_000)
    return (await status.inner_text()).strip()

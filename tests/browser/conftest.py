"""Browser tests: Playwright driving Debian's Chromium (`apt-get install -y chromium`), never a
downloaded browser. Reusable by every page's tests (the portal, GraphiQL, the merchant desk):

- `live_app(settings)` serves the real app on a real socket, on a fresh SQLite file;
- `browser` is Chromium, headless, started once per session, so once per pytest-xdist worker
  (a start costs about 1.5 s of CPU); `open_page(base_url, **options)` gives a page in a
  browser context of its own, closed after the test, whose every request to another host is
  refused and recorded (`page.foreign_requests`), so a test proves a page needs nothing from
  the internet; a failed test prints what each page showed and the last answers to its
  GraphQL requests;
- `accessibility_problems(page)` runs axe-core and returns the serious and critical violations;
- `screenshot(page, name)` saves into tests/browser/screenshots/ (git-ignored).

Without Chromium these tests skip and say how to get it; under CI=true they never skip.

A browser is bound to the event loop that started it, so every test here and every async
fixture it uses (wherever defined) runs on the session's loop: see `pytest_fixture_setup` and
`pytest_collection_modifyitems` below."""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from core.settings import Settings
from ops.app import create_app
from ops.bootstrap import WIRING_KEY
from persistence.database import Database
from tests.conftest import fresh_sqlite

CHROMIUM = os.environ.get("RETURNS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}  # a common phone, in CSS pixels
SERIOUS = {"serious", "critical"}


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() or shutil.which(CHROMIUM):
        return
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's package with "
        "`apt-get install -y chromium` (or set RETURNS_CHROMIUM); never `playwright install`"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


HERE = Path(__file__).parent


def _in_browser_tests(node: pytest.Item) -> bool:
    return HERE in Path(node.path).parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run on the session's loop, the one the worker's browser lives on, and
    each module's tests on one pytest-xdist worker (`--dist loadgroup`, Makefile): the
    modules spread over the workers, each worker starting one Chromium, and a module's
    fixtures are not set up on two workers."""
    for item in items:
        if _in_browser_tests(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)
            item.add_marker(pytest.mark.xdist_group(f"browser-{item.path.stem}"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    """An async fixture a browser test uses runs on the session's loop too, wherever it is
    defined (`db` included): pytest-asyncio reads the loop from the fixture's function, which
    is set only while this test's instance is made, so other tests keep their own loops."""
    function = fixturedef.func
    ours = request.scope == "function" and _in_browser_tests(request.node)
    if not ours or not _is_async(function) or getattr(function, "_loop_scope", None):
        return (yield)
    had, before = hasattr(function, "_loop_scope"), getattr(function, "_loop_scope", None)
    function._loop_scope = "session"  # type: ignore[attr-defined]
    try:
        return (yield)
    finally:
        if had:
            function._loop_scope = before  # type: ignore[attr-defined]
        else:
            del function._loop_scope  # type: ignore[attr-defined]


def _is_async(function: Any) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    _require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@dataclass
class LiveApp:
    url: str
    db: Database
    app: Any


@pytest.fixture
async def live_app(
    tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[Callable[..., Awaitable[LiveApp]]]:
    """Serves the real app on 127.0.0.1 (a fresh SQLite file) with the given settings."""
    servers: list[TestServer] = []

    async def start(clock: Any = None, **settings: Any) -> LiveApp:
        db = fresh_sqlite(sqlite_template, tmp_path / "browser.db")
        defaults = {"migrate_on_start": False, "webhook_interval_seconds": 0}
        server = TestServer(create_app(Settings(**(defaults | settings)), db=db, clock=clock))
        await server.start_server()
        servers.append(server)
        return LiveApp(str(server.make_url("")).rstrip("/"), db, server.app)

    yield start
    for server in servers:
        await server.close()
        await server.app[WIRING_KEY].db.dispose()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so a fixture can tell that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
async def open_page(
    browser: Any, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    pages: list[Any] = []
    contexts: list[Any] = []

    async def open_(base_url: str, **options: Any) -> Any:
        context = await browser.new_context(**options)
        contexts.append(context)
        page = await context.new_page()
        page.foreign_requests = []

        async def guard(route: Any) -> None:
            if route.request.url.startswith((base_url, "data:", "blob:")):
                await route.continue_()
            else:
                page.foreign_requests.append(route.request.url)
                await route.abort()

        await context.route("**/*", guard)
        page.console_errors = []
        page.console = []
        page.on("console", lambda m: _console(page, m))
        page.graphql_answers = []
        page.on("response", lambda r: _graphql_answer(page, r))
        pages.append(page)
        return page

    yield open_
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, page in enumerate(pages):
            await _explain(page, f"{request.node.name}-page{number}")
    for context in contexts:  # the browser outlives the test, its contexts do not
        await context.close()


def _graphql_answer(page: Any, response: Any) -> None:
    """Keep each answer to a GraphQL POST (its body is read only if the test fails)."""
    if response.request.method == "POST" and response.url.endswith("/graphql"):
        page.graphql_answers.append(response)


def _console(page: Any, message: Any) -> None:
    page.console.append(f"{message.type}: {message.text}")
    if message.type == "error":
        page.console_errors.append(message.text)


async def _explain(page: Any, name: str) -> None:
    """What a failed test's page showed, printed into the report: a flaky wait in CI must say
    what the page held instead."""
    print(f"\n--- {name}: {page.url}")
    print("console:", *page.console[-30:], sep="\n  ")
    for response in page.graphql_answers[-8:]:  # what the server said to the last requests
        operation = (response.request.post_data_json or {}).get("operationName")
        try:
            body = (await response.text())[:2000]
        except Exception as error:  # a body the browser no longer holds
            body = f"(unreadable: {error})"
        print(f"answer to {operation}: {response.status} {body}")
    try:
        print("text:", (await page.locator("body").inner_text(timeout=2000))[-3000:])
        print("saved:", await screenshot(page, name))
    except Exception as error:  # a closed page explains nothing more
        print("page unreadable:", error)


async def accessibility_problems(page: Any) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


async def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


# Each character's box, grouped into the lines it sits on and read left to right: the text as
# the eye sees it, whatever order it has in the DOM. Only what the layout did counts here.
SEEN_LINES = """element => {
  const glyphs = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let index = 0; index < node.length; index += 1) {
      const range = document.createRange();
      range.setStart(node, index);
      range.setEnd(node, index + 1);
      const box = range.getBoundingClientRect();
      const y = box.top + box.height / 2;
      if (box.width > 0) glyphs.push({ text: node.data[index], x: box.left, y });
    }
  }
  const lines = [];
  for (const glyph of glyphs.sort((a, b) => a.y - b.y)) {
    const line = lines.find((l) => Math.abs(l.y - glyph.y) < 6);
    if (line) line.glyphs.push(glyph);
    else lines.push({ y: glyph.y, glyphs: [glyph] });
  }
  return lines.map((l) => l.glyphs.sort((a, b) => a.x - b.x).map((g) => g.text).join("").trim());
}"""

ISOLATED = """element => element.tagName === "BDI"
  || (element.hasAttribute("dir") && getComputedStyle(element).unicodeBidi === "isolate")"""


async def seen_lines(locator: Any) -> list[str]:
    """The element's text line by line, each read left to right as it shows on screen."""
    return await locator.evaluate(SEEN_LINES)


async def is_isolated(locator: Any) -> bool:
    """A <bdi>, or an element with its own `dir` that isolates it from the text around it."""
    return await locator.evaluate(ISOLATED)


async def assert_reads_as(locator: Any, text: str) -> None:
    """Isolated from its neighbours, on one line, and read left to right exactly as `text`."""
    assert await is_isolated(locator), await locator.evaluate("e => e.outerHTML")
    assert await seen_lines(locator) == [text]

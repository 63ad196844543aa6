"""Staff accounts in a real browser: two operators of different roles on one merchant. The
viewer sees every action disabled, and the approve they send by hand from their own page is
refused; the agent approves, and the viewer's desk shows it live with the agent's name. An
admin invites a colleague from the team dialog; the invitation link opens the set-password
page, then the sign-in form, and the new agent is in. Throttled sign-in says how long to
wait. English and Arabic, laptop and tablet, axe clean."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from domain.staff import StaffRole
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    LIVE,
    TABLET,
    TENANT,
    Backend,
    live,
    new_client,
    open_return,
    row,
    sign_in_as,
    staff_user,
)
from tests.browser.test_browser_desk import BY_HAND, STATUS
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = 1_000


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def team(live_app, http):
    clock = FixedClock(NOW)
    served = await live_app(clock=clock, portal_secret="p" * 40, auth_failures_per_minute=3)
    await seed_demo(UnitsOfWork(served.db, clock))
    backend = Backend(http, served.url, await new_client(served.db, clock))
    await backend.order("SO-1", now=NOW)
    emails = {
        role: await staff_user(served.db, clock, name, role)
        for role, name in (
            (StaffRole.VIEWER, "Vera Viewer"),
            (StaffRole.AGENT, "Aziz Agent"),
            (StaffRole.ADMIN, "Adam Admin"),
        )
    }
    return served, backend, emails


async def test_a_viewer_cannot_act_and_sees_the_agents_approve_live_with_the_agents_name(
    team, open_page
):
    served, backend, emails = team
    rid = await backend.create_return("SO-1")
    viewer = await open_page(served.url, viewport=LAPTOP)
    agent = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(viewer, served.url, emails[StaffRole.VIEWER])
    await sign_in_as(agent, served.url, emails[StaffRole.AGENT])
    await open_return(viewer, rid)
    await open_return(agent, rid)

    disabled = await viewer.locator(".toolbar button").evaluate_all(
        "bs => bs.every(b => b.getAttribute('aria-disabled') === 'true')"
    )
    refused = await viewer.evaluate(BY_HAND, {"csrf": None, "rid": rid})
    await agent.click(".toolbar button[data-action=APPROVE]")
    await agent.click(".action-form[data-action=APPROVE] button.primary")
    await agent.locator(".message .done").wait_for()
    await row(viewer, rid).locator(".row[data-status=APPROVED]").wait_for(timeout=LIVE)
    entry = viewer.locator(".history li", has_text="Approved").filter(has_text="Aziz Agent")
    await entry.last.wait_for(timeout=LIVE)
    await entry.last.scroll_into_view_if_needed()
    await screenshot(viewer, "desk-viewer-sees-agent-approve")
    await screenshot(agent, "desk-agent-approved")

    assert disabled
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "Approved" in await entry.last.inner_text()
    assert "Vera Viewer (viewer)" in await viewer.locator("#operator").inner_text()
    assert "Aziz Agent (agent)" in await agent.locator("#operator").inner_text()
    assert await viewer.locator("#team").count() == await agent.locator("#team").count() == 0
    assert (await backend.graphql(STATUS, {"id": rid}))["returnRequest"]["status"] == "APPROVED"
    assert viewer.console_errors == agent.console_errors == []
    assert viewer.foreign_requests == agent.foreign_requests == []


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_an_admin_invites_a_colleague_who_sets_a_password_and_signs_in(
    team, open_page, language
):
    served, _, emails = team
    admin = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(admin, served.url, emails[StaffRole.ADMIN], lang=language)
    await admin.click("#team")
    await admin.locator("#team-users tr").first.wait_for()
    await admin.fill("#invite-email", "Nadia@Example.com")
    await admin.fill("#invite-name", "Nadia Nasser")
    await admin.select_option("#invite-role", "AGENT")
    await admin.click("#team-invite button[type=submit]")
    link = await admin.locator("#team-message input.link").input_value()
    await admin.locator("#team-users tr[data-email='nadia@example.com']").wait_for()
    await screenshot(admin, f"desk-team-{language}")
    assert await accessibility_problems(admin) == []

    newcomer = await open_page(served.url, viewport=TABLET)
    # The link starts with the service's public address (RETURNS_PUBLIC_BASE_URL); this
    # test server listens on a port of its own.
    path = link[link.index("/desk/password") :].replace("#", f"?lang={language}#")
    await newcomer.goto(served.url + path)
    await newcomer.fill("#signin-new-password", "short")
    await newcomer.press("#signin-new-password", "Enter")
    await newcomer.locator("#password-error:not(:empty)").wait_for()
    await screenshot(newcomer, f"desk-set-password-{language}")
    assert await accessibility_problems(newcomer) == []
    await newcomer.fill("#signin-new-password", "nadia's long password")
    await newcomer.press("#signin-new-password", "Enter")
    await newcomer.locator("form.signin #signin-password").wait_for()

    assert "#token" not in newcomer.url and "/desk/password" not in newcomer.url
    assert await newcomer.locator("#signin-email").input_value() == "nadia@example.com"
    assert await newcomer.locator("#signin-tenant").input_value() == TENANT
    await newcomer.fill("#signin-password", "nadia's long password")
    await newcomer.press("#signin-password", "Enter")
    await live(newcomer)
    await screenshot(newcomer, f"desk-newcomer-tablet-{language}")
    assert "Nadia Nasser" in await newcomer.locator("#operator").inner_text()
    assert admin.console_errors == []
    assert all("400" in e for e in newcomer.console_errors)  # the short password, refused


async def test_sign_in_failures_are_throttled_and_the_form_says_how_long_to_wait(team, open_page):
    served, _, emails = team
    page = await open_page(served.url, viewport=LAPTOP)
    await page.goto(f"{served.url}/desk")
    await page.fill("#signin-tenant", TENANT)
    await page.fill("#signin-email", emails[StaffRole.AGENT])
    for _ in range(4):
        await page.fill("#signin-password", "a wrong password")
        await page.press("#signin-password", "Enter")
        await page.locator("#signin-error:not(:empty)").wait_for()
    await page.locator("#signin-error", has_text="Try again in").wait_for()
    await screenshot(page, "desk-sign-in-throttled")

    assert "seconds" in await page.locator("#signin-error").inner_text()
    assert await accessibility_problems(page) == []


async def test_an_admin_adds_pauses_and_removes_a_webhook_endpoint(team, open_page):
    served, _, emails = team
    admin = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(admin, served.url, emails[StaffRole.ADMIN])
    await admin.click("#webhooks")
    await admin.fill("#webhook-url", "https://93.184.216.34/returns-hook")
    await admin.click("#webhook-add button[type=submit]")
    secret = await admin.locator("#webhook-message input.link").input_value()
    endpoint = admin.locator("#webhook-list tr").first
    await endpoint.locator("td", has_text="Active").wait_for()
    await screenshot(admin, "desk-webhooks")
    assert await accessibility_problems(admin) == []

    await endpoint.locator("button.pause").click()
    await endpoint.locator("td", has_text="Paused").wait_for()
    await endpoint.locator("button.remove").click()
    await admin.locator("#webhook-list tr").first.wait_for(state="detached")

    assert len(secret) >= 16
    assert admin.console_errors == []


async def test_an_agent_has_no_team_or_webhooks_buttons(team, open_page):
    served, _, emails = team
    page = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(page, served.url, emails[StaffRole.AGENT])
    assert await page.locator("#team, #webhooks").count() == 0
    assert await page.locator("#account").count() == 1

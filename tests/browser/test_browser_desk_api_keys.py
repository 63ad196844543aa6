"""The API-keys dialog in a real browser: an admin creates a key and sees its secrets once
(they work: a token, then a call), sees it listed, revokes it after confirming (its
token is refused); an agent has no API-keys button, and the list asked for by hand from
the agent's own page is refused. English and Arabic at laptop size, axe clean."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from domain.staff import StaffRole
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    TABLET,
    TENANT,
    new_client,
    sign_in_as,
    staff_user,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VIEWER = "query { viewer { clientId role } }"
# The agent's own page asks for the keys with its session's CSRF token.
BY_HAND = """async () => {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRF-Token": window.returnsDesk.session.csrf,
    },
    body: JSON.stringify({ query: "query { apiClients { clientId name } }" }),
  });
  return response.json();
}"""


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def team(live_app):
    clock = FixedClock(NOW)
    served = await live_app(clock=clock, auth_cache_seconds=0)
    await new_client(served.db, clock)  # the tenant, and its first key (the "tests" one)
    emails = {
        role: await staff_user(served.db, clock, name, role)
        for role, name in ((StaffRole.AGENT, "Aziz Agent"), (StaffRole.ADMIN, "Adam Admin"))
    }
    return served, emails


async def machine_status(http: aiohttp.ClientSession, url: str, secrets: dict[str, str]) -> int:
    """What the system given the key does: a token, then a call; the call's status."""
    async with http.post(
        f"{url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": secrets["client"],
            "client_secret": secrets["secret"],
        },
    ) as token:
        if token.status != 200:
            return token.status
        bearer = (await token.json())["access_token"]
    headers = {
        "Authorization": f"Bearer {bearer}",
        "x-api-key": secrets["key"],
        "tenant-id": secrets["tenant"],
    }
    async with http.post(f"{url}/graphql", json={"query": VIEWER}, headers=headers) as answer:
        return answer.status


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_an_admin_creates_a_key_sees_its_secrets_once_and_revokes_it(
    team, open_page, http, language
):
    served, emails = team
    admin = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(admin, served.url, emails[StaffRole.ADMIN], lang=language)
    await admin.click("#api-keys")
    await admin.locator("#api-key-list tr").first.wait_for()
    await admin.fill("#api-key-name", "Storefront" if language == "en" else "المتجر")
    await admin.select_option("#api-key-access", "READ_ONLY")
    await admin.click("#api-key-add button[type=submit]")
    await admin.locator("#api-key-secrets").wait_for()
    secrets = {
        "client": await admin.locator("#api-key-client-id").input_value(),
        "secret": await admin.locator("#api-key-client-secret").input_value(),
        "key": await admin.locator("#api-key-api-key").input_value(),
        "tenant": await admin.locator("#api-key-tenant").input_value(),
    }
    listed = admin.locator(f"#api-key-list tr[data-id='{secrets['client']}']")
    await listed.wait_for()
    await screenshot(admin, f"desk-api-keys-created-{language}")
    assert await accessibility_problems(admin) == []
    assert secrets["tenant"] == TENANT
    assert await machine_status(http, served.url, secrets) == 200
    assert secrets["secret"] not in await admin.locator("#api-key-list").inner_text()

    await listed.locator("button.revoke").click()
    await listed.locator("button.revoke-yes").wait_for()
    await screenshot(admin, f"desk-api-keys-confirm-{language}")
    await listed.locator("button.revoke-yes").click()
    revoked = f"#api-key-list tr[data-id='{secrets['client']}'][data-revoked=true]"
    await admin.locator(revoked).wait_for()
    await screenshot(admin, f"desk-api-keys-revoked-{language}")

    assert await machine_status(http, served.url, secrets) == 401
    assert await listed.locator("button.revoke").count() == 0
    assert admin.console_errors == []
    assert admin.foreign_requests == []


async def test_an_agent_has_no_api_keys_button_and_is_refused_the_list_by_hand(team, open_page):
    served, emails = team
    agent = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(agent, served.url, emails[StaffRole.AGENT])

    refused = await agent.evaluate(BY_HAND)

    assert await agent.locator("#api-keys").count() == 0
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    assert not refused.get("data")
    await screenshot(agent, "desk-api-keys-agent")


async def test_the_admins_header_and_the_dialog_fit_a_tablet_in_arabic(team, open_page):
    served, emails = team
    admin = await open_page(served.url, viewport=TABLET)
    await sign_in_as(admin, served.url, emails[StaffRole.ADMIN], lang="ar")
    await admin.click("#api-keys")
    await admin.locator("#api-key-list tr").first.wait_for()
    await screenshot(admin, "desk-api-keys-tablet-ar")

    assert await accessibility_problems(admin) == []
    wide = await admin.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide  # nothing scrolls sideways

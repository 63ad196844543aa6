"""An invitation by e-mail, in a real browser and through a real SMTP server: with a mail
server configured, the admin's team dialog says the invitation went to the colleague's
address (no link on the admin's screen); the e-mail, in the admin's language, carries the
link that sets the password, and the colleague signs in with it. English and Arabic."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest

from domain.staff import StaffRole
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import LAPTOP, TENANT, live, new_client, sign_in_as, staff_user
from tests.clocks import FixedClock
from tests.mail_server import QUIET, smtp_server

pytestmark = QUIET
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LINK = re.compile(r"https?://\S+/desk/password#token=rsl_[A-Za-z0-9_-]+")


@pytest.fixture
def mail():
    with smtp_server(auth=True) as (inbox, url):
        yield inbox, url


async def received(inbox, count: int = 1) -> None:
    for _ in range(100):
        if len(inbox.received) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no e-mail arrived")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_an_invitation_goes_by_email_and_its_link_lets_the_colleague_in(
    live_app, open_page, mail, language
):
    inbox, url = mail
    clock = FixedClock(NOW)
    served = await live_app(clock=clock, smtp_url=url, mail_from="desk@service.example")
    await new_client(served.db, clock)
    admin_email = await staff_user(served.db, clock, "Adam Admin", StaffRole.ADMIN)
    admin = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(admin, served.url, admin_email, lang=language)

    await admin.click("#team")
    await admin.locator("#team-users tr").first.wait_for()
    await admin.fill("#invite-email", "nadia@example.com")
    await admin.fill("#invite-name", "Nadia Nasser")
    await admin.click("#team-invite button[type=submit]")
    await admin.locator("#team-message .emailed").wait_for()
    await screenshot(admin, f"desk-team-invitation-emailed-{language}")
    assert await accessibility_problems(admin) == []
    assert await admin.locator("#team-message input.link").count() == 0
    assert "nadia@example.com" in await admin.locator("#team-message").inner_text()

    await received(inbox)
    [invitation] = inbox.received
    assert invitation.recipients == ["nadia@example.com"]
    assert ('dir="rtl"' in invitation.html) == (language == "ar")
    link = LINK.search(invitation.text)
    assert link is not None
    newcomer = await open_page(served.url, viewport=LAPTOP)
    path = link.group(0)[link.group(0).index("/desk/password") :]
    await newcomer.goto(served.url + path.replace("#", f"?lang={language}#"))
    await newcomer.fill("#signin-new-password", "nadia's long password")
    await newcomer.press("#signin-new-password", "Enter")
    await newcomer.locator("form.signin #signin-password").wait_for()
    assert await newcomer.locator("#signin-tenant").input_value() == TENANT
    await newcomer.fill("#signin-password", "nadia's long password")
    await newcomer.press("#signin-password", "Enter")
    await live(newcomer)
    assert "Nadia Nasser" in await newcomer.locator("#operator").inner_text()
    assert admin.console_errors == [] and newcomer.console_errors == []

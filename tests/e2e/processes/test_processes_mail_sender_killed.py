"""A mail sender killed with SIGKILL in the middle of its run: a real `returns-api
send-mail` process, sending to a real SMTP server on this machine, killed while the server
holds one message's DATA. Nothing it had delivered is sent again, nothing it had not is
lost: once its lease runs out, another sender sends exactly the rest."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.settings import Settings
from delivery.mail.sender import mail_sender
from domain.customer_messages import MessageStatus
from ops.bootstrap import bootstrap
from persistence.customer_messages import MESSAGES
from tests.clocks import FixedClock
from tests.integration.persistence.conftest import World
from tests.mail_server import QUIET, smtp_server

pytestmark = QUIET
ROOT = Path(__file__).resolve().parents[3]
CUSTOMERS = 6
DELIVERED_BEFORE_KILL = 3


async def _statuses(db) -> Counter[str]:
    from sqlalchemy import select

    async with db.read_session() as session:
        rows = (await session.execute(select(MESSAGES.c.status))).all()
    return Counter(row[0] for row in rows)


async def test_a_killed_sender_resends_nothing_delivered_and_loses_nothing(db, tmp_path) -> None:
    world = World(db, FixedClock(datetime.now(UTC)))
    for n in range(CUSTOMERS):
        await world.order(f"ORD-{n}")
        await world.create(f"ORD-{n}", {"SKU-A": 1})
    settings = {"portal_secret": "p" * 40, "mail_from": "returns@shop.example"}

    with smtp_server() as (inbox, url):
        seen = 0
        original = inbox.handle_DATA
        release = threading.Event()

        async def hold_the_fourth(server, session, envelope):  # type: ignore[no-untyped-def]
            """The fourth message's DATA is held until its sender is dead; then the server
            does what servers do with a message whose connection broke before the answer:
            it does not deliver it."""
            nonlocal seen
            seen += 1
            if seen != DELIVERED_BEFORE_KILL + 1:
                return await original(server, session, envelope)
            inbox.holding.set()
            await asyncio.to_thread(release.wait, 60)
            return "451 4.3.0 connection lost before the answer"

        inbox.handle_DATA = hold_the_fourth  # type: ignore[method-assign]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
        env |= {
            "RETURNS_DATABASE_URL": db.url.render_as_string(hide_password=False),
            "RETURNS_SMTP_URL": url,
            "RETURNS_PORTAL_SECRET": settings["portal_secret"],
            "RETURNS_MAIL_FROM": settings["mail_from"],
            "RETURNS_LOG_FORMAT": "text",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from ops.cli import main; main(['send-mail'])",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        held = await asyncio.to_thread(inbox.holding.wait, 60)
        assert held, "the sender never reached the fourth message"
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
        release.set()

        before = await _statuses(db)
        delivered_before = {m.message_id for m in inbox.received}

        # Another sender at once: the dead one's lease still holds the rest.
        now = datetime.now(UTC)
        soon = mail_sender(
            bootstrap(Settings(smtp_url=url, **settings), db=db, clock=FixedClock(now))
        )
        assert await soon.send_due() == 0
        # Past the lease, it takes over what was not delivered.
        later = FixedClock(now + timedelta(minutes=10))
        after_lease = mail_sender(bootstrap(Settings(smtp_url=url, **settings), db=db, clock=later))
        resent = await after_lease.send_due()

    ids = Counter(m.message_id for m in inbox.received)
    assert process.returncode == -signal.SIGKILL
    assert before == {
        MessageStatus.SENT.value: DELIVERED_BEFORE_KILL,
        MessageStatus.PENDING.value: CUSTOMERS - DELIVERED_BEFORE_KILL,
    }
    assert len(delivered_before) == DELIVERED_BEFORE_KILL
    assert resent == CUSTOMERS - DELIVERED_BEFORE_KILL
    assert len(ids) == CUSTOMERS and set(ids.values()) == {1}  # each once, none lost
    assert await _statuses(db) == {MessageStatus.SENT.value: CUSTOMERS}

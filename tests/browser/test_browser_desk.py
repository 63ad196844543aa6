"""The returns desk in a real browser: operators sign in through the form and work on the
same merchant in separate browser contexts; other systems (GraphQL, Carriyo REST, the portal)
change returns meanwhile. Everything the page shows arrives live, within a second."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import aiohttp
import pytest

from domain.access import Role
from ops.bootstrap import WIRING_KEY
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    LIVE,
    MERCHANT,
    TABLET,
    Backend,
    new_client,
    open_return,
    row,
    sign_in,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = 1_000  # ms, Playwright's unit
ALLOWED = "query ($id: ID!) { returnRequest(id: $id) { allowedActions } }"
INLINE = {"DELETE_NOTE", "DELETE_REFUND"}  # offered beside each note and refund instead


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


class Scene:
    """A served app with the demo merchant, an order of many units and a writing backend."""

    def __init__(self, live, clock, client, backend):
        self.live, self.clock, self.client, self.backend = live, clock, client, backend

    async def new_return(self, **kwargs) -> str:
        self.clock.advance(seconds=1)  # newest first needs distinct creation times
        return await self.backend.create_return("SO-1", **kwargs)


@pytest.fixture
async def scene(live_app, http):
    clock = FixedClock(NOW)
    live = await live_app(clock=clock, portal_secret="p" * 40)
    await seed_demo(UnitsOfWork(live.db, clock))
    client = await new_client(live.db, clock)
    backend = Backend(http, live.url, client)
    await backend.order("SO-1", now=NOW)
    return Scene(live, clock, client, backend)


async def operator(scene, open_page, name: str, **options):
    page = await open_page(scene.live.url, viewport=LAPTOP, **options)
    await sign_in(page, scene.live.url, scene.client, name)
    return page


async def test_one_operator_approves_and_the_other_sees_it_within_a_second(scene, open_page):
    rid = await scene.new_return()
    alice = await operator(scene, open_page, "alice@ops")
    bob = await operator(scene, open_page, "bob@ops")
    await open_return(bob, rid)

    await open_return(alice, rid)
    await alice.click(".toolbar button[data-action=APPROVE]")
    await alice.click(".action-form[data-action=APPROVE] button.primary")
    await alice.locator(".message .done").wait_for()

    await bob.locator(f"#queue li[data-rid='{rid}'] .row[data-status=APPROVED]").wait_for(
        timeout=LIVE
    )
    await bob.locator("#panel-status", has_text="Approved").wait_for(timeout=LIVE)
    history = bob.locator(".history li", has_text="alice@ops")
    await history.last.wait_for()
    await screenshot(bob, "desk-bob-sees-alice-approve")
    allowed = await scene.backend.graphql(ALLOWED, {"id": rid})
    shown = await bob.locator(".toolbar button").evaluate_all("bs => bs.map(b => b.dataset.action)")
    assert set(shown) == set(allowed["returnRequest"]["allowedActions"]) - INLINE
    assert await bob.locator("#queue li[data-rid]").count() == 1
    assert alice.foreign_requests == bob.foreign_requests == []
    assert alice.console_errors == bob.console_errors == []


async def test_both_act_at_once_and_the_loser_sees_the_conflict_and_can_redo(scene, open_page):
    rid = await scene.new_return()
    alice = await operator(scene, open_page, "alice@ops")
    bob = await operator(scene, open_page, "bob@ops")
    for page in (alice, bob):
        await open_return(page, rid)
    await alice.click(".toolbar button[data-action=HOLD]")
    await alice.fill(".action-form [data-field=reason]", "customer is calling back")
    await bob.click(".toolbar button[data-action=ADD_NOTE]")
    await bob.fill(".action-form [data-field=text]", "asked for photos")

    await asyncio.gather(
        alice.click(".action-form button.primary"), bob.click(".action-form button.primary")
    )
    outcomes = {}
    for name, page in (("alice", alice), ("bob", bob)):
        outcome = page.locator(".message .done, .message .conflict")
        await outcome.first.wait_for(timeout=5 * SECOND)
        outcomes[name] = await outcome.first.get_attribute("class")
    assert sorted(outcomes.values()) == ["conflict", "done"], outcomes
    loser = alice if outcomes["alice"] == "conflict" else bob
    conflict = await loser.locator(".conflict").inner_text()
    await screenshot(loser, "desk-conflict")
    await loser.click(".conflict button.redo")
    await loser.locator(".message .done").wait_for(timeout=5 * SECOND)

    assert "Version: 1 → 2" in conflict
    assert ("On hold" in conflict) if loser is bob else ("Note added" in conflict)
    for page in (alice, bob):
        await page.locator("#panel-status", has_text="On hold").wait_for(timeout=LIVE)
        await page.locator(".notes li", has_text="asked for photos").wait_for(timeout=LIVE)


async def test_returns_from_carriyo_rest_and_the_portal_appear_live_once(scene, open_page, http):
    page = await operator(scene, open_page, "alice@ops")
    before = await page.locator("#queue li[data-rid]").count()

    scene.clock.advance(seconds=1)
    from_carriyo = await scene.backend.carriyo_create("SO-1")
    await row(page, from_carriyo).wait_for(timeout=LIVE)
    scene.clock.advance(seconds=1)
    link, _ = scene.live.app[WIRING_KEY].portal.link("dev", MERCHANT, "SO-1", now=scene.clock.now())
    portal = f"{scene.live.url}/{link.split('/', 3)[3]}"
    ask = {"items": [{"sku": "TSHIRT", "quantity": 1, "returnReason": "CHANGED_MIND"}]}
    async with http.post(portal, json=ask) as response:
        assert response.status == 201, await response.text()
        from_portal = (await response.json())["returnRequestId"]
    await row(page, from_portal).wait_for(timeout=LIVE)
    await asyncio.sleep(0.3)  # anything sent twice would have arrived by now

    ids = await page.locator("#queue li[data-rid]").evaluate_all(
        "items => items.map(li => li.dataset.rid)"
    )
    assert ids[:2] == [from_portal, from_carriyo]  # newest first
    assert len(ids) == len(set(ids)) == before + 2
    await page.locator(".tab[data-status=PENDING] .count", has_text="2").wait_for(timeout=LIVE)


async def test_a_viewer_sees_every_action_disabled_and_is_refused_even_by_hand(scene, open_page):
    rid = await scene.new_return()
    reader = await new_client(scene.live.db, scene.clock, Role.READ_ONLY)
    page = await open_page(scene.live.url, viewport=LAPTOP)
    await sign_in(page, scene.live.url, reader, "auditor@ops")  # a viewer
    await open_return(page, rid)

    buttons = page.locator(".toolbar button")
    actions = await buttons.evaluate_all("bs => bs.map(b => b.dataset.action)")
    for index in range(await buttons.count()):
        button = buttons.nth(index)
        assert await button.get_attribute("aria-disabled") == "true"
        assert "viewers cannot" in (await button.get_attribute("title") or "").lower()
    await buttons.first.click(force=True)
    await screenshot(page, "desk-read-only")
    by_hand = await page.evaluate(BY_HAND, {"csrf": None, "rid": rid})

    assert set(actions) >= {"APPROVE", "REJECT", "HOLD", "ADD_NOTE"}
    assert await page.locator(".action-form").count() == 0
    assert "viewer" in (await page.locator(".readonly").inner_text()).lower()
    assert by_hand["errors"][0]["extensions"]["code"] == "FORBIDDEN", by_hand
    assert by_hand["data"] is None
    still = await scene.backend.graphql(STATUS, {"id": rid})
    assert still["returnRequest"]["status"] == "PENDING"


# The viewer's own page sends the approve the desk would send, with the session's CSRF token.
BY_HAND = """async ({ csrf, rid }) => {
  const token = csrf ?? window.returnsDesk.session.csrf;
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
    body: JSON.stringify({
      query: "mutation ($id: ID!) { approveReturn(input: {returnRequestId: $id}) "
        + "{ returnRequest { status } } }",
      variables: { id: rid },
    }),
  });
  return response.json();
}"""
STATUS = "query ($id: ID!) { returnRequest(id: $id) { status } }"


async def test_an_ended_session_sends_the_operator_back_to_sign_in_saying_why(scene, open_page):
    rid = await scene.new_return()
    page = await operator(scene, open_page, "alice@ops")
    await open_return(page, rid)

    scene.clock.advance(hours=2)  # the server's clock: idle past the session's end
    await page.click(".toolbar button[data-action=ADD_NOTE]")
    await page.fill(".action-form [data-field=text]", "written after the session ended")
    await page.click(".action-form button.primary")
    await page.locator("form.signin").wait_for(timeout=5 * SECOND)
    await screenshot(page, "desk-session-ended")

    assert "session has ended" in await page.locator("form.signin .note").inner_text()
    assert await page.evaluate("window.returnsDesk") is None
    scene.backend.token = None  # the backend's own token expired with those two hours too
    detail = await scene.backend.graphql(
        "query ($id: ID!) { returnRequest(id: $id) { notes { text } } }", {"id": rid}
    )
    assert detail["returnRequest"]["notes"] == []


async def test_approving_chosen_units_puts_each_user_error_beside_its_field(scene, open_page):
    rid = await scene.new_return(shirts=2, caps=1)
    page = await operator(scene, open_page, "alice@ops", timezone_id="Asia/Dubai")
    await open_return(page, rid)

    await page.click(".toolbar button[data-action=APPROVE]")
    await page.fill("[data-field='items[0].quantity']", "1")
    await page.click(".action-form button.primary")
    reason = page.locator("[data-field=rejectionReason]")
    await page.locator("[data-field=rejectionReason][aria-invalid=true]").wait_for()
    beside = await page.locator(".field", has=reason).locator(".field-error").inner_text()
    await screenshot(page, "desk-user-error-beside-field")
    await reason.select_option("USED_ITEM")
    await page.click(".action-form button.primary")
    await page.locator("#panel-status", has_text="Approved").wait_for()

    assert "rejection reason" in beside
    shirt = page.locator("table.items tr[data-sku=TSHIRT]")
    assert await shirt.locator(".approved").inner_text() == "1"
    assert await shirt.locator(".rejected").inner_text() == "1 (Item shows signs of use)"

    await page.click(".toolbar button[data-action=RECEIVE]")
    await page.select_option("[data-field='items[0].itemCondition']", "USED")
    await page.click(".action-form button.primary")
    await page.locator("#panel-status", has_text="Received").wait_for()
    assert await shirt.locator(".condition").inner_text() == "Used"

    await page.click(".toolbar button[data-action=ADD_REFUND]")
    await page.fill("[data-field=amount]", "500")
    await page.click(".action-form button.primary")
    amount_error = page.locator(".field", has=page.locator("[data-field=amount]"))
    await amount_error.locator(".field-error", has_text=re.compile(".+")).wait_for()
    await page.fill("[data-field=amount]", "99.00")
    await page.click(".action-form button.primary")
    await page.locator(".refunds li").wait_for()
    assert "AED" in await page.locator("table.totals .refunded").inner_text()
    await page.click(".refunds li button[data-action=DELETE_REFUND]")
    await page.locator(".refunds li").wait_for(state="detached")

    await page.click(".toolbar button[data-action=COMPLETE]")
    await page.click(".action-form button.primary")
    await page.locator("#panel-status", has_text="Completed").wait_for()
    await screenshot(page, "desk-completed-history")
    history = await page.locator(".history").inner_text()
    assert "13:0" in history  # 09:00 UTC shown in the operator's zone (Dubai, +04:00)
    assert history.count("alice@ops") >= 4


async def test_the_queue_is_driven_by_keyboard(scene, open_page):
    first, second = await scene.new_return(), await scene.new_return()
    page = await operator(scene, open_page, "alice@ops")

    await row(page, second).locator("button").focus()
    await page.keyboard.press("ArrowDown")
    focused = await page.evaluate("document.activeElement.dataset.rid")
    await page.keyboard.press("Enter")
    await page.locator("#panel-title", has_text=first).wait_for()
    title_focused = await page.evaluate("document.activeElement.id")
    await page.keyboard.press("Escape")
    await page.locator("#panel").wait_for(state="hidden")
    back = await page.evaluate("document.activeElement.dataset.rid")

    assert focused == first and title_focused == "panel-title" and back == first


async def test_new_returns_keep_the_operators_scroll_position_and_open_panel(scene, open_page):
    ids = [await scene.new_return(shirts=1, caps=0) for _ in range(20)]
    page = await operator(scene, open_page, "alice@ops")
    reading = ids[5]
    await open_return(page, reading)
    scroller = page.locator("#queue-scroll")
    await row(page, reading).evaluate(
        "li => li.parentElement.parentElement.scrollTop = li.offsetTop"
    )
    top_before = await scroller.evaluate("s => s.scrollTop")
    offset_before = await row(page, reading).evaluate(
        "li => li.offsetTop - li.parentElement.parentElement.scrollTop"
    )

    new = [await scene.new_return(shirts=1, caps=0) for _ in range(3)]
    for rid in new:
        await row(page, rid).wait_for(timeout=LIVE)
    await scene.backend.change("assignReturn", {"returnRequestId": reading, "user": "kim"})
    await page.locator(".facts dd", has_text="kim").wait_for(timeout=LIVE)
    offset_after = await row(page, reading).evaluate(
        "li => li.offsetTop - li.parentElement.parentElement.scrollTop"
    )

    assert await scroller.evaluate("s => s.scrollTop") > top_before
    assert abs(offset_after - offset_before) <= 1
    assert await page.locator("#panel-title").inner_text() == reading


async def test_filters_counts_and_pages_follow_the_connection(scene, open_page):
    await scene.backend.order("SO-2", now=NOW)
    for _ in range(27):
        await scene.new_return(shirts=1, caps=0)
    scene.clock.advance(seconds=1)
    other = await scene.backend.create_return("SO-2", shirts=1, caps=0)
    await scene.backend.change("holdReturn", {"returnRequestId": other})
    page = await operator(scene, open_page, "alice@ops")

    assert await page.locator("#queue li[data-rid]").count() == 25
    await page.click("button.more")
    await page.locator("#queue li[data-rid]").nth(27).wait_for()
    assert await page.locator(".tab[data-status=ALL]").get_attribute("data-count") == "28"
    assert await page.locator(".tab[data-status=ON_HOLD]").get_attribute("data-count") == "1"

    await page.fill("#filter-orderReference", "SO-2")
    await page.press("#filter-orderReference", "Enter")
    await page.locator("#queue li[data-rid]").nth(1).wait_for(state="detached")
    assert await page.locator("#queue li[data-rid]").count() == 1
    await page.click(".tab[data-status=PENDING]")
    await page.locator("#queue .empty").wait_for()
    await page.click(".tab[data-status=ON_HOLD]")
    await row(page, other).wait_for()
    await scene.backend.change("resumeReturn", {"returnRequestId": other})
    await row(page, other).wait_for(state="detached", timeout=LIVE)  # no longer on hold

    await page.click(".tab[data-status=ALL]")
    await page.fill("#filter-orderReference", "")
    await page.fill("#filter-assignedTo", "nobody")
    await page.press("#filter-assignedTo", "Enter")
    await page.locator("#queue .empty").wait_for()
    await page.fill("#filter-assignedTo", "")
    await page.fill("#filter-merchant", MERCHANT)
    await page.fill("#filter-from", "2026-12-02")  # the day after every request was made
    await page.press("#filter-merchant", "Enter")
    await page.locator("#queue .empty").wait_for()
    await page.fill("#filter-from", "2026-12-01")
    await page.press("#filter-merchant", "Enter")
    await page.locator("#queue li[data-rid]").nth(24).wait_for()


async def test_an_answer_to_an_older_filter_never_replaces_the_newer_one(scene, open_page):
    """The browser holds the request of the first filter while the operator applies a
    second; the first answer arrives last and must be dropped (CI saw the queue show it)."""
    await scene.backend.order("SO-2", now=NOW)
    await scene.backend.create_return("SO-2", shirts=1, caps=0)
    page = await operator(scene, open_page, "alice@ops")
    await page.locator("#queue li[data-rid]").first.wait_for()

    def older(request) -> bool:
        return '"orderReference":"SO-2"' in (request.post_data or "")

    async def hold_the_older(route) -> None:
        if older(route.request):
            await asyncio.sleep(1)
        await route.continue_()

    await page.route("**/graphql", hold_the_older)
    async with page.expect_response(lambda response: older(response.request)) as late:
        await page.fill("#filter-orderReference", "SO-2")
        await page.press("#filter-orderReference", "Enter")
        await page.fill("#filter-orderReference", "")
        await page.fill("#filter-assignedTo", "nobody")
        await page.press("#filter-assignedTo", "Enter")
        await page.locator("#queue .empty").wait_for()
    await (await late.value).finished()
    await page.evaluate("() => new Promise((done) => setTimeout(done, 100))")

    assert await page.locator("#queue li[data-rid]").count() == 0
    assert await page.locator("#queue .empty").is_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_axe_finds_no_serious_problem_on_laptop_and_tablet(scene, open_page, language):
    rid = await scene.new_return()
    await scene.backend.change("addReturnNote", {"returnRequestId": rid, "text": "فحص"})
    for name, viewport in (("laptop", LAPTOP), ("tablet", TABLET)):
        page = await open_page(scene.live.url, viewport=viewport, timezone_id="Asia/Riyadh")
        await sign_in(page, scene.live.url, scene.client, "alice@ops", lang=language)
        await open_return(page, rid)
        await page.click(".toolbar button[data-action=APPROVE]")
        await page.locator(".action-form[data-action=APPROVE]").wait_for()
        await screenshot(page, f"desk-{name}-{language}")

        assert await page.evaluate("document.documentElement.dir") == (
            "rtl" if language == "ar" else "ltr"
        )
        assert await accessibility_problems(page) == []
        assert page.foreign_requests == [] and page.console_errors == []
    if language == "ar":
        assert await page.locator("#panel-status").inner_text() == "قيد الانتظار"
        assert "غيرت رأيي" in await page.locator("table.items").inner_text()


async def test_under_make_run_the_desk_signs_itself_in(live_app, open_page, tmp_path):
    live = await live_app(dev_credentials=True, dev_credentials_file=str(tmp_path / "dev.json"))
    page = await open_page(live.url, viewport=LAPTOP)

    await page.goto(f"{live.url}/desk")
    await page.locator("#live-status[data-state=live]").wait_for()

    assert await page.locator(".signin").count() == 0
    assert "Developer (admin)" in await page.locator(".who").inner_text()
    await page.get_by_role("button", name="Sign out").click()
    await page.locator("form.signin").wait_for()  # asks now: the dev admin signs in once
    assert "password" not in await page.locator("#desk-config").text_content()
    assert "signed out" in await page.locator("form.signin .note").inner_text()
    assert page.foreign_requests == [] and page.console_errors == []


async def test_split_assign_edit_ship_and_reject_from_their_forms(scene, open_page):
    rid = await scene.new_return(shirts=2, caps=1)
    page = await operator(scene, open_page, "alice@ops")
    await open_return(page, rid)

    async def act(action: str, fill: dict[str, str] | None = None) -> None:
        await page.click(f".toolbar button[data-action={action}]")
        for field, value in (fill or {}).items():
            control = page.locator(f".action-form [data-field='{field}']")
            if await control.evaluate("c => c.tagName") == "SELECT":
                await control.select_option(value)
            else:
                await control.fill(value)
        await page.click(".action-form button.primary")
        await page.locator(".message .done").wait_for()

    await act("SPLIT", {"items[1].quantity": "1"})
    await page.locator("#queue li[data-rid]").nth(1).wait_for(timeout=LIVE)
    await act("ASSIGN")
    await row(page, rid).locator(".assignee", has_text="alice@ops").wait_for(timeout=LIVE)
    await act("UPDATE", {"items[0].quantity": "1", "customerComment": "only one after all"})
    await page.locator("table.items tr[data-sku=TSHIRT] .requested", has_text="1").wait_for()
    await act("APPROVE")
    await act("UPDATE_SHIPMENT", {"trackingNumber": "TRK-42"})
    await page.locator(".shipments", has_text="TRK-42").wait_for()
    await act("CANCEL", {"reason": "customer kept it"})
    await page.locator("#panel-status", has_text="Cancelled").wait_for()

    ids = await page.locator("#queue li[data-rid]").evaluate_all("ls => ls.map(l => l.dataset.rid)")
    assert len(ids) == len(set(ids)) == 2
    await page.locator(".panel-body > .facts", has_text="only one after all").wait_for()
    allowed = (await scene.backend.graphql(ALLOWED, {"id": rid}))["returnRequest"]
    shown = await page.locator(".toolbar button").evaluate_all(
        "bs => bs.map(b => b.dataset.action)"
    )
    assert set(shown) == set(allowed["allowedActions"]) - INLINE
    assert "CANCEL" not in shown and "APPROVE" not in shown


COUNT = "{ returnRequests(first: 1) { totalCount } }"


async def test_signing_out_closes_the_feed_ends_the_session_and_forgets_everything(
    scene, open_page, http
):
    page = await open_page(scene.live.url, viewport=LAPTOP)
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    await sign_in(page, scene.live.url, scene.client, "alice@ops")
    await page.select_option("#pick-timezone", "Asia/Dubai")  # kept in localStorage
    csrf = await page.evaluate("window.returnsDesk.session.csrf")
    cookies = await page.context.cookies()
    stored_before = await page.evaluate("localStorage.length")
    sign_out = page.get_by_role("button", name="Sign out")

    await sign_out.click()
    await page.locator("form.signin").wait_for()
    for socket in sockets:
        if not socket.is_closed():
            await socket.wait_for_event("close", timeout=2 * SECOND)
    await screenshot(page, "desk-signed-out")
    (cookie,) = [c for c in cookies if c["name"] == "returns_desk"]
    headers = {"Cookie": f"returns_desk={cookie['value']}", "X-CSRF-Token": csrf}
    async with http.post(
        f"{scene.live.url}/graphql", json={"query": COUNT}, headers=headers
    ) as response:
        refused = response.status  # a copy of the cookie, kept before signing out

    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert stored_before > 0 and len(sockets) == 1
    assert refused == 401
    assert [c for c in await page.context.cookies() if c["name"] == "returns_desk"] == []
    assert await page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]
    assert await page.evaluate("window.returnsDesk") is None
    assert await page.evaluate("document.activeElement.id") == "signin-tenant"
    assert await page.locator("#live-status, #queue").count() == 0
    await sign_in(page, scene.live.url, scene.client, "bob@ops")  # and in again, afresh
    assert "bob@ops" in await page.locator(".who").inner_text()
    assert page.console_errors == []


async def test_the_conflict_box_follows_later_changes_and_offers_only_allowed_actions(
    scene, open_page
):
    rid = await scene.new_return()
    page = await operator(scene, open_page, "alice@ops")
    await open_return(page, rid)
    await page.click(".toolbar button[data-action=APPROVE]")
    await scene.backend.change("addReturnNote", {"returnRequestId": rid, "text": "photos asked"})
    await page.locator(".notes li", has_text="photos asked").wait_for(timeout=LIVE)
    await page.click(".action-form button.primary")
    box = page.locator(".message .conflict")
    await box.locator("button.redo").wait_for()
    assert "Version: 1 → 2" in await box.inner_text()

    await scene.backend.change("holdReturn", {"returnRequestId": rid}, user="kim@ops")
    await box.filter(has_text="Version: 1 → 3").wait_for(timeout=LIVE)
    await screenshot(page, "desk-conflict-after-hold")
    on_hold = await box.inner_text()
    redo_on_hold = await box.locator("button.redo").count()
    await scene.backend.change("resumeReturn", {"returnRequestId": rid}, user="kim@ops")
    await box.filter(has_text="Version: 1 → 4").wait_for(timeout=LIVE)
    await box.locator("button.redo").click()
    await page.locator("#panel-status", has_text="Approved").wait_for(timeout=5 * SECOND)

    assert redo_on_hold == 0
    assert "Approve is no longer possible" in on_hold and "On hold" in on_hold
    assert await page.locator(".message .conflict, .message .error").count() == 0
    assert page.console_errors == []


async def test_focus_stays_on_the_desks_controls_through_actions_and_live_changes(scene, open_page):
    rid = await scene.new_return()
    page = await operator(scene, open_page, "alice@ops")
    await row(page, rid).locator("button").focus()
    await page.keyboard.press("Enter")
    await page.locator("#panel-title", has_text=rid).wait_for()

    focused = "document.activeElement"
    await page.locator(".toolbar button[data-action=HOLD]").focus()
    await page.keyboard.press("Enter")
    await page.keyboard.type("customer calls back")
    await page.keyboard.press("Enter")
    await page.locator("#panel-status", has_text="On hold").wait_for()
    after_hold = await page.evaluate(f"{focused}.closest('.toolbar, #queue')?.className ?? null")
    assert after_hold in {"toolbar", "queue"}

    await page.locator(".toolbar button[data-action=ADD_NOTE]").focus()
    await page.keyboard.press("Enter")
    await page.keyboard.type("half a ")
    await scene.backend.change("assignReturn", {"returnRequestId": rid, "user": "kim"})
    await page.locator(".facts dd", has_text="kim").wait_for(timeout=LIVE)
    await page.keyboard.type("note")
    typed = await page.locator(".action-form [data-field=text]").input_value()
    await page.keyboard.press("Escape")
    after_escape = await page.evaluate(f"{focused}.dataset.action ?? {focused}.tagName")

    assert typed == "half a note"
    assert after_escape == "ADD_NOTE"

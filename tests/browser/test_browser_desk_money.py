"""The money of a return on the desk: its fees (kind, basis, amount, waived or not, why and by
whom), its balance per currency, its refunds with their outcome and the customer's store
credit. Two desks are open on one request: the agent waives a fee (a form asks why) and the
viewer's desk, which shows the fees without a Waive button, shows the fee waived and the new
balance live. A waiver sent on a stale version meets the desk's conflict box and is redone on
the new state. English and Arabic at laptop size, axe clean."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
import pytest

from domain.staff import StaffRole
from ops.demo import seed_demo
from persistence.unit_of_work import UnitsOfWork
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.desk_support import (
    LAPTOP,
    LIVE,
    MERCHANT,
    Backend,
    new_client,
    open_return,
    sign_in_as,
    staff_user,
)
from tests.clocks import FixedClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECOND = 1_000

CREATE_FEE_RULE = """mutation ($input: FeeRuleInput!) {
  createFeeRule(input: $input) { feeRule { id } userErrors { code message } } }"""
MONEY = """query ($id: ID!) { returnRequest(id: $id) {
  version fees { id kind waived waivedReason waivedBy }
  balance { currency approvedValue fees refunded credited remaining } } }"""


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def approved(live_app, http):
    """A return of 2 T-shirts (79 AED) and a cap (20 AED), approved under two fee rules:
    restocking at 10 % of each item, and return shipping at a flat 15 AED."""
    clock = FixedClock(NOW)
    served = await live_app(clock=clock)
    await seed_demo(UnitsOfWork(served.db, clock))
    backend = Backend(http, served.url, await new_client(served.db, clock))
    await backend.order("SO-1", now=NOW)
    rules = [
        {"kind": "RESTOCKING", "basis": "PERCENT_OF_ITEM", "value": "10"},
        {"kind": "RETURN_SHIPPING", "basis": "FLAT", "value": "15", "currency": "AED"},
    ]
    for rule in rules:
        answer = await backend.graphql(CREATE_FEE_RULE, {"input": {"merchant": MERCHANT, **rule}})
        assert answer["createFeeRule"]["userErrors"] == [], answer
    rid = await backend.create_return("SO-1")
    await backend.change("approveReturn", {"returnRequestId": rid}, user="bob@ops")
    emails = {
        role: await staff_user(served.db, clock, name, role)
        for role, name in ((StaffRole.VIEWER, "Vera Viewer"), (StaffRole.AGENT, "Aziz Agent"))
    }
    return served, backend, emails, rid


async def money(backend: Backend, rid: str) -> dict:
    return (await backend.graphql(MONEY, {"id": rid}))["returnRequest"]


def decimals(balance: list[dict]) -> list[dict]:
    """Amounts as numbers: "0" and "0.00" are the same money."""
    return [{k: v if k == "currency" else Decimal(v) for k, v in b.items()} for b in balance]


def fee_row(page, fee_id: str):
    return page.locator(f"table.fees tr[data-fee='{fee_id}']")


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_an_agent_waives_a_fee_and_the_viewers_desk_shows_it_waived_and_the_balance_live(
    approved, open_page, language
):
    served, backend, emails, rid = approved
    before = await money(backend, rid)
    shipping = next(fee for fee in before["fees"] if fee["kind"] == "RETURN_SHIPPING")
    viewer = await open_page(served.url, viewport=LAPTOP)
    agent = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(viewer, served.url, emails[StaffRole.VIEWER], lang=language)
    await sign_in_as(agent, served.url, emails[StaffRole.AGENT], lang=language)
    await open_return(viewer, rid)
    await open_return(agent, rid)
    fees_cell = viewer.locator("table.totals tr[data-currency=AED] td.fees")
    remaining_cell = viewer.locator("table.totals tr[data-currency=AED] td.remaining")
    fees_before = await fees_cell.inner_text()
    remaining_before = await remaining_cell.inner_text()
    viewer_rows = await viewer.locator("table.fees tbody tr").count()
    viewer_buttons = await viewer.locator("table.fees button").count()
    agent_buttons = await agent.locator("table.fees button.waive").count()
    await agent.locator("table.fees").scroll_into_view_if_needed()
    await screenshot(agent, f"desk-fees-{language}")
    assert await accessibility_problems(agent) == []

    await fee_row(agent, shipping["id"]).locator("button.waive").click()
    form = agent.locator(".action-form[data-action=WAIVE_FEE]")
    await form.locator("input[name=reason]").fill("Courier lost the first parcel")
    await screenshot(agent, f"desk-fee-waive-form-{language}")
    assert await accessibility_problems(agent) == []
    await form.locator("button.primary").click()
    await agent.locator(".message .done").wait_for()
    waived_fee = viewer.locator(f"table.fees tr[data-fee='{shipping['id']}'][data-waived=true]")
    await waived_fee.wait_for(timeout=2 * SECOND)
    await viewer.locator("table.totals td.fees", has_not_text=fees_before).wait_for(timeout=LIVE)
    await viewer.locator("table.fees").scroll_into_view_if_needed()
    await screenshot(viewer, f"desk-fee-waived-live-{language}")
    problems = await accessibility_problems(viewer)
    after = await money(backend, rid)
    waived_row = await fee_row(viewer, shipping["id"]).inner_text()

    assert len(before["fees"]) == viewer_rows == agent_buttons == 3  # 2 restocking, 1 shipping
    assert viewer_buttons == 0
    assert decimals(before["balance"]) == [
        {"currency": "AED", "approvedValue": Decimal("178"), "fees": Decimal("32.8"),
         "refunded": 0, "credited": 0, "remaining": Decimal("145.2")}
    ]  # fmt: skip
    assert decimals(after["balance"])[0]["fees"] == Decimal("17.8")
    assert decimals(after["balance"])[0]["remaining"] == Decimal("160.2")
    assert after["version"] == before["version"] + 1
    waived = next(fee for fee in after["fees"] if fee["id"] == shipping["id"])
    assert waived["waived"] and waived["waivedReason"] == "Courier lost the first parcel"
    assert waived["waivedBy"].startswith("Aziz Agent")
    assert "Courier lost the first parcel" in waived_row and "Aziz Agent" in waived_row
    assert await remaining_cell.inner_text() != remaining_before
    if language == "en":
        assert "17.80" in await fees_cell.inner_text()
        assert "160.20" in await remaining_cell.inner_text()
        assert "Waived" in waived_row
        assert "Fee waived" in await viewer.locator(".history").inner_text()
    else:
        assert "مُعفى" in waived_row
        assert "أُعفي من رسم" in await viewer.locator(".history").inner_text()
    assert await fee_row(agent, shipping["id"]).locator("button.waive").count() == 0
    assert problems == []
    assert viewer.console_errors == agent.console_errors == []


async def test_a_waiver_on_a_stale_version_meets_the_conflict_box_and_is_redone(
    approved, open_page
):
    served, backend, emails, rid = approved
    fees = (await money(backend, rid))["fees"]
    shipping = next(fee for fee in fees if fee["kind"] == "RETURN_SHIPPING")
    agent = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(agent, served.url, emails[StaffRole.AGENT])
    await open_return(agent, rid)
    await fee_row(agent, shipping["id"]).locator("button.waive").click()
    form = agent.locator(".action-form[data-action=WAIVE_FEE]")
    await form.locator("input[name=reason]").fill("Goodwill")
    # Another desk moves the request on while the form is open: a note, version + 1. The form
    # was opened on the old version; the live redraw keeps the form as it is.
    note = {"returnRequestId": rid, "text": "Customer called"}
    await backend.change("addReturnNote", note, user="bob@ops")
    await agent.locator("ol.history li", has_text="Note added").wait_for(timeout=2 * SECOND)
    await form.locator("button.primary").click()
    box = agent.locator(".message .conflict")
    await box.wait_for(timeout=2 * SECOND)
    await screenshot(agent, "desk-fee-waive-conflict-en")
    box_text = await box.inner_text()
    await box.locator("button.redo").click()
    await agent.locator(".message .done").wait_for()
    after = await money(backend, rid)

    assert "Note added" in box_text
    waived = next(fee for fee in after["fees"] if fee["id"] == shipping["id"])
    assert waived["waived"] and waived["waivedReason"] == "Goodwill"
    assert agent.console_errors == []


DEBIT = """mutation ($input: DebitStoreCreditInput!) {
  debitStoreCredit(input: $input) { userErrors { code message } } }"""
ACCOUNTS = """query ($id: ID!) { returnRequest(id: $id) { storeCreditAccounts { accountId } } }"""


async def test_a_refund_by_store_credit_and_a_storefront_debit_show_on_the_open_desk_live(
    approved, open_page
):
    served, backend, emails, rid = approved
    agent = await open_page(served.url, viewport=LAPTOP)
    await sign_in_as(agent, served.url, emails[StaffRole.AGENT])
    await open_return(agent, rid)
    credit_section = agent.locator("section[aria-labelledby=section-panel-storeCredit]")
    no_credit = await credit_section.inner_text()
    credit = {"returnRequestId": rid, "amount": "50.00", "currency": "AED",
              "outcome": "STORE_CREDIT"}  # fmt: skip
    await backend.change("addRefund", credit, user="bob@ops")
    balance = agent.locator("dl.store-credit dd[data-currency=AED]")
    await balance.wait_for(timeout=2 * SECOND)
    issued = await balance.inner_text()
    credited = await agent.locator("table.totals tr[data-currency=AED] td.credited").inner_text()
    outcome = await agent.locator(".refunds li [data-part=outcome]").inner_text()
    account = (await backend.graphql(ACCOUNTS, {"id": rid}))["returnRequest"]
    account_id = account["storeCreditAccounts"][0]["accountId"]
    # The storefront spends some: the event names the account, not this request.
    debit = {"idempotencyKey": "order-77", "accountId": account_id, "amount": "20.00"}
    answer = await backend.graphql(DEBIT, {"input": debit})
    await agent.locator("dl.store-credit dd[data-currency=AED]", has_text="30.00").wait_for(
        timeout=2 * SECOND
    )
    await credit_section.scroll_into_view_if_needed()
    await screenshot(agent, "desk-store-credit-en")
    problems = await accessibility_problems(agent)

    assert "The customer has no store credit with this merchant." in no_credit
    assert answer["debitStoreCredit"]["userErrors"] == []
    assert "50.00" in issued and "50.00" in credited
    assert "Store credit" in outcome
    assert problems == []
    assert agent.console_errors == []

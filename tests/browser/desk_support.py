"""What the desk's browser tests share: API clients with their raw credentials (for the
`Backend` that changes returns the way other systems do: GraphQL, Carriyo REST, the portal,
over real HTTP), staff users who sign in to the desk through its form (an operator of a
full-access client is an agent, of a read-only one a viewer), and page helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from core.settings import Settings
from core.staff import StaffAccounts
from domain.access import Role, new_tenant
from domain.ports import Clock
from domain.staff import StaffRole
from persistence.access import AccessStore
from persistence.database import Database

TENANT = "dev"
MERCHANT = "demo-store"
LAPTOP = {"width": 1366, "height": 800}
TABLET = {"width": 820, "height": 1180}

UPSERT_ORDER = """mutation ($input: UpsertOrderInput!) {
  upsertOrder(input: $input) { userErrors { code message } } }"""
CREATE_RETURN = """mutation ($input: CreateReturnInput!) {
  createReturn(input: $input) {
    returnRequest { returnRequestId version } userErrors { code field message } } }"""
CHANGE = """mutation ($input: %(input)s!) {
  %(name)s(input: $input) { returnRequest { returnRequestId version status }
  userErrors { code field message } } }"""

# How long a test waits for a change made elsewhere to show on a live page. The desk's promise
# (within a second of the commit, p99) is measured by test_browser_desk_latency.py over 100
# changes; elsewhere a test asserts that the change shows, once and in the right place, and
# must not fail because the other pytest worker held the CPU for a second.
LIVE = 5_000  # ms, Playwright's unit


STAFF_PASSWORD = "desk tests password"


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    api_key: str
    tenant_id: str
    role: Role = Role.FULL
    db: Database | None = field(default=None, compare=False, repr=False)
    clock: Clock | None = field(default=None, compare=False, repr=False)


async def new_client(db: Database, clock: Clock, role: Role = Role.FULL) -> Client:
    store = AccessStore(db)
    if await store.tenant(TENANT) is None:
        await store.create_tenant(new_tenant(TENANT, "Desk tests", clock.now()))
    issued = await store.create_client(TENANT, role, "desk tests", clock.now())
    return Client(
        issued.client.client_id, issued.client_secret, issued.api_key, TENANT, role, db, clock
    )


def staff_email(operator: str) -> str:
    """The e-mail a test operator ("alice@ops") signs in with."""
    local, _, domain = operator.lower().replace(" ", ".").partition("@")
    return f"{local}@{domain or 'ops'}.example"


async def staff_user(
    db: Database, clock: Clock, operator: str, role: StaffRole, tenant: str = TENANT
) -> str:
    """A staff user named `operator` with STAFF_PASSWORD (made once); their e-mail."""
    accounts = StaffAccounts(db, clock, Settings())
    email = staff_email(operator)
    known = [u for u in await accounts.store.users(tenant) if u.email == email]
    if not known:
        user, _ = await accounts.create_user(tenant, email, operator, role)
        await accounts.store.set_password_hash(user.id, accounts.passwords.hash(STAFF_PASSWORD))
    return email


class Backend:
    """Another system writing to returns-api over HTTP with its own API client."""

    def __init__(self, http: aiohttp.ClientSession, url: str, client: Client) -> None:
        self.http, self.url, self.client = http, url, client
        self.token: str | None = None

    async def headers(self, user: str | None = None) -> dict[str, str]:
        if self.token is None:
            body = {
                "grant_type": "client_credentials",
                "client_id": self.client.client_id,
                "client_secret": self.client.client_secret,
            }
            async with self.http.post(f"{self.url}/oauth/token", json=body) as response:
                self.token = (await response.json())["access_token"]
        headers = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.client.api_key,
            "tenant-id": self.client.tenant_id,
        }
        return headers | ({"X-User": user} if user else {})

    async def graphql(self, query: str, variables: dict[str, Any], user: str | None = None) -> Any:
        async with self.http.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers=await self.headers(user),
        ) as response:
            body = await response.json()
        assert "errors" not in body, body
        return body["data"]

    async def order(self, reference: str, quantity: int = 500, *, now: datetime) -> None:
        delivered = (now - timedelta(days=2)).isoformat()
        order = {
            "merchant": MERCHANT,
            "reference": reference,
            "currency": "AED",
            "customer": {"name": "Layla Haddad", "email": "layla@example.com", "phone": "+971501"},
            "deliveryAddress": {"address1": "12 Palm St", "city": "Dubai", "country": "AE"},
            "lines": [
                {"sku": "TSHIRT", "description": "T-shirt", "quantity": quantity,
                 "unitPrice": "79.00", "deliveredAt": delivered},
                {"sku": "CAP", "description": "Cap", "quantity": quantity,
                 "unitPrice": "20.00", "deliveredAt": delivered},
            ],
        }  # fmt: skip
        data = await self.graphql(UPSERT_ORDER, {"input": order})
        assert data["upsertOrder"]["userErrors"] == []

    async def create_return(self, reference: str, shirts: int = 2, caps: int = 1) -> str:
        items = [{"sku": "TSHIRT", "quantity": shirts, "reasonCode": "CHANGED_MIND"}]
        if caps:
            items.append({"sku": "CAP", "quantity": caps, "reasonCode": "WRONG_SIZE"})
        ask = {
            "merchant": MERCHANT,
            "orderReference": reference,
            "items": items,
            "pickup": {"contactName": "Layla", "address1": "12 Palm St", "city": "Dubai",
                       "country": "AE"},
            "dropoff": {"partnerLocationId": "WH-DXB"},
        }  # fmt: skip
        payload = (await self.graphql(CREATE_RETURN, {"input": ask}))["createReturn"]
        assert payload["userErrors"] == [], payload
        return payload["returnRequest"]["returnRequestId"]

    async def change(self, name: str, input: dict[str, Any], user: str | None = None) -> Any:
        document = CHANGE % {"name": name, "input": name[0].upper() + name[1:] + "Input"}
        payload = (await self.graphql(document, {"input": input}, user))[name]
        assert payload["userErrors"] == [], payload
        return payload["returnRequest"]

    async def carriyo_create(self, reference: str) -> str:
        body = {
            "merchant": MERCHANT,
            "partner_order_reference": reference,
            "items": [{"sku": "CAP", "quantity": 1, "return_reason": "CHANGED_MIND"}],
            "pickup": {"contact_name": "Layla", "address1": "12 Palm St", "city": "Dubai",
                       "country": "AE"},
            "dropoff": {"partner_location_id": "WH-DXB"},
            "resolution": "REFUND",
        }  # fmt: skip
        async with self.http.post(
            f"{self.url}/returns/requests", json=body, headers=await self.headers()
        ) as response:
            answer = await response.json()
        assert response.status == 200, answer
        return answer["return_request_id"]


async def sign_in(page: Any, url: str, client: Client, operator: str, lang: str = "en") -> None:
    """Through the sign-in form, as an operator would, as the staff user `operator` of the
    client's tenant (an agent; a viewer for a read-only client); waits until the feed is
    live."""
    assert client.db is not None and client.clock is not None
    role = StaffRole.VIEWER if client.role == Role.READ_ONLY else StaffRole.AGENT
    email = await staff_user(client.db, client.clock, operator, role, client.tenant_id)
    await sign_in_as(page, url, email, client.tenant_id, lang=lang)


async def sign_in_as(
    page: Any, url: str, email: str, tenant: str = TENANT, *, lang: str = "en",
    password: str = STAFF_PASSWORD,
) -> None:  # fmt: skip
    await page.goto(f"{url}/desk?lang={lang}")
    await page.fill("#signin-tenant", tenant)
    await page.fill("#signin-email", email)
    await page.fill("#signin-password", password)
    await page.press("#signin-password", "Enter")
    await live(page)


async def live(page: Any, wait_ms: float = 10_000) -> None:
    await page.locator("#live-status[data-state=live]").wait_for(timeout=wait_ms)


def row(page: Any, rid: str) -> Any:
    return page.locator(f"#queue li[data-rid='{rid}']")


async def open_return(page: Any, rid: str) -> None:
    await row(page, rid).locator("button").click()
    await page.locator("#panel-title", has_text=rid).wait_for()

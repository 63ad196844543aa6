"""What the staff-account tests share: users made the way an admin makes them (an invitation
link, then a password set through it), and a desk client that signs in as a browser does,
keeps the session cookie in its jar and sends the CSRF token on every GraphQL call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import ClientResponse, CookieJar
from aiohttp.test_utils import TestClient

from core.staff import StaffAccounts
from domain.access import new_tenant
from domain.staff import StaffRole
from ops.bootstrap import WIRING_KEY
from persistence.access import AccessStore

TENANT = "team"
PASSWORD = "correct horse battery staple"


@dataclass
class Desk:
    """One browser: its own cookie jar, the CSRF token its page read at sign-in."""

    http: aiohttp.ClientSession
    url: str
    csrf: str | None = None
    user: dict[str, Any] | None = None

    async def sign_in(
        self, email: str, password: str = PASSWORD, tenant: str = TENANT
    ) -> ClientResponse:
        response = await self.http.post(
            f"{self.url}/desk/session",
            json={"tenant": tenant, "email": email, "password": password},
        )
        if response.status == 200:
            body = await response.json()
            self.csrf, self.user = body["csrf"], body["user"]
        return response

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf} if self.csrf else {}

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> ClientResponse:
        return await self.http.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers() | headers,
        )

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.post(query, variables)
        assert response.status == 200, await response.text()
        return await response.json()

    def cookie(self) -> str:
        return next(c.value for c in self.http.cookie_jar if c.key == "returns_desk")


def staff(http: TestClient) -> StaffAccounts:
    return http.server.app[WIRING_KEY].staff


async def add_user(
    http: TestClient, email: str, role: StaffRole, *, name: str | None = None,
    password: str = PASSWORD, tenant: str = TENANT,
) -> str:  # fmt: skip
    """A user of `tenant` who accepted their invitation; returns the user's id."""
    wiring = http.server.app[WIRING_KEY]
    store = AccessStore(wiring.db)
    if await store.tenant(tenant) is None:
        await store.create_tenant(new_tenant(tenant, tenant, wiring.clock.now()))
    user, link = await wiring.staff.create_user(tenant, email, name, role)
    response = await http.post(
        "/desk/password", json={"token": link_token(link), "password": password}
    )
    assert response.status == 200, await response.text()
    return user.id


def link_token(link: str) -> str:
    fragment = urlsplit(link).fragment
    assert fragment.startswith("token="), link
    return fragment.removeprefix("token=")


def new_desk(http: TestClient, sessions: list[aiohttp.ClientSession]) -> Desk:
    """A browser of its own (cookie jar and all) on the server `http` talks to."""
    session = aiohttp.ClientSession(cookie_jar=CookieJar(unsafe=True))
    sessions.append(session)
    return Desk(session, str(http.make_url("")).rstrip("/"))

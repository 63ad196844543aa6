"""Desk sessions end to end: a staff user signs in at /desk/session and then calls /graphql
with the session cookie and its CSRF token. The cookie is HttpOnly and SameSite=Lax; without
the CSRF header, with a wrong one, after signing out, past the idle or absolute end, after a
password change and once the user is disabled, the same cookie is refused. Wrong passwords
are throttled (429 with Retry-After, the right password too); invitation links work once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.settings import Settings
from domain.staff import StaffRole
from ops.app import create_app
from persistence.database import Database
from tests.clocks import FixedClock
from tests.e2e.staff.staff_support import (
    PASSWORD,
    TENANT,
    Desk,
    add_user,
    link_token,
    new_desk,
    staff,
)

LIMIT = 3
VIEWER = "query { viewer { tenantId clientId staffUser { email name role } } }"
COUNT = "query { returnRequests(first: 1) { totalCount } }"


@pytest.fixture
async def http(db: Database, clock: FixedClock) -> AsyncIterator[TestClient]:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        auth_failures_per_minute=LIMIT,
        staff_session_idle_minutes=30,
        staff_session_hours=8,
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        yield client


@pytest.fixture
async def browsers() -> AsyncIterator[list[aiohttp.ClientSession]]:
    sessions: list[aiohttp.ClientSession] = []
    yield sessions
    for session in sessions:
        await session.close()


@pytest.fixture
async def agent(http: TestClient, browsers: list[aiohttp.ClientSession]) -> Desk:
    await add_user(http, "Sam@Example.com", StaffRole.AGENT, name="Sam Agent")
    desk = new_desk(http, browsers)
    response = await desk.sign_in("sam@example.com")
    assert response.status == 200, await response.text()
    return desk


async def unauthenticated(desk: Desk, **headers: str) -> None:
    response = await desk.post(COUNT, **headers)
    assert response.status == 401, await response.text()
    assert (await response.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_signing_in_sets_an_httponly_lax_cookie_and_the_desk_calls_graphql_with_it(
    http: TestClient, browsers: list[aiohttp.ClientSession]
) -> None:
    await add_user(http, "sam@example.com", StaffRole.AGENT, name="Sam Agent")
    desk = new_desk(http, browsers)

    response = await desk.sign_in("SAM@example.com ")

    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("returns_desk=rss_")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https (or an https public URL) adds it
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert body["user"] == {
        "id": body["user"]["id"],
        "email": "sam@example.com",
        "name": "Sam Agent",
        "role": "AGENT",
    }
    assert body["tenantId"] == TENANT and body["csrf"].startswith("rsc_")
    assert desk.cookie() not in await response.text()  # the page never sees the cookie
    viewer = (await desk.graphql(VIEWER))["data"]["viewer"]
    assert viewer["tenantId"] == TENANT
    assert viewer["staffUser"] == {"email": "sam@example.com", "name": "Sam Agent", "role": "AGENT"}
    shown = await (await desk.http.get(f"{desk.url}/desk/session")).json()
    assert shown["csrf"] == body["csrf"]  # a reload reads the same token


async def test_the_session_cookie_is_secure_when_the_service_is_reached_over_https(
    db: Database, clock: FixedClock, browsers: list[aiohttp.ClientSession]
) -> None:
    settings = Settings(
        migrate_on_start=False,
        webhook_interval_seconds=0,
        public_base_url="https://returns.example.com",
    )
    async with TestClient(TestServer(create_app(settings, db=db, clock=clock))) as client:
        await add_user(client, "sam@example.com", StaffRole.AGENT)
        response = await client.post(
            "/desk/session",
            json={"tenant": TENANT, "email": "sam@example.com", "password": PASSWORD},
        )
    assert "Secure" in response.headers["Set-Cookie"]


async def test_a_call_with_the_cookie_but_without_the_right_csrf_token_is_refused(
    agent: Desk,
) -> None:
    token = agent.csrf
    agent.csrf = None
    await unauthenticated(agent)
    await unauthenticated(agent, **{"X-CSRF-Token": "rsc_" + "0" * 64})
    await unauthenticated(agent, **{"X-CSRF-Token": ""})
    agent.csrf = token
    assert "errors" not in await agent.graphql(COUNT)


async def test_another_sessions_csrf_token_does_not_open_this_one(
    http: TestClient, agent: Desk, browsers: list[aiohttp.ClientSession]
) -> None:
    other = new_desk(http, browsers)
    assert (await other.sign_in("sam@example.com")).status == 200
    agent.csrf, other.csrf = other.csrf, agent.csrf
    await unauthenticated(agent)
    await unauthenticated(other)


async def test_the_sign_in_calls_refuse_another_sites_requests_and_form_bodies(
    http: TestClient, agent: Desk
) -> None:
    fields = {"tenant": TENANT, "email": "sam@example.com", "password": PASSWORD}
    cross_site = await http.post(
        "/desk/session", json=fields, headers={"Sec-Fetch-Site": "cross-site"}
    )
    as_form = await http.post("/desk/session", data=fields)
    sign_out = await agent.http.delete(f"{agent.url}/desk/session")  # no CSRF header

    assert cross_site.status == 403 and as_form.status == 400 and sign_out.status == 403
    assert "errors" not in await agent.graphql(COUNT)


@pytest.mark.parametrize(
    "body",
    [
        '{"tenant": "team", "email": "sam@example.com", "password": "nul\\u0000inside"}',
        '{"tenant": "team\\ud800", "email": "sam@example.com", "password": "pw"}',
        '{"tenant": "team", "email": ["sam@example.com"], "password": "pw"}',
        '{"tenant": "team", "email": "sam@example.com"}',
        '["not", "an", "object"]',
        "not json",
    ],
)
async def test_malformed_sign_ins_are_400_never_a_server_error(http: TestClient, body: str) -> None:
    await add_user(http, "sam@example.com", StaffRole.AGENT)
    response = await http.post(
        "/desk/session", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["code"] == "INVALID_INPUT"


async def test_a_socket_with_a_csrf_token_that_is_not_text_is_refused(agent: Desk) -> None:
    async with agent.http.ws_connect(
        f"{agent.url}/graphql", protocols=["graphql-transport-ws"]
    ) as ws:
        await ws.send_str('{"type": "connection_init", "payload": {"X-CSRF-Token": "\\ud800"}}')
        closed = await ws.receive(timeout=5)
    assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 4403


async def test_wrong_passwords_are_refused_alike_and_then_throttled_with_retry_after(
    http: TestClient, clock: FixedClock, browsers: list[aiohttp.ClientSession]
) -> None:
    await add_user(http, "sam@example.com", StaffRole.AGENT)
    desk = new_desk(http, browsers)
    wrong_password = await desk.sign_in("sam@example.com", "not the password")
    unknown_user = await desk.sign_in("nobody@example.com")
    assert wrong_password.status == unknown_user.status == 401
    assert (await wrong_password.json()) == (await unknown_user.json())

    for _ in range(LIMIT - 1):
        assert (await desk.sign_in("sam@example.com", "still wrong")).status == 401
    throttled = await desk.sign_in("sam@example.com")  # the right password, too late

    assert throttled.status == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert (await throttled.json())["error"]["code"] == "TOO_MANY_REQUESTS"
    clock.advance(minutes=1, seconds=1)
    assert (await desk.sign_in("sam@example.com")).status == 200


async def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(
    http: TestClient, agent: Desk, browsers: list[aiohttp.ClientSession]
) -> None:
    stolen = new_desk(http, browsers)
    stolen.http.cookie_jar.update_cookies({"returns_desk": agent.cookie()}, http.make_url("/"))
    stolen.csrf = agent.csrf
    assert "errors" not in await stolen.graphql(COUNT)

    response = await agent.http.delete(f"{agent.url}/desk/session", headers=agent.headers())

    assert response.status == 204
    assert "returns_desk=" in response.headers["Set-Cookie"]  # the browser forgets it too
    await unauthenticated(stolen)
    shown = await stolen.http.get(f"{stolen.url}/desk/session")
    assert await shown.json() == {"signedIn": False}


async def test_a_session_ends_after_its_idle_time_and_after_its_absolute_time(
    agent: Desk, clock: FixedClock
) -> None:
    for _ in range(4):  # busy: each call moves the idle end, up to the absolute end
        clock.advance(minutes=25)
        assert "errors" not in await agent.graphql(COUNT)
    clock.advance(minutes=31)
    await unauthenticated(agent)

    assert (await agent.sign_in("sam@example.com")).status == 200
    for _ in range(8 * 60 // 20 - 1):
        clock.advance(minutes=20)
        assert "errors" not in await agent.graphql(COUNT)
    clock.advance(minutes=20)  # eight hours after signing in, however busy
    await unauthenticated(agent)


async def test_changing_the_password_ends_every_other_session(
    http: TestClient, agent: Desk, browsers: list[aiohttp.ClientSession]
) -> None:
    elsewhere = new_desk(http, browsers)
    assert (await elsewhere.sign_in("sam@example.com")).status == 200
    wrong = await agent.http.post(
        f"{agent.url}/desk/session/password",
        json={"current": "not it", "new": "a brand new password"},
        headers=agent.headers(),
    )
    assert wrong.status == 400

    response = await agent.http.post(
        f"{agent.url}/desk/session/password",
        json={"current": PASSWORD, "new": "a brand new password"},
        headers=agent.headers(),
    )

    assert response.status == 200, await response.text()
    await unauthenticated(elsewhere)
    agent.csrf = (await response.json())["csrf"]  # this desk goes on, with a new session
    assert "errors" not in await agent.graphql(COUNT)
    assert (await elsewhere.sign_in("sam@example.com")).status == 401
    assert (await elsewhere.sign_in("sam@example.com", "a brand new password")).status == 200


async def test_a_password_reset_through_a_link_ends_the_users_sessions(
    http: TestClient, agent: Desk
) -> None:
    assert agent.user is not None
    link = await staff(http).reset_link(TENANT, agent.user["id"])
    response = await http.post(
        "/desk/password", json={"token": link_token(link), "password": "reset password 123"}
    )
    assert response.status == 200
    await unauthenticated(agent)


async def test_disabling_a_user_ends_their_sessions_and_bars_signing_in(
    http: TestClient, agent: Desk, browsers: list[aiohttp.ClientSession]
) -> None:
    await add_user(http, "ada@example.com", StaffRole.ADMIN)
    admin = new_desk(http, browsers)
    assert (await admin.sign_in("ada@example.com")).status == 200
    assert agent.user is not None

    changed = await admin.graphql(
        """mutation ($id: String!) { updateStaffUser(input: {id: $id, disabled: true}) {
             staffUser { disabled } userErrors { code } } }""",
        {"id": agent.user["id"]},
    )

    assert changed["data"]["updateStaffUser"] == {"staffUser": {"disabled": True}, "userErrors": []}
    await unauthenticated(agent)
    assert (await agent.sign_in("sam@example.com")).status == 401


async def test_an_invitation_link_works_once_and_only_within_its_time(
    http: TestClient, clock: FixedClock
) -> None:
    await add_user(http, "ada@example.com", StaffRole.ADMIN)
    accounts = staff(http)
    _, link = await accounts.create_user(TENANT, "new@example.com", "New", StaffRole.VIEWER)
    _, late = await accounts.create_user(TENANT, "late@example.com", "Late", StaffRole.VIEWER)
    assert link.startswith("http://") and "/desk/password#token=rsl_" in link

    short = await http.post("/desk/password", json={"token": link_token(link), "password": "short"})
    first = await http.post(
        "/desk/password", json={"token": link_token(link), "password": "first password"}
    )
    again = await http.post(
        "/desk/password", json={"token": link_token(link), "password": "second password"}
    )
    clock.advance(hours=73)
    expired = await http.post(
        "/desk/password", json={"token": link_token(late), "password": "late password"}
    )

    assert short.status == 400  # a refused password does not spend the link
    assert first.status == 200 and (await first.json())["email"] == "new@example.com"
    assert again.status == 401 and expired.status == 401


async def test_api_clients_keep_their_bearer_access_and_a_cookie_does_not_change_it(
    graphql_headers: dict[str, str], http: TestClient, agent: Desk
) -> None:
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers=graphql_headers | {"X-User": "ops bot"}
    )
    viewer = (await response.json())["data"]["viewer"]
    assert viewer["staffUser"] is None and viewer["clientId"].startswith("rc_")


@pytest.fixture
async def graphql_headers(db: Database, clock: FixedClock) -> dict[str, str]:
    from tests.e2e.conftest import credentials

    return await credentials(db, clock, TENANT)

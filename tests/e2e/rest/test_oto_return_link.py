"""POST /rest/v2/getReturnLink and the portal it points to: the link opens one order of one
tenant until it expires, and nothing else."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from core.settings import DEV_PORTAL_SECRET
from domain.access import Role
from tests.e2e.rest.oto_support import ORDER_ID, PUBLIC_URL, Oto, oto_settings, serve

PORTAL = "/portal/returns"


async def link_for(oto: Oto, order_id: str = ORDER_ID, headers=None) -> tuple[str, dict]:
    status, answer = await oto.post("getReturnLink", {"orderId": order_id}, headers)
    assert status == 200, answer
    url = urlsplit(answer["returnLink"])
    assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
    assert url.path == PORTAL
    return parse_qs(url.query)["token"][0], answer


async def portal(oto: Oto, token: str | None, body=None):
    params = {"token": token} if token is not None else {}
    no_credentials = {"Authorization": "", "x-api-key": "", "tenant-id": ""}
    if body is None:
        response = await oto.http.get(PORTAL, params=params, headers=no_credentials)
    else:
        response = await oto.http.post(PORTAL, params=params, json=body, headers=no_credentials)
    return response.status, await response.json()


async def test_the_link_answer_has_oto_fields_and_expires_in_72_hours(oto):
    await oto.order()
    _, answer = await link_for(oto)
    assert set(answer) == {"success", "orderId", "returnLink", "expiresAt"}
    assert (answer["success"], answer["orderId"]) == (True, ORDER_ID)
    assert answer["expiresAt"] == (oto.clock.now() + timedelta(hours=72)).isoformat()


async def test_the_portal_shows_the_order_and_what_can_be_returned(oto):
    await oto.order()
    token, _ = await link_for(oto)
    status, page = await portal(oto, token)
    assert status == 200
    assert set(page) == {"orderId", "merchant", "customerName", "items", "returns"}
    assert (page["orderId"], page["merchant"], page["returns"]) == (ORDER_ID, "acme", [])
    assert page["items"][0] == {
        "sku": "SKU045857",
        "name": "Abaya",
        "orderedQuantity": 2,
        "deliveredQuantity": 2,
        "returnableQuantity": 2,
        "returnable": True,
        "blockers": [],
        "exchangeOptions": [],  # the merchant pushed no variants
    }


async def test_a_customer_returns_through_the_portal_and_graphql_sees_it(oto):
    await oto.order()
    token, _ = await link_for(oto)
    status, created = await portal(
        oto, token, {"items": [{"sku": "SKU045857", "quantity": "1"}], "customerComment": "Too big"}
    )
    assert status == 201, created
    assert (created["status"], created["customerComment"]) == ("pending", "Too big")
    seen = await oto.request(created["returnRequestId"])
    assert (seen["channel"], seen["creationSource"]) == ("PORTAL", {"source": "PORTAL"})
    assert seen["pickup"]["address1"] == "King Fahd Rd 1"
    _, page = await portal(oto, token)
    assert page["items"][0]["returnableQuantity"] == 1
    assert [r["returnRequestId"] for r in page["returns"]] == [created["returnRequestId"]]


async def test_portal_refusals_name_the_field(oto):
    await oto.order()
    token, _ = await link_for(oto)
    status, answer = await portal(oto, token, {"items": [{"sku": "SKU045857", "quantity": "9"}]})
    assert (status, answer["errors"][0]["code"]) == (400, "QUANTITY_EXCEEDED")
    status, answer = await portal(oto, token, {"items": [{"sku": "SKU045857", "quantity": "x"}]})
    assert (status, answer["errors"][0]["field"]) == (400, "items[0].quantity")
    status, answer = await portal(oto, token, {"nothing": True})
    assert (status, answer["errors"][0]["field"]) == (400, "items")


async def test_an_expired_link_is_refused_with_401(oto):
    await oto.order()
    token, _ = await link_for(oto)
    oto.clock.advance(hours=72)
    for body in (None, {"items": [{"sku": "SKU045857", "quantity": "1"}]}):
        status, answer = await portal(oto, token, body)
        assert status == 401
        assert answer["errors"] == [
            {
                "code": "UNAUTHENTICATED",
                "field": "token",
                "message": "this return link has expired; ask the shop for a new one",
            }
        ]


@pytest.mark.parametrize("mangle", ["flip", "truncate", "swap", "none", "garbage"])
async def test_a_tampered_or_missing_token_opens_nothing(oto, mangle):
    await oto.order()
    await oto.order("OTHER-1")
    token, _ = await link_for(oto)
    other, _ = await link_for(oto, "OTHER-1")
    changed = {
        "flip": token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:],
        "truncate": token[:-1],
        "swap": ".".join([*token.split(".")[:1], other.split(".")[1], token.split(".")[2]]),
        "none": None,
        "garbage": "not-a-token",
    }[mangle]
    status, answer = await portal(oto, changed)
    assert status == (401 if mangle == "none" else 403)
    assert answer["errors"][0]["code"] == ("UNAUTHENTICATED" if mangle == "none" else "FORBIDDEN")


async def test_a_link_for_order_a_never_reads_or_writes_order_b(oto):
    await oto.order()
    await oto.order("OTHER-1")
    token, _ = await link_for(oto)
    _, page = await portal(oto, token)
    assert page["orderId"] == ORDER_ID
    # The body cannot redirect the write: order and merchant come from the token only.
    status, created = await portal(
        oto,
        token,
        {
            "orderId": "OTHER-1",
            "merchant": "globex",
            "items": [{"sku": "SKU000001", "quantity": "1"}],
        },
    )
    assert status == 201
    assert created["orderId"] == ORDER_ID
    other_token, _ = await link_for(oto, "OTHER-1")
    _, other_page = await portal(oto, other_token)
    assert other_page["returns"] == []


async def test_a_link_of_one_tenant_never_reaches_another(oto):
    await oto.order()
    other = await oto.headers_of("other-co")
    await oto.order(headers=other)
    token, _ = await link_for(oto)
    status, created = await portal(oto, token, {"items": [{"sku": "SKU045857", "quantity": "2"}]})
    assert status == 201
    assert await oto.request(created["returnRequestId"]) is not None
    # The other tenant's same-named order is untouched, and its link shows its own state.
    other_token, _ = await link_for(oto, headers=other)
    _, page = await portal(oto, other_token)
    assert page["returns"] == [] and page["items"][0]["returnableQuantity"] == 2
    status, _ = await oto.post("getReturnDetails", {"orderId": ORDER_ID}, other)
    assert status == 404


async def test_only_full_access_keys_may_hand_out_links(oto):
    await oto.order()
    read_only = await oto.headers_of("default", Role.READ_ONLY)
    status, answer = await oto.post("getReturnLink", {"orderId": ORDER_ID}, read_only)
    assert (status, answer["errors"][0]["code"]) == (403, "FORBIDDEN")


async def test_an_unknown_order_gets_no_link(oto):
    status, answer = await oto.post("getReturnLink", {"orderId": "404"})
    assert (status, answer["errors"][0]) == (
        404,
        {"code": "NOT_FOUND", "field": "orderId", "message": "order 404 not found"},
    )


async def test_without_a_portal_secret_links_and_portal_are_unavailable(db, clock):
    async for client in serve(db, clock, oto_settings(portal_secret=None)):
        oto = Oto(client, db, clock)
        await oto.order()
        status, answer = await oto.post("getReturnLink", {"orderId": ORDER_ID})
        assert (status, answer["errors"][0]["code"]) == (503, "UNAVAILABLE")
        status, answer = await portal(oto, "v1.abc.def")
        assert (status, answer["errors"][0]["code"]) == (503, "UNAVAILABLE")


def test_the_development_secret_is_used_only_in_development():
    assert oto_settings(portal_secret=None).portal_key() is None
    development = oto_settings(portal_secret=None, dev_credentials=True)
    assert development.portal_key() == DEV_PORTAL_SECRET.encode()
    assert oto_settings().portal_key() != DEV_PORTAL_SECRET.encode()

"""Exchange events out (issue 27): a webhook endpoint that wants ExchangeReleased gets it
once, signed, with the lines and the ship-to address beside the request as Carriyo shows it
(whose resolution names the merchant's exchange resolution); a subscriber of the event log
sees it too."""

from __future__ import annotations

from domain.webhooks import verify
from tests.e2e.graphql.conftest import ReturnsApi
from tests.e2e.graphql.test_graphql_exchanges import create, run, stock, swap
from tests.e2e.graphql.test_graphql_webhooks import SECRET, local_sender, receiver, register

__all__ = ["receiver"]  # the fixture, used by name

RESOLUTION = """mutation { createResolution(input: {merchant: "acme", code: "EXCH",
  name: "Exchange", isExchange: true}) { userErrors { code } } }"""


async def test_exchange_released_is_posted_once_signed_with_its_lines(graphql, receiver, db, clock):
    target, url = receiver
    api = ReturnsApi(graphql)
    await api.upsert_order()
    await stock(graphql, releaseOn="APPROVAL")
    assert (await graphql.data(RESOLUTION))["createResolution"]["userErrors"] == []
    await register(graphql, url, eventTypes=["ExchangeReleased"])

    rid = (await create(graphql, [swap("SHIRT-L")]))["returnRequest"]["returnRequestId"]
    approved = await api.change("approveReturn", {"returnRequestId": rid})
    assert approved["resolutionCode"] == "EXCH"
    again = await run(graphql, "releaseExchange", {"returnRequestId": rid})
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"

    sent = await local_sender(db, clock).send_due()

    assert sent == 1
    [(headers, body)] = target.received
    assert headers["X-Returns-Event-Type"] == "ExchangeReleased"
    assert verify(SECRET, headers["X-Returns-Signature"], headers, body)
    [delivered] = target.bodies()
    assert delivered["event_type"] == "ExchangeReleased"
    facts = delivered["payload"]
    assert facts["lines"] == [["XL-1", "SHIRT-L", 1, "SHIRT-M", "49.90", "AED"]]
    assert facts["ship_to"]["address1"] == "1 Palm St"
    assert facts["order_reference"] == "SO-1001"
    assert delivered["return_request"]["return_request_id"] == rid
    assert delivered["return_request"]["resolution"] == "EXCH"
    assert await local_sender(db, clock).send_due() == 0

    log = await graphql.data("{ returnEvents(first: 50) { edges { node { eventType payload } } } }")
    released = [
        e["node"]
        for e in log["returnEvents"]["edges"]
        if e["node"]["eventType"] == "ExchangeReleased"
    ]
    assert len(released) == 1 and released[0]["payload"]["lines"][0][0] == "XL-1"

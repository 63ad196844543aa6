"""Carriyo's refund call goes through the same use case as addRefund, so fees cap it too
(issue 24): a refund above the approved value less fees is the same 400
REFUND_EXCEEDS_VALUE, and the refund info keeps its wire shape, its `remaining` now net
of fees."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.rest.carriyo_client import MERCHANT, Carriyo

REQUESTS = "/returns/requests"
CREATE_RULE = """
mutation ($input: FeeRuleInput!) {
  createFeeRule(input: $input) { feeRule { id } userErrors { code } }
}
"""
SHIPPING = {"merchant": MERCHANT, "kind": "RETURN_SHIPPING", "basis": "FLAT", "value": "15",
            "currency": "AED"}  # fmt: skip


async def test_a_carriyo_refund_is_capped_by_fees_in_the_same_wire_shape(carriyo: Carriyo) -> None:
    response = await carriyo.http.post(
        "/graphql", json={"query": CREATE_RULE, "variables": {"input": SHIPPING}}
    )
    assert (await response.json())["data"]["createFeeRule"]["userErrors"] == []
    rid = (await carriyo.approved())["return_request_id"]  # 2 x 49.90 approved

    status, refused = await carriyo.call(
        "POST", f"{REQUESTS}/{rid}/refunds", {"amount": 84.81, "currency": "AED"}
    )

    assert status == 400
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("REFUND_EXCEEDS_VALUE", "amount")
    info = (await carriyo.get(rid))[1]["refund_info"]
    assert info == {
        "refunds": [],
        "totals": [{"currency": "AED", "approved_value": 99.8, "refunded": 0, "remaining": 84.8}],
    }
    await carriyo.ok("POST", f"{REQUESTS}/{rid}/refunds", {"amount": 84.8, "currency": "AED"})
    [total] = (await carriyo.get(rid))[1]["refund_info"]["totals"]
    assert total.keys() == {"currency", "approved_value", "refunded", "remaining"}
    assert Decimal(str(total["remaining"])) == 0

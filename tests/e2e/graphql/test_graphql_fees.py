"""Fees and the quote over GraphQL (issue 24, items 1, 3 and 4): fee rules as merchant
configuration, fees and the balance on a request, waiveReturnFee and setReturnFee with
their errors, the refund cap less fees, events, and quoteReturn, which writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.graphql.conftest import DROPOFF, MERCHANT, ORDER_REFERENCE, PICKUP, ReturnsApi

CREATE_RULE = """
mutation ($input: FeeRuleInput!) {
  createFeeRule(input: $input) {
    feeRule { id kind basis value currency reasons conditions waivingReasons }
    userErrors { code field message }
  }
}
"""
DELETE_RULE = """
mutation ($input: DeleteFeeRuleInput!) {
  deleteFeeRule(input: $input) { deleted userErrors { code field message } }
}
"""
RULES = "query ($m: String!) { feeRules(merchant: $m) { id kind basis value } }"
FEE_FIELDS = """
  id kind basis amount charged currency ruleId sku rate waived waivedReason waivedBy
  setByHand setBy setReason
"""
MONEY = f"""
query ($id: ID!) {{
  returnRequest(id: $id) {{
    version
    fees {{ {FEE_FIELDS} }}
    balance {{ currency approvedValue fees refunded credited remaining }}
    refundTotals {{ currency approvedValue refunded remaining }}
  }}
}}
"""
CHANGE = """
mutation ($input: %sInput!) {
  %s(input: $input) {
    returnRequest { version fees { id kind amount charged waived waivedBy waivedReason
      setByHand setBy setReason } balance { fees remaining } }
    userErrors { code field message }
  }
}
"""
ADD_REFUND = """
mutation ($input: AddRefundInput!) {
  addRefund(input: $input) { refund { amount } userErrors { code field message } }
}
"""
QUOTE = f"""
query ($input: QuoteReturnInput!) {{
  quoteReturn(input: $input) {{
    quote {{
      lines {{ sku quantity currency value net fees {{ kind amount charged }} }}
      fees {{ {FEE_FIELDS} }}
      totals {{ currency value fees net outcomes {{ outcome amount bonus total }} }}
    }}
    userErrors {{ code field message }}
  }}
}}
"""
EVENT_TYPES = """
query ($id: ID!) { returnRequest(id: $id) { events { eventType } } }
"""
POSITION = "{ eventLogPosition }"

SHIPPING = {"kind": "RETURN_SHIPPING", "basis": "FLAT", "value": "15", "currency": "AED"}
RESTOCKING = {"kind": "RESTOCKING", "basis": "PERCENT_OF_ITEM", "value": "10"}


async def add_rule(api: ReturnsApi, **rule: Any) -> dict[str, Any]:
    data = await api.graphql.data(CREATE_RULE, {"input": {"merchant": MERCHANT, **rule}})
    payload = data["createFeeRule"]
    assert payload["userErrors"] == [], payload
    return payload["feeRule"]


async def money(api: ReturnsApi, rid: str) -> dict[str, Any]:
    return (await api.graphql.data(MONEY, {"id": rid}))["returnRequest"]


async def change(api: ReturnsApi, name: str, input: dict[str, Any], user: str | None = None):
    headers = {"X-User": user} if user else None
    data = await api.graphql.data(CHANGE % (name[0].upper() + name[1:], name), {"input": input},
                                  headers=headers)  # fmt: skip
    return data[name]


async def refund(api: ReturnsApi, rid: str, amount: str) -> dict[str, Any]:
    input = {"returnRequestId": rid, "amount": amount, "currency": "AED"}
    return (await api.graphql.data(ADD_REFUND, {"input": input}))["addRefund"]


async def approved_with_fees(api: ReturnsApi, reason: str = "CHANGED_MIND") -> str:
    await add_rule(api, **SHIPPING, waivingReasons=["DEFECTIVE"])
    await add_rule(api, **RESTOCKING, conditions=["OPENED"])
    request = await api.approved_return(
        items=[{"sku": "SHIRT-M", "quantity": 2, "reasonCode": reason}]
    )
    return request["returnRequestId"]


# ------------------------------------------------------------------ configuration


async def test_fee_rules_are_merchant_configuration(api: ReturnsApi) -> None:
    rule = await add_rule(api, **SHIPPING, waivingReasons=["DEFECTIVE"])
    assert rule["id"].startswith("FR-") and rule["waivingReasons"] == ["DEFECTIVE"]
    listed = await api.graphql.data(RULES, {"m": MERCHANT})
    assert listed["feeRules"] == [
        {"id": rule["id"], "kind": "RETURN_SHIPPING", "basis": "FLAT", "value": "15"}
    ]
    assert (await api.graphql.data(RULES, {"m": "other"}))["feeRules"] == []
    deleted = await api.graphql.data(
        DELETE_RULE, {"input": {"merchant": MERCHANT, "id": rule["id"]}}
    )
    assert deleted["deleteFeeRule"] == {"deleted": True, "userErrors": []}
    again = await api.graphql.data(DELETE_RULE, {"input": {"merchant": MERCHANT, "id": rule["id"]}})
    assert again["deleteFeeRule"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"kind": "HANDLING", "basis": "PERCENT_OF_RETURN", "value": "101"}, "value"),
        ({"kind": "HANDLING", "basis": "FLAT", "value": "5"}, "currency"),
        ({"kind": "HANDLING", "basis": "FLAT", "value": "0", "currency": "AED"}, "value"),
    ],
)
async def test_a_fee_rule_that_makes_no_sense_is_refused(api: ReturnsApi, rule, field) -> None:
    data = await api.graphql.data(CREATE_RULE, {"input": {"merchant": MERCHANT, **rule}})
    assert data["createFeeRule"]["feeRule"] is None
    [error] = data["createFeeRule"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert (await api.graphql.data(RULES, {"m": MERCHANT}))["feeRules"] == []


# ------------------------------------------------------------------ on a request


async def test_fees_and_the_balance_show_on_the_request_and_cap_refunds(api: ReturnsApi) -> None:
    rid = await approved_with_fees(api)
    shown = await money(api, rid)
    [fee] = shown["fees"]
    assert fee | {"id": None, "ruleId": None} == {
        "id": None, "kind": "RETURN_SHIPPING", "basis": "FLAT", "amount": "15.00",
        "charged": "15.00", "currency": "AED", "ruleId": None, "sku": None, "rate": "15",
        "waived": False, "waivedReason": None, "waivedBy": None, "setByHand": False,
        "setBy": None, "setReason": None,
    }  # fmt: skip
    assert shown["balance"] == [
        {"currency": "AED", "approvedValue": "99.80", "fees": "15.00", "refunded": "0",
         "credited": "0", "remaining": "84.80"}
    ]  # fmt: skip
    assert shown["refundTotals"][0]["remaining"] == "84.80"
    over = await refund(api, rid, "84.81")
    assert [e["code"] for e in over["userErrors"]] == ["REFUND_EXCEEDS_VALUE"]
    assert (await refund(api, rid, "84.80"))["userErrors"] == []
    assert (await money(api, rid))["balance"][0]["remaining"] == "0.00"


async def test_no_fee_on_a_merchant_fault_reason(api: ReturnsApi) -> None:
    rid = await approved_with_fees(api, reason="DEFECTIVE")
    [fee] = (await money(api, rid))["fees"]
    assert (fee["waived"], fee["charged"], fee["waivedReason"]) == (
        True, "0", "reason DEFECTIVE waives this fee"
    )  # fmt: skip
    assert (await refund(api, rid, "99.80"))["userErrors"] == []


async def test_a_waived_fee_says_who_and_why_and_survives_receipt(api: ReturnsApi) -> None:
    rid = await approved_with_fees(api)
    before = await money(api, rid)
    fee_id = before["fees"][0]["id"]
    stale = {"returnRequestId": rid, "feeId": fee_id, "reason": "x", "expectedVersion": 0}
    conflict = await change(api, "waiveReturnFee", stale)
    assert [e["code"] for e in conflict["userErrors"]] == ["VERSION_CONFLICT"]
    missing = await change(
        api, "waiveReturnFee", {**stale, "feeId": "FE-NOPE", "expectedVersion": None}
    )
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", "feeId")]

    waive = {"returnRequestId": rid, "feeId": fee_id, "reason": "courier lost it",
             "expectedVersion": before["version"]}  # fmt: skip
    payload = await change(api, "waiveReturnFee", waive, user="sam@acme.example")
    assert payload["userErrors"] == []
    [fee] = payload["returnRequest"]["fees"]
    assert (fee["waived"], fee["waivedBy"], fee["waivedReason"], fee["setByHand"]) == (
        True, "sam@acme.example", "courier lost it", True
    )  # fmt: skip
    assert payload["returnRequest"]["balance"] == [{"fees": "0", "remaining": "99.80"}]

    await api.change("receiveReturn", {"returnRequestId": rid,
        "items": [{"sku": "SHIRT-M", "quantity": 2, "itemCondition": "OPENED"}]})  # fmt: skip
    after = await money(api, rid)
    assert [(f["kind"], f["charged"], f["waived"]) for f in after["fees"]] == [
        ("RETURN_SHIPPING", "0", True), ("RESTOCKING", "9.98", False)
    ]  # fmt: skip
    events = await api.graphql.data(EVENT_TYPES, {"id": rid})
    types = [e["eventType"] for e in events["returnRequest"]["events"]]
    assert types.count("ReturnFeeApplied") == 2 and types.count("ReturnFeeWaived") == 1


async def test_a_fee_set_by_hand_survives_receipt(api: ReturnsApi) -> None:
    rid = await approved_with_fees(api)
    fee_id = (await money(api, rid))["fees"][0]["id"]
    set_it = {"returnRequestId": rid, "feeId": fee_id, "amount": "5", "reason": "goodwill"}
    payload = await change(api, "setReturnFee", set_it, user="sam@acme.example")
    assert payload["userErrors"] == []
    await api.change(
        "receiveReturn", {"returnRequestId": rid, "items": [{"sku": "SHIRT-M", "quantity": 2}]}
    )
    [fee] = (await money(api, rid))["fees"]
    assert (fee["amount"], fee["setByHand"], fee["setBy"], fee["setReason"]) == (
        "5.00", True, "sam@acme.example", "goodwill"
    )  # fmt: skip
    types = [
        e["eventType"]
        for e in (await api.graphql.data(EVENT_TYPES, {"id": rid}))["returnRequest"]["events"]
    ]
    assert "ReturnFeeSet" in types


async def test_setting_a_fee_is_refused_where_it_cannot_be(api: ReturnsApi) -> None:
    pending = (await api.pending_return())["returnRequestId"]
    new_fee = {"kind": "HANDLING", "currency": "AED", "amount": "1"}
    refused = await change(api, "setReturnFee", {"returnRequestId": pending, **new_fee})
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TRANSITION"]

    rid = (await api.change("approveReturn", {"returnRequestId": pending}))["returnRequestId"]
    too_much = await change(
        api, "setReturnFee", {"returnRequestId": rid, **new_fee, "amount": "99.81"}
    )
    assert [(e["code"], e["field"]) for e in too_much["userErrors"]] == [
        ("FEE_EXCEEDS_VALUE", "amount")
    ]
    no_kind = await change(api, "setReturnFee", {"returnRequestId": rid, "amount": "1"})
    assert [e["code"] for e in no_kind["userErrors"]] == ["INVALID_INPUT"]
    decimals = await change(
        api, "setReturnFee", {"returnRequestId": rid, **new_fee, "amount": "0.001"}
    )
    assert [e["code"] for e in decimals["userErrors"]] == ["INVALID_INPUT"]
    assert (await money(api, rid))["fees"] == []


# ------------------------------------------------------------------ the quote


def create_input(reason: str = "CHANGED_MIND") -> dict[str, Any]:
    return {
        "merchant": MERCHANT,
        "orderReference": ORDER_REFERENCE,
        "items": [
            {"sku": "SHIRT-M", "quantity": 2, "reasonCode": reason},
            {"sku": "CAP", "quantity": 1, "reasonCode": reason},
        ],
        "pickup": PICKUP,
        "dropoff": DROPOFF,
    }


async def test_a_quote_for_a_new_return_shows_lines_fees_and_outcomes_and_writes_nothing(
    api: ReturnsApi,
) -> None:
    await api.upsert_order()
    await add_rule(api, **SHIPPING)
    await add_rule(api, **RESTOCKING)
    position = (await api.graphql.data(POSITION))["eventLogPosition"]

    data = await api.graphql.data(QUOTE, {"input": {"create": create_input()}})

    result = data["quoteReturn"]
    assert result["userErrors"] == []
    quote = result["quote"]
    assert [(q["sku"], q["quantity"], q["value"], q["net"]) for q in quote["lines"]] == [
        ("SHIRT-M", 2, "99.80", "89.82"), ("CAP", 1, "20.00", "18.00")
    ]  # fmt: skip
    assert [(f["kind"], f["sku"], f["amount"]) for f in quote["fees"]] == [
        ("RETURN_SHIPPING", None, "15.00"), ("RESTOCKING", "SHIRT-M", "9.98"),
        ("RESTOCKING", "CAP", "2.00"),
    ]  # fmt: skip
    assert quote["totals"] == [
        {"currency": "AED", "value": "119.80", "fees": "26.98", "net": "92.82", "outcomes": [
            {"outcome": "MONEY", "amount": "92.82", "bonus": "0.00", "total": "92.82"},
            {"outcome": "STORE_CREDIT", "amount": "92.82", "bonus": "0.00", "total": "92.82"},
        ]}
    ]  # fmt: skip
    assert await api.count() == 0
    assert (await api.graphql.data(POSITION))["eventLogPosition"] == position


async def test_a_quote_of_a_return_that_exists_shows_its_fees_as_they_stand(
    api: ReturnsApi,
) -> None:
    rid = await approved_with_fees(api, reason="DEFECTIVE")
    data = await api.graphql.data(QUOTE, {"input": {"returnRequestId": rid}})
    [total] = data["quoteReturn"]["quote"]["totals"]
    assert (total["value"], total["fees"], total["net"]) == ("99.80", "0", "99.80")


async def test_a_quote_refuses_what_create_would_refuse(api: ReturnsApi) -> None:
    await api.upsert_order()
    too_many = create_input()
    too_many["items"][0]["quantity"] = 9
    data = await api.graphql.data(QUOTE, {"input": {"create": too_many}})
    assert data["quoteReturn"]["quote"] is None
    assert [e["code"] for e in data["quoteReturn"]["userErrors"]] == ["QUANTITY_EXCEEDED"]
    both = await api.graphql.data(
        QUOTE, {"input": {"create": create_input(), "returnRequestId": "RR-X"}}
    )
    assert [e["code"] for e in both["quoteReturn"]["userErrors"]] == ["INVALID_INPUT"]
    missing = await api.graphql.data(QUOTE, {"input": {"returnRequestId": "RR-NOPE2345"}})
    assert [e["code"] for e in missing["quoteReturn"]["userErrors"]] == ["NOT_FOUND"]

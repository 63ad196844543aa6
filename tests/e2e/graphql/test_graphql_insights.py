"""`returnInsights`: each chart's figures against data whose answer is known, on both
databases, one aggregate statement per chart, the merchant's names in the language asked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from tests.clocks import FixedClock
from tests.e2e.graphql.conftest import ReturnsApi

INSIGHTS = """
query Insights($merchant: String!, $from: DateTime!, $to: DateTime!) {
  returnInsights(merchant: $merchant, from: $from, to: $to) {
    merchant
    products { sku returns returnedUnits orderedUnits returnRate }
    reasons { sku reasonCode units reason(language: "ar") { name } }
    outcomes { refundTypeCode currency refunds amount refundType { name } }
    timeToRefund { bucket requests averageHours }
    moneyPerWeek { weekStart currency amount }
  }
}
"""
ONE_CHART = """
query One($merchant: String!, $from: DateTime!, $to: DateTime!) {
  returnInsights(merchant: $merchant, from: $from, to: $to) { products { sku } }
}
"""
REASON = """
mutation ($input: ReturnReasonInput!) {
  createReturnReason(input: $input) { userErrors { code message } }
}
"""
REFUND_TYPE = """
mutation ($input: ScopedReferenceCodeInput!) {
  createRefundType(input: $input) { userErrors { code message } }
}
"""
PERIOD = {"merchant": "acme", "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
LINES = [
    {"sku": "SHIRT-M", "quantity": 4, "unitPrice": "49.90"},
    {"sku": "CAP", "quantity": 2, "unitPrice": "20.00"},
]


async def configure(api: ReturnsApi) -> None:
    for code, name, arabic in (("SIZE", "Wrong size", "مقاس خاطئ"), ("DAMAGED", "Damaged", "تالف")):
        data = await api.graphql.data(REASON, {"input": {
            "merchant": "acme", "code": code, "name": name,
            "translations": [{"language": "ar", "text": arabic}]}})  # fmt: skip
        assert data["createReturnReason"]["userErrors"] == []
    data = await api.graphql.data(
        REFUND_TYPE, {"input": {"merchant": "acme", "code": "CARD", "name": "Card"}}
    )
    assert data["createRefundType"]["userErrors"] == []


async def seed(api: ReturnsApi, clock: FixedClock) -> None:
    """Two orders of 4 shirts and 2 caps. Returns: 3 shirts (2 SIZE, 1 DAMAGED) and 1 cap
    (SIZE). Refunds: 49.90 on day 0 + 2 h (CARD), 20.00 + 10.005 after 5 days."""
    await configure(api)
    for reference in ("A-1", "A-2"):
        await api.upsert_order(reference, LINES)
    first = await api.create_return(
        [{"sku": "SHIRT-M", "quantity": 2, "reasonCode": "SIZE"},
         {"sku": "CAP", "quantity": 1, "reasonCode": "SIZE"}], reference="A-1")  # fmt: skip
    second = await api.create_return(
        [{"sku": "SHIRT-M", "quantity": 1, "reasonCode": "DAMAGED"}], reference="A-2"
    )
    for request in (first, second):
        await api.change("approveReturn", {"returnRequestId": request["returnRequestId"]})
    clock.advance(hours=2)
    await refund(api, second, "49.90", "CARD")
    clock.advance(days=5)
    await refund(api, first, "20.00", None)
    await refund(api, first, "10.005", None)


async def refund(api: ReturnsApi, request: dict[str, Any], amount: str, kind: str | None) -> None:
    values = {"returnRequestId": request["returnRequestId"], "amount": amount, "currency": "AED"}
    await api.change("addRefund", values | ({"refundType": kind} if kind else {}))


async def test_each_chart_counts_what_happened(
    api: ReturnsApi, clock: FixedClock, statements: Any
) -> None:
    await seed(api, clock)
    statements.reset()
    data = (await api.graphql.data(INSIGHTS, PERIOD))["returnInsights"]
    charts = list(statements.statements)
    assert data["products"] == [
        {"sku": "SHIRT-M", "returns": 2, "returnedUnits": 3, "orderedUnits": 8,
         "returnRate": 0.375},
        {"sku": "CAP", "returns": 1, "returnedUnits": 1, "orderedUnits": 4, "returnRate": 0.25},
    ]  # fmt: skip
    assert data["reasons"] == [
        {"sku": "SHIRT-M", "reasonCode": "SIZE", "units": 2, "reason": {"name": "مقاس خاطئ"}},
        {"sku": "CAP", "reasonCode": "SIZE", "units": 1, "reason": {"name": "مقاس خاطئ"}},
        {"sku": "SHIRT-M", "reasonCode": "DAMAGED", "units": 1, "reason": {"name": "تالف"}},
    ]
    assert data["outcomes"] == [
        {"refundTypeCode": "CARD", "currency": "AED", "refunds": 1, "amount": "49.90",
         "refundType": {"name": "Card"}},
        {"refundTypeCode": None, "currency": "AED", "refunds": 2, "amount": "30.005",
         "refundType": None},
    ]  # fmt: skip
    delays = {d["bucket"]: (d["requests"], d["averageHours"]) for d in data["timeToRefund"]}
    assert delays == {
        "UNDER_1_DAY": (1, 2.0),
        "DAYS_1_TO_3": (0, 0.0),
        "DAYS_3_TO_7": (1, 122.0),
        "DAYS_7_TO_14": (0, 0.0),
        "OVER_14_DAYS": (0, 0.0),
    }
    assert sum(Decimal(w["amount"]) for w in data["moneyPerWeek"]) == Decimal("79.905")
    assert all(w["currency"] == "AED" for w in data["moneyPerWeek"])
    # one statement per chart: the five cost five times what one costs
    statements.reset()
    await api.graphql.data(ONE_CHART, PERIOD)
    one = len(statements.statements)
    assert len([s for s in charts if "reference_entries" not in s]) == 5 * one
    assert len({s for s in charts if "reference_entries" not in s}) == 5


async def test_money_is_summed_per_week_starting_monday(api: ReturnsApi, clock: FixedClock) -> None:
    start = clock.now()
    await seed(api, clock)
    data = (await api.graphql.data(INSIGHTS, PERIOD))["returnInsights"]
    expected: dict[str, Decimal] = {}
    for moment, amount in ((start + timedelta(hours=2), "49.90"),
                           (start + timedelta(days=5, hours=2), "30.005")):  # fmt: skip
        monday = (moment - timedelta(days=moment.weekday())).date().isoformat()
        expected[monday] = expected.get(monday, Decimal(0)) + Decimal(amount)
    assert [(w["weekStart"], Decimal(w["amount"])) for w in data["moneyPerWeek"]] == sorted(
        expected.items()
    )


async def test_a_period_or_merchant_without_returns_is_empty(
    api: ReturnsApi, clock: FixedClock
) -> None:
    await seed(api, clock)
    for period in (
        PERIOD | {"merchant": "globex"},
        PERIOD | {"from": "2025-01-01T00:00:00Z", "to": "2025-06-01T00:00:00Z"},
    ):
        data = (await api.graphql.data(INSIGHTS, period))["returnInsights"]
        assert data["products"] == data["reasons"] == data["outcomes"] == []
        assert data["moneyPerWeek"] == []
        assert all(d["requests"] == 0 for d in data["timeToRefund"])


async def test_a_period_must_be_forward_and_at_most_two_years(api: ReturnsApi) -> None:
    for period in (
        PERIOD | {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        PERIOD | {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
    ):
        body = await api.graphql.execute(INSIGHTS, period)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"

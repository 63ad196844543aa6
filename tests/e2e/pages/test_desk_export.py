"""`GET /desk/export.csv`: the desk's filtered list as CSV, streamed page by page, with the
same filters and order as `returnRequests`, for the tenant's authenticated callers only."""

from __future__ import annotations

import csv
import io
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from core import return_export
from tests.clocks import FixedClock
from tests.e2e.graphql.conftest import ReturnsApi
from tests.e2e.graphql.test_graphql_search_sort import seed

LIST = """
query List($filter: ReturnRequestFilter, $orderBy: ReturnRequestSort, $after: String) {
  returnRequests(first: 2, filter: $filter, orderBy: $orderBy, after: $after) {
    edges { node { returnRequestId status value currency order { customer { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
def api(graphql: Any) -> ReturnsApi:
    return ReturnsApi(graphql)


async def listed(api: ReturnsApi, flt: dict[str, Any], order_by: str) -> list[list[str]]:
    rows, after = [], None
    while True:
        variables = {"filter": flt, "orderBy": order_by, "after": after}
        page = (await api.graphql.data(LIST, variables))["returnRequests"]
        for edge in page["edges"]:
            node = edge["node"]
            name = node["order"]["customer"]["name"]
            rows.append([node["returnRequestId"], node["status"], name, node["value"]])
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


async def exported(http: TestClient, query: dict[str, str]) -> list[dict[str, str]]:
    response = await http.get("/desk/export.csv", params=query)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(await response.text())))


@pytest.mark.parametrize(
    ("query", "flt", "order_by"),
    [
        ({}, {}, "NEWEST"),
        ({"search": "demo"}, {"search": "demo"}, "HIGHEST_VALUE"),
        ({"status": "PENDING", "orderBy": "LOWEST_VALUE"}, {"status": ["PENDING"]}, "LOWEST_VALUE"),
        ({"search": "ann", "merchant": "acme"}, {"search": "ann", "merchant": "acme"}, "OLDEST"),
    ],
)
async def test_the_csv_of_a_filter_matches_the_list(
    api: ReturnsApi,
    http: TestClient,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, str],
    flt: dict[str, Any],
    order_by: str,
) -> None:
    monkeypatch.setattr(return_export, "EXPORT_PAGE", 1)  # stream across pages
    await seed(api, clock)
    rows = await exported(http, query | {"orderBy": order_by})
    shown = [[r["return_request_id"], r["status"], r["customer_name"], r["value"]] for r in rows]
    assert shown == await listed(api, flt, order_by)
    assert shown  # every case finds something
    assert all(r["currency"] == "AED" and r["units"] == "1" for r in rows)


async def test_a_cell_a_spreadsheet_would_run_is_quoted_as_text(
    api: ReturnsApi, http: TestClient
) -> None:
    lines = [{"sku": "SHIRT-M", "quantity": 1, "unitPrice": "10.00"}]
    await api.upsert_order("F-1", lines, customer={"name": "=HYPERLINK(1)"})
    await api.create_return([{"sku": "SHIRT-M", "quantity": 1}], reference="F-1")
    rows = await exported(http, {})
    assert rows[0]["customer_name"] == "'=HYPERLINK(1)"


async def test_the_export_needs_the_desks_credentials_and_a_sound_filter(
    http: TestClient, api: ReturnsApi
) -> None:
    url = http.make_url("/desk/export.csv")
    async with aiohttp.ClientSession() as stranger, stranger.get(url) as refused:
        assert refused.status == 401  # no credentials
    for query in ({"status": "LOST"}, {"orderBy": "SIZE"}, {"createdAfter": "2026-01-01T00:00"}):
        response = await http.get("/desk/export.csv", params=query)
        assert response.status == 400
        assert (await response.json())["errors"][0]["code"] == "INVALID_INPUT"

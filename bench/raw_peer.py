"""The floor to compare against: the handler an engineer would write by hand with aiohttp
and asyncpg over returns-api's own tables, answering the same JSON as the GraphQL reads of
bench/compare.py. No GraphQL, no authentication, no framework: two statements and a dict.

    .venv/bin/python bench/raw_peer.py postgresql://postgres@127.0.0.1:5432/returns_bench 8081

GET /returns/{id}          → {"data": {"returnRequest": {...}}}
GET /returns?first=N       → {"data": {"returnRequests": {"edges": [{"node": {...}}, ...]}}}
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

import asyncpg
from aiohttp import web

TENANT = "bench"
HEADER = "SELECT id, status, merchant, order_reference, version, created_at FROM return_requests"
ITEMS = (
    "SELECT return_request_id, sku, quantity, approved_quantity, rejected_quantity,"
    " received_quantity, unit_price, reason_code FROM return_items"
    " WHERE tenant_id = $1 AND return_request_id = ANY($2::varchar[])"
    " ORDER BY return_request_id, position"
)
POOL = web.AppKey("pool", asyncpg.Pool)


def request_json(row: asyncpg.Record, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "returnRequestId": row["id"],
        "status": row["status"],
        "merchant": row["merchant"],
        "orderReference": row["order_reference"],
        "version": row["version"],
        "createdAt": row["created_at"].isoformat(),
        "items": items,
    }


def item_json(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "quantity": row["quantity"],
        "approvedQuantity": row["approved_quantity"],
        "rejectedQuantity": row["rejected_quantity"],
        "receivedQuantity": row["received_quantity"],
        "unitPrice": row["unit_price"],
        "reasonCode": row["reason_code"],
    }


async def items_of(connection: asyncpg.Connection, ids: list[str]) -> dict[str, list[Any]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in await connection.fetch(ITEMS, TENANT, ids):
        grouped[row["return_request_id"]].append(item_json(row))
    return grouped


async def one(request: web.Request) -> web.Response:
    rid = request.match_info["id"]
    async with request.app[POOL].acquire() as connection:
        row = await connection.fetchrow(f"{HEADER} WHERE tenant_id = $1 AND id = $2", TENANT, rid)
        items = await items_of(connection, [rid]) if row else {}
    found = request_json(row, items[rid]) if row else None
    return web.json_response({"data": {"returnRequest": found}})


async def page(request: web.Request) -> web.Response:
    first = min(int(request.query.get("first", "20")), 100)
    async with request.app[POOL].acquire() as connection:
        rows = await connection.fetch(
            f"{HEADER} WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            TENANT,
            first,
        )
        items = await items_of(connection, [row["id"] for row in rows])
    edges = [{"node": request_json(row, items[row["id"]])} for row in rows]
    return web.json_response({"data": {"returnRequests": {"edges": edges}}})


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def make_app(dsn: str) -> web.Application:
    app = web.Application()

    async def pool(app: web.Application):  # type: ignore[no-untyped-def]
        app[POOL] = await asyncpg.create_pool(dsn, min_size=4, max_size=16)
        yield
        await app[POOL].close()

    app.cleanup_ctx.append(pool)
    app.router.add_get("/returns/{id}", one)
    app.router.add_get("/returns", page)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), print=None)

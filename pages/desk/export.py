"""`GET /desk/export.csv`: the desk's filtered list as CSV, streamed page after page (see
core/return_export.py), with the filters and order the list takes in GraphQL, given as
query parameters: search, merchant, status (comma-separated), orderReference, assignedTo,
createdAfter, createdBefore, orderBy."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from core.return_export import csv_chunks
from core.wiring import Wiring
from domain.lifecycle import ReturnStatus
from pages.staff_access import desk_caller
from persistence.read_model import ReturnFilter, ReturnSort
from persistence.search_index import search_words

EXPORT_PATH = "/desk/export.csv"
SORTS = {
    "NEWEST": ReturnSort.NEWEST,
    "OLDEST": ReturnSort.OLDEST,
    "RECENTLY_UPDATED": ReturnSort.UPDATED,
    "HIGHEST_VALUE": ReturnSort.VALUE_HIGH,
    "LOWEST_VALUE": ReturnSort.VALUE_LOW,
}


class BadQuery(ValueError):
    pass


def export_filter(query: dict[str, str]) -> tuple[ReturnFilter, ReturnSort]:
    """The list's filter and order from the query string; BadQuery names what is wrong."""
    try:
        statuses = tuple(ReturnStatus(s) for s in query.get("status", "").split(",") if s)
    except ValueError:
        raise BadQuery("`status` takes statuses such as PENDING,ON_HOLD") from None
    sort = SORTS.get(query.get("orderBy") or "NEWEST")
    if sort is None:
        raise BadQuery(f"`orderBy` is one of {', '.join(SORTS)}")
    flt = ReturnFilter(
        merchant=query.get("merchant") or None,
        statuses=statuses,
        order_reference=query.get("orderReference") or None,
        created_after=_moment(query, "createdAfter"),
        created_before=_moment(query, "createdBefore"),
        assigned_to=query.get("assignedTo") or None,
        search=search_words(query.get("search")),
    )
    return flt, sort


def _moment(query: dict[str, str], name: str) -> datetime | None:
    given = query.get(name)
    if not given:
        return None
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise BadQuery(f"`{name}` is a time such as 2026-01-31T10:00:00Z") from None
    if moment.utcoffset() is None:
        raise BadQuery(f"`{name}` needs a time zone offset")
    return moment


async def export_csv(request: web.Request, wiring: Wiring) -> web.StreamResponse:
    principal = await desk_caller(request, wiring)
    if isinstance(principal, web.Response):
        return principal
    try:
        flt, sort = export_filter(dict(request.query))
    except BadQuery as error:
        body = {"errors": [{"code": "INVALID_INPUT", "message": str(error), "field": None}]}
        return web.json_response(body, status=400)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="returns.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    async for chunk in csv_chunks(wiring.db, principal.tenant_id, flt, sort):
        await response.write(chunk)
    await response.write_eof()
    return response

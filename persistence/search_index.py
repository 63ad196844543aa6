"""Finding a return request by what a person remembers of it: its id, the order reference,
the customer's name, e-mail or phone, or a sku, in any case and in part ("demo-1001",
"sara", "0501").

Each request has one row in `return_search` whose `document` is those texts, lower-cased,
written by the repository in the transaction that writes the request (the customer's
details are read from the order inside the same statement). The database indexes it:
PostgreSQL with a pg_trgm GIN index (LIKE '%word%' uses it), SQLite with an FTS5 table of
the trigram tokenizer kept in step by triggers (MATCH uses it). Words shorter than three
characters have no trigram: they are checked on the rows the other words found, or by a
scan when they are all there is.

The row also holds the request's creation time (written with it, never changed) and status
(kept by a trigger on `return_requests`, migration 0019): a search with no other condition
than statuses is ranked, counted and counted per status on these rows alone
(persistence/read_model.py), reading only the page's requests.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, TextClause, bindparam, select, text

from domain.returns import ReturnRequest
from persistence.statements import POSTGRESQL, Write
from persistence.tables import ReturnSearchRow
from persistence.types import UTCDateTime

SEARCH = ReturnSearchRow.__table__  # type: ignore[attr-defined]
FTS_TABLE = "return_search_fts"
TRIGRAM_INDEX = "ix_return_search_document_trgm"
MAX_WORDS = 8
MAX_WORD = 100
_TRIGRAM = 3

# Objects the migration makes that tables.py cannot declare (the schema test skips them).
UNDECLARED_PREFIXES = (FTS_TABLE, TRIGRAM_INDEX)


def search_words(search: str | None) -> tuple[str, ...]:
    """The words of a search box, lower-cased, at most MAX_WORDS of at most MAX_WORD
    characters; every word must be found (in any field)."""
    if not search:
        return ()
    words = dict.fromkeys(word[:MAX_WORD] for word in search.lower().split())
    return tuple(words)[:MAX_WORDS]


def document_of(request: ReturnRequest) -> str:
    """The request's own part of its document; the order's customer is added in SQL."""
    skus = " ".join(dict.fromkeys(item.sku for item in request.items))
    return f"{request.id} {request.order_reference} {skus}".lower()


_UPSERT = text(
    "INSERT INTO return_search (tenant_id, return_request_id, created_at, status, document)"
    " VALUES (CAST(:tenant AS VARCHAR), CAST(:rid AS VARCHAR), :created_at,"
    " CAST(:status AS VARCHAR), CAST(:document AS TEXT)"
    " || coalesce((SELECT lower(' ' || coalesce(customer_name, '') || ' '"
    " || coalesce(customer_email, '') || ' ' || coalesce(customer_phone, '')) FROM orders"
    " WHERE tenant_id = CAST(:tenant AS VARCHAR) AND merchant = CAST(:merchant AS VARCHAR)"
    " AND reference = CAST(:reference AS VARCHAR)), ''))"
    " ON CONFLICT (return_request_id) DO UPDATE SET document = excluded.document"
).bindparams(bindparam("created_at", type_=UTCDateTime))


def writing(tenant_id: str, request: ReturnRequest) -> Write:
    """Index the request (again): one statement, to run in the writer's transaction."""
    values = {
        "tenant": tenant_id,
        "rid": request.id,
        "created_at": request.created_at,
        "status": request.status.value,
        "document": document_of(request),
        "merchant": request.merchant,
        "reference": request.order_reference,
    }
    return Write(_UPSERT, [values])


def needs_rewrite(before: Iterable[dict[str, Any]] | None, request: ReturnRequest) -> bool:
    """Whether a save changes what the request is found by (its skus; the rest is fixed)."""
    if before is None:
        return True
    return {row["sku"] for row in before} != {item.sku for item in request.items}


def word_values(words: Sequence[str]) -> dict[str, Any]:
    """The bound values of `matching(...)` for these words."""
    values: dict[str, Any] = {f"word_{n}": _like(word) for n, word in enumerate(words)}
    values |= {f"short_{n}": word for n, word in enumerate(words)}
    long_words = [word for word in words if len(word) >= _TRIGRAM]
    if long_words:
        values["fts_query"] = " ".join(_phrase(word) for word in long_words)
    return values


def shape(words: Sequence[str]) -> tuple[bool, ...]:
    """What a statement depends on: how many words, and which are long enough to index."""
    return tuple(len(word) >= _TRIGRAM for word in words)


@functools.cache
def matching(dialect_name: str, key: ColumnElement[Any], words: tuple[bool, ...]) -> Any:
    """A condition on `key` (a return request id column): the request's document contains
    every word. `words` is `shape(...)` of the words, bound by `word_values`. The matches
    are found first, through the index, and the page is sorted from them."""
    return key.in_(select(SEARCH.c.return_request_id).where(*found(dialect_name, words)))


@functools.cache
def found(dialect_name: str, words: tuple[bool, ...]) -> tuple[Any, ...]:
    """The conditions on `return_search` of the tenant's documents that contain every word
    (see `matching`)."""
    s = SEARCH.c
    conditions: list[Any] = [s.tenant_id == bindparam("tenant")]
    if dialect_name == POSTGRESQL:
        conditions += [
            s.document.like(bindparam(f"word_{n}"), escape="\\") for n in range(len(words))
        ]
    else:
        if any(words):
            conditions.append(s.id.in_(_fts_rowids()))
        conditions += [
            text(f"instr(return_search.document, :short_{n}) > 0")
            for n, long in enumerate(words)
            if not long
        ]
    return tuple(conditions)


def _fts_rowids() -> Any:
    return select(text("rowid")).select_from(text(FTS_TABLE)).where(_FTS_MATCH)


_FTS_MATCH: TextClause = text(f"{FTS_TABLE} MATCH :fts_query")


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _phrase(word: str) -> str:
    """An FTS5 string: the trigram tokenizer matches it as a substring."""
    return '"' + word.replace('"', '""') + '"'

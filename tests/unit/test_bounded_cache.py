"""The cache of everything made from query texts: bounded in entries and in bytes of text,
least recently used first out, and what it drops is freed at once (issue 21)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Iterator

import pytest

from graphql_api.bounded_cache import BoundedCache, text_bytes
from graphql_api.documents import parse_document

COMMENT_LINE = "# " + "x" * 110 + "\n"
PADDED = "{ __typename }\n" + COMMENT_LINE * 2_000  # 226 KB, 2,000 comment tokens


def cache(entries: int = 10, total: int = 1_000, each: int = 1_000) -> BoundedCache[str, str]:
    return BoundedCache(max_entries=entries, max_bytes=total, max_entry_bytes=each)


def test_the_least_recently_used_entry_goes_first_when_entries_run_out() -> None:
    texts = cache(entries=2)
    texts.put("a", "A", 1)
    texts.put("b", "B", 1)
    assert texts.get("a") == "A"  # now b is the least recently used
    texts.put("c", "C", 1)
    assert (texts.get("a"), texts.get("b"), texts.get("c")) == ("A", None, "C")


def test_entries_go_until_their_text_fits_the_byte_bound() -> None:
    texts = cache(total=10)
    for key in "abcd":
        texts.put(key, key.upper(), 4)
    assert (len(texts), texts.total_bytes) == (2, 8)
    assert texts.get("a") is texts.get("b") is None
    assert texts.get("d") == "D"


def test_a_text_too_large_to_be_worth_it_is_not_kept() -> None:
    texts = cache(each=5)
    texts.put("small", "kept", 5)
    texts.put("large", "dropped", 6)
    assert (texts.get("small"), texts.get("large")) == ("kept", None)
    assert (len(texts), texts.total_bytes) == (1, 5)
    assert not texts.keeps(6)


def test_putting_a_key_again_counts_its_text_once() -> None:
    texts = cache()
    texts.put("a", "first", 7)
    texts.put("a", "second", 3)
    assert (len(texts), texts.total_bytes, texts.get("a")) == (1, 3, "second")


def test_text_is_weighed_in_utf8_bytes() -> None:
    assert text_bytes("{ a }", None) == 5
    assert text_bytes("é", "€") == 2 + 3


def test_an_evicted_document_is_no_longer_referenced() -> None:
    documents: BoundedCache[str, object] = BoundedCache(
        max_entries=1, max_bytes=10**6, max_entry_bytes=10**6
    )
    document = parse_document(PADDED, max_tokens=10_000)
    dropped = weakref.ref(document)
    documents.put(PADDED, document, text_bytes(PADDED))
    del document
    documents.put("{ other }", parse_document("{ other }", max_tokens=100), 9)
    assert dropped() is None


@pytest.fixture
def no_garbage_collector() -> Iterator[None]:
    """Only reference counting frees memory: what a cycle holds stays."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()
        gc.enable()


@pytest.mark.usefixtures("no_garbage_collector")
def test_a_dropped_document_is_freed_without_waiting_for_the_garbage_collector() -> None:
    """graphql-core links every token, comments too, to the next and the previous one: a
    cycle that held a comment-padded document's memory until a full collection."""
    before = tracemalloc.get_traced_memory()[0]
    document = parse_document(PADDED, max_tokens=10_000)
    assert document.loc is not None
    del document
    left = tracemalloc.get_traced_memory()[0] - before
    assert left < len(PADDED) // 10, left


@pytest.mark.usefixtures("no_garbage_collector")
def test_a_kept_document_does_not_keep_its_comments() -> None:
    """Comments are skipped by the parser; once parsed, their tokens are let go."""
    before = tracemalloc.get_traced_memory()[0]
    document = parse_document(PADDED, max_tokens=10_000)
    held = tracemalloc.get_traced_memory()[0] - before
    assert document.loc is not None
    assert held < len(PADDED) // 10, held  # its nodes, and their first and last tokens

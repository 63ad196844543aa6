"""A least-recently-used cache bounded by its entries and by the bytes of their text.

Every cache keyed by a query text (the parsed documents both paths share) uses it. A bound on
entries alone let any key pin gigabytes: 256 distinct comment-padded texts of 900 KB each
stay, and a document costs a few times its text (issue 21). So the text each entry was made
from is weighed, the total is bounded, and a text too large to be worth keeping is not kept
at all: parsing it again costs that one request, not everyone's memory.

An evicted value is dropped here, and nothing else holds it (parsed documents have no
reference cycles, see graphql_api/documents.py), so its memory is freed at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def text_bytes(*texts: str | None) -> int:
    """The UTF-8 size of the texts together (None weighs nothing)."""
    return sum(
        len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        for text in texts
        if text is not None
    )


class BoundedCache(Generic[K, V]):
    """At most `max_entries` values, made from at most `max_bytes` of text together; none
    from more than `max_entry_bytes`. The least recently used go first."""

    def __init__(self, *, max_entries: int, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.hits = self.misses = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    @property
    def total_bytes(self) -> int:
        """The text the values held were made from."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry[0]

    def keeps(self, size: int) -> bool:
        """Whether a value made from `size` bytes of text would be kept."""
        return size <= self.max_entry_bytes and self.max_entries > 0

    def put(self, key: K, value: V, size: int) -> None:
        """Keep `value`, made from `size` bytes of text, unless that is too large."""
        if not self.keeps(size):
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= previous[1]
        self._entries[key] = (value, size)
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._bytes -= self._entries.popitem(last=False)[1][1]

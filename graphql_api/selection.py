"""What a query selects, so a resolver reads only the columns it needs.

A resolver asks which fields the client selected under its field (through fragments and
inline fragments; @skip/@include are ignored, so it may read a column more than needed,
never less) and maps them to columns with a table of its type. The answer depends only on
the document, which the parser cache keeps, so it is worked out once per field node.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

ColumnsOf = Mapping[str, tuple[str, ...]]  # GraphQL field name → the columns it reads

_known: dict[tuple[int, tuple[str, ...]], tuple[weakref.ref[Any], frozenset[str]]] = {}
_MAX_KNOWN = 4096


def selected_fields(info: Any, under: tuple[str, ...] = ()) -> frozenset[str]:
    """Names of the fields selected on what the resolver's field returns, or, with `under`,
    on what the path of fields below it returns (`("edges", "node")` for a connection's
    nodes).

    strawberry's `info.selected_fields` builds its own objects for the whole selection on
    every call (the items of each request of a page would pay it); graphql-core's field
    nodes, under strawberry's `Info._raw_info`, answer the same question for free
    (tests/unit/test_selection.py fails if strawberry renames it)."""
    raw = info._raw_info
    return field_names(raw.field_nodes, raw.fragments, under)


def field_names(
    nodes: Sequence[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    under: tuple[str, ...] = (),
) -> frozenset[str]:
    """The names `selected_fields` gives, from graphql-core's field nodes."""
    first = nodes[0]
    key = (id(first), under)
    known = _known.get(key)
    if known is not None and known[0]() is first and len(nodes) == 1:
        return known[1]
    sets = [node.selection_set for node in nodes]
    for name in under:
        sets = [
            field.selection_set for field in _fields(sets, fragments) if field.name.value == name
        ]
    names = frozenset(field.name.value for field in _fields(sets, fragments))
    if len(nodes) == 1:
        if len(_known) >= _MAX_KNOWN:
            _known.clear()
        _known[key] = (weakref.ref(first), names)
    return names


def columns_for(
    fields: Iterable[str], columns_of: ColumnsOf, always: tuple[str, ...]
) -> frozenset[str]:
    """The columns the selected `fields` read, with those every row needs (`always`)."""
    needed = set(always)
    for name in fields:
        needed.update(columns_of.get(name, ()))
    return frozenset(needed)


def _fields(
    sets: Iterable[SelectionSetNode | None], fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    found: list[FieldNode] = []
    pending = [selection_set for selection_set in sets if selection_set is not None]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    pending.append(fragment.selection_set)
    return found

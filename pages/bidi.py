"""Values from the data set apart from the words around them, for right-to-left pages.

In Arabic, "+971501111111" shown as is reads "971501111111+", and "RR-2SWZXCYF" may break
after its hyphen. The `isolate` filter wraps a value in a <bdi> (`unicode-bidi: isolate`):
a "code" (ids, references, SKUs, phone numbers, e-mail) reads left to right and stays on one
line; "money" keeps its own direction on one line; "text" (names, address lines, the
merchant's words) takes its direction from its first letter."""

from __future__ import annotations

from markupsafe import Markup

DIRECTIONS = {"code": "ltr", "money": "auto", "text": "auto"}


def isolate(value: object, kind: str = "code") -> Markup:
    """`{{ order.reference | isolate }}`, `{{ line.name | isolate("text") }}`; the value is
    escaped like any other."""
    if kind not in DIRECTIONS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(DIRECTIONS)}")
    return Markup('<bdi class="value-{}" dir="{}">{}</bdi>').format(kind, DIRECTIONS[kind], value)

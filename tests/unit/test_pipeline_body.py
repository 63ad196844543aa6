"""The POST pipeline reads most bodies with orjson: it must read every body as json does,
and refuse what json's way refuses, with the same words."""

from __future__ import annotations

import json

import pytest
from cross_web import HTTPException
from hypothesis import given
from hypothesis import strategies as st

from edge.json_input import encodes_as_utf8
from graphql_api.pipeline import decode_body

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _by_json(data: bytes) -> object:
    """What decode_body answered before orjson: json's reading, or its refusal."""
    try:
        return ("read", decode_body(data.decode(errors="surrogatepass")))
    except HTTPException as refusal:
        return ("refused", refusal.reason)
    except UnicodeDecodeError:
        return ("refused", "The request body is not UTF-8")


def _by_bytes(data: bytes) -> object:
    try:
        return ("read", decode_body(data))
    except HTTPException as refusal:
        return ("refused", refusal.reason)


@given(st.dictionaries(st.text(), _JSON, max_size=4) | st.lists(_JSON, max_size=4))
def test_any_body_is_read_as_json_reads_it(value: object) -> None:
    data = json.dumps(value).encode("utf-8", errors="surrogatepass")
    assert _by_bytes(data) == _by_json(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"query": "{ a }", "variables": {"first": 123456789012345678901234567890}}',
        b'{"variables": {"x": 12345678901234567890}}',
        b'{"x": NaN}',
        b'{"x": 1e400}',
        b'{"x": "\\ud800"}',
        b'{"x": "\\u0000"}',
        b'{"x": "\\U0000"}',
        b'{"x": "a\x00"}',
        b'"text"',
        b"42",
        b"null",
        b"\xef\xbb\xbf{}",
        b'{"x": "\xff"}',
        b"[1,]",
        b"[" * 5000 + b"]" * 5000,
        b'{"a": 1, "a": 2}',
    ],
)
def test_edge_bodies_are_read_or_refused_as_before(data: bytes) -> None:
    assert _by_bytes(data) == _by_json(data)


def test_what_orjson_reads_holds_no_lone_surrogate() -> None:
    assert _by_bytes(b'{"x": "\\udc00\\ud800"}') == ("refused", _by_json(b'{"x": "\\udc00"}')[1])
    assert encodes_as_utf8(decode_body(b'{"x": "\\ud83d\\ude00"}'))

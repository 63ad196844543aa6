"""Schemathesis hooks (loaded via SCHEMATHESIS_HOOKS): how to generate our GraphQL custom
scalars, and, for the REST shims, a mix of real ids and codes (seeded by run.py and passed in
FUZZ_* variables) into generated calls, so fuzzing reaches the use cases and not only 404s."""

from __future__ import annotations

import os
import uuid
from datetime import UTC
from typing import Any

import schemathesis
import schemathesis.graphql
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from domain.errors import ErrorCode

# Any string is tried too: the server must refuse bad ones with a GraphQL error, not a 500.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, places=4).map(str),
        st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999999", "-0"]),
        st.text(max_size=20),
    ).map(nodes.String),
)

schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda value: value.isoformat()),
        st.datetimes().map(lambda value: value.isoformat()),
        st.text(max_size=30),
    ).map(nodes.String),
)


def _known(name: str) -> list[str]:
    return [value for value in os.environ.get(name, "").split(",") if value]


RETURN_IDS = _known("FUZZ_RETURN_IDS")
MERCHANTS = _known("FUZZ_MERCHANT")
ORDERS = _known("FUZZ_ORDER")
SKUS = _known("FUZZ_SKUS")
REPLACEMENTS = {
    "return_request_id": RETURN_IDS,
    "merchant": MERCHANTS,
    "partner_order_ref": ORDERS,
    "partner_order_reference": ORDERS,
    "sku": SKUS,
}


def _mixed(values: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The generated values, or the same with known ones swapped in where a name matches."""
    if not isinstance(values, dict):
        return st.just(values)
    options = [
        values | {name: known}
        for name, choices in REPLACEMENTS.items()
        if name in values
        for known in choices
    ]
    return st.sampled_from([values, *options]) if options else st.just(values)


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    return _mixed(path_parameters)


@schemathesis.hook
def flatmap_query(context: Any, query: dict[str, Any]) -> Any:
    return _mixed(query)


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Top-level fields, and each item of `items` (its sku)."""
    if not isinstance(body, dict):
        return st.just(body)
    items = body.get("items")
    if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
        return _mixed(body).flatmap(
            lambda b: st.tuples(*(_mixed(item) for item in items)).map(
                lambda chosen: b | {"items": list(chosen)}
            )
        )
    return _mixed(body)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Generated Idempotency-Keys repeat ("0", "a"…) and would turn most writes into 422
    IDEMPOTENCY_MISMATCH before they run; a fresh key still goes through the idempotency
    store and reaches the handler. (Replays are tested in tests/e2e/rest.) Every phase
    calls through here, the coverage phase included, which the map_* hooks do not see."""
    for headers in (case.headers, kwargs.get("headers")):
        if headers and "Idempotency-Key" in headers:
            headers["Idempotency-Key"] = uuid.uuid4().hex


STABLE_CODES = frozenset(code.value for code in ErrorCode)


@schemathesis.check
def graphql_refusals_only(ctx: Any, response: Any, case: Any) -> None:
    """The GraphQL stage's check: a 5xx fails, and so does a resolver's error (one with a
    `path`) that carries none of our stable codes, which is what a masked failure
    ("Unexpected error.") looks like. A refusal with a stable code (INVALID_INPUT for a
    period that runs backwards, NOT_FOUND, LIMIT_EXCEEDED) is the API doing its job on
    generated nonsense, as a 4xx is on REST; schemathesis' own `not_a_server_error` counts
    every resolver error as a server's."""
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError("the answer is not JSON") from None
    for error in body.get("errors") or [] if isinstance(body, dict) else []:
        extensions = error.get("extensions") or {}
        if "path" in error and extensions.get("code") not in STABLE_CODES:
            raise AssertionError(f"a resolver failed without a stable code: {error}")

"""Schemathesis hooks: how to generate our custom scalars (loaded via SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

from datetime import UTC

import schemathesis.graphql
from hypothesis import strategies as st
from schemathesis.graphql import nodes

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

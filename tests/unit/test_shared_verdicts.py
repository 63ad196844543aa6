"""A text found valid by one schema is not validated again by another with the same types
and rules (graphql_api/documents.py: the suite builds a schema per test), and never taken
as valid by a schema whose rules differ."""

from __future__ import annotations

from graphql_api.limits import GraphQLLimits
from graphql_api.schema import build_schema

DEEP = "{ returnRequests(first: 1) { edges { node { order { lines { sku } } } } } }"


def errors_of(limits: GraphQLLimits, text: str) -> list[str]:
    schema = build_schema(limits)
    parsed = schema.documents.parsed(text)
    return [
        error.message
        for error in parsed.validated(schema._schema, schema.policies.validation_rules)
    ]


def test_equal_limits_share_their_rules_and_a_valid_text_is_known_to_both() -> None:
    first, second = build_schema(GraphQLLimits()), build_schema(GraphQLLimits())
    assert first.policies.validation_rules == second.policies.validation_rules
    assert errors_of(GraphQLLimits(), DEEP) == []
    assert errors_of(GraphQLLimits(), DEEP) == []


def test_a_text_valid_under_loose_limits_is_still_refused_under_strict_ones() -> None:
    assert errors_of(GraphQLLimits(max_depth=15), DEEP) == []
    refused = errors_of(GraphQLLimits(max_depth=2), DEEP)
    assert len(refused) == 1 and "exceeds maximum operation depth" in refused[0]


def test_an_invalid_text_is_refused_by_every_schema() -> None:
    text = "{ returnRequests(first: 1) { nope } }"
    for _ in range(2):
        assert len(errors_of(GraphQLLimits(), text)) == 1
